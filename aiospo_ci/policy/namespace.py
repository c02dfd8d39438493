"""Read and move Rego modules at the level of their tokens: the package a module declares, the
`data` references it makes, and the same modules moved under a prefix of the data tree.

OPA evaluates every module it holds in one namespace: a module uploaded to a shared server under
`package aiospo.rules.x` joins every other run's `data.aiospo.rules` until it is deleted. To give
a run policies of its own on a shared server, aiospo-ci moves each module under a per-run prefix:
`package aiospo.main` becomes `package aiospo_ci_runs.r1f2e.aiospo.main`, and every reference to
the root document `data` becomes `data.aiospo_ci_runs.r1f2e`, so the modules of one run see only
each other and the data uploaded with them. Line numbers do not change, so OPA's errors still
point at the author's line.

This is a scanner of Rego's lexical structure (comments, strings, raw strings, identifiers), not
a parser: it finds the `package` statement and the identifier `data` where it starts a reference
(not after a `.`, not inside a string or comment). That is all the move needs: every reference
to another package or to base data starts with `data` (imports included), and `input` is the
same for every package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from aiospo_ci.policy.rego_source import RegoSource

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A static reference segment after `data` or `package`: `.name` or `["key"]`.
_SEGMENT = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*("(?:[^"\\\n]|\\.)*")\s*\]')


def _identifiers(source: str) -> Iterator[tuple[int, str]]:
    """(offset, name) of every identifier outside comments and strings (which RegoSource blanks,
    keeping offsets)."""
    code = RegoSource("", source).code
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c == "_" or (c.isascii() and c.isalpha()):
            match = _IDENT.match(code, i)
            assert match is not None
            yield i, match.group()
            i = match.end()
        elif c.isascii() and c.isdigit():
            while i < n and (code[i].isalnum() or code[i] in "._"):
                i += 1  # a number (1.5e3): its letters are not identifiers
        else:
            i += 1


def _previous(source: str, offset: int) -> str:
    """The last character before offset that is not blank ('' at the start)."""
    stripped = source[:offset].rstrip(" \t")
    return stripped[-1] if stripped else ""


def _segments(source: str, offset: int) -> tuple[tuple[str, ...], int]:
    """The static segments of a reference starting at offset (after its head)."""
    import json

    parts: list[str] = []
    while True:
        match = _SEGMENT.match(source, offset)
        if not match:
            return tuple(parts), offset
        parts.append(match.group(1) if match.group(1) is not None else json.loads(match.group(2)))
        offset = match.end()


def _package_at(source: str) -> tuple[int, tuple[str, ...]] | None:
    """(offset just after the keyword and its blanks, package path) of the package statement."""
    for offset, name in _identifiers(source):
        if name == "package" and _previous(source, offset) in ("", "\n"):
            start = offset + len(name)
            while start < len(source) and source[start] in " \t":
                start += 1
            head = _IDENT.match(source, start)
            if not head:
                return None
            rest, _ = _segments(source, head.end())
            return start, (head.group(), *rest)
    return None


def _data_heads(source: str) -> Iterator[int]:
    """Offsets of the identifier `data` where it is the root document (not `x.data`)."""
    for offset, name in _identifiers(source):
        if name == "data" and _previous(source, offset) != ".":
            yield offset


def package_path(source: str) -> tuple[str, ...]:
    """The package a module declares, as its path under data (('aiospo', 'main')); () when the
    module has no package statement this scanner can read (the engine then says why)."""
    found = _package_at(source)
    return found[1] if found else ()


def data_references(source: str) -> set[tuple[str, ...]]:
    """The static prefixes of every `data` reference in the module: `import data.aiospo.lib`
    and `data.aiospo.rules[pkg]` give ('aiospo', 'lib') and ('aiospo', 'rules')."""
    refs = set()
    for offset in _data_heads(source):
        parts, _ = _segments(source, offset + len("data"))
        refs.add(parts)
    return refs


def _ref_text(parts: Sequence[str]) -> str:
    import json

    return "".join(f".{p}" if _IDENT.fullmatch(p) else f"[{json.dumps(p)}]" for p in parts)


def rehome(source: str, prefix: Sequence[str]) -> str:
    """The module moved under data.<prefix>: its package and every `data` reference gain the
    prefix. Offsets of lines are kept (insertions stay on their line)."""
    inserts: list[tuple[int, str]] = []
    tail = _ref_text(prefix)
    package = _package_at(source)
    if package is not None:
        inserts.append((package[0], tail[1:] + "."))
    for offset in _data_heads(source):
        inserts.append((offset + len("data"), tail))
    out = []
    last = 0
    for offset, text in sorted(inserts):
        out.append(source[last:offset])
        out.append(text)
        last = offset
    out.append(source[last:])
    return "".join(out)


def upload_order(modules: dict[str, str]) -> list[str]:
    """Module names in an order a server that compiles on every upload accepts: a module after
    the modules whose packages it refers to (OPA refuses a call to a function it does not hold
    yet). Names sort the rest, so the order is the same on every run."""
    packages = {name: package_path(source) for name, source in modules.items()}
    needs: dict[str, set[str]] = {}
    for name, source in modules.items():
        refs = data_references(source)
        needs[name] = {
            other
            for other, package in packages.items()
            if other != name and package and any(package[: len(r)] == r or r[: len(package)] == package for r in refs if r)
        }
    order: list[str] = []
    done: set[str] = set()
    pending = sorted(modules)
    while pending:
        ready = [name for name in pending if needs[name] <= done]
        if not ready:  # packages that need each other: OPA will say which call it cannot resolve
            ready = pending[:1]
        for name in ready:
            order.append(name)
            done.add(name)
        pending = [name for name in pending if name not in done]
    return order
