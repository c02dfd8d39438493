"""gitignore patterns, matched at a cost of one regular-expression match per .gitignore above a
path (as git itself), not per pattern or per character of the path.

Each .gitignore is compiled once into a few regular expressions: its patterns in reverse order as
the alternatives of one expression (so the first alternative that matches is the pattern git
would apply: the last matching one), apart for patterns matched against the name alone and for
patterns anchored at the .gitignore's folder, and apart for files and folders (`build/` names
folders only). A path is matched in place, from an offset (`fullmatch(path, pos)`), so checking
it against every .gitignore above it builds no substrings: a tree a thousand folders deep with a
.gitignore in each is walked in seconds, not minutes (benchmarks/budget_benchmark.py).

Syntax as gitignore(5): `#` comments, `!` negation, `\\` escapes, trailing `/` for folders, a `/`
at the start or in the middle anchors the pattern, `*`, `?`, `[...]` (never matching `/`), and
`**/`, `/**/`, `/**`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _translate(body: str) -> str:
    """The regular expression for a pattern's body (no `!`, no trailing `/`, no leading `/`)."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == "*":
            j = i
            while j < n and body[j] == "*":
                j += 1
            double = j - i >= 2
            at_end = j == n or body[j] == "/"
            if double and at_end:
                if j == n:  # 'a/**': everything inside
                    out.append(".*")
                else:  # '**/', 'a/**/b', and as git's wildmatch also 'b**/a': zero or more folders
                    out.append("(?:.*/)?")
                    j += 1
            else:
                out.append("[^/]*")
            i = j
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and body[j] in "!^":
                j += 1
            if j < n and body[j] == "]":
                j += 1
            while j < n and body[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal '['
                out.append(re.escape(c))
                i += 1
                continue
            inner = body[i + 1: j]
            negate = inner[:1] in ("!", "^")
            if negate:
                inner = inner[1:]
            inner = inner.replace("\\", "\\\\").replace("/", "")
            out.append(f"[{'^/' if negate else ''}{inner}]" if inner else "[^/]")
            i = j + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(body[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Pattern:
    index: int
    regex: str
    negate: bool
    dir_only: bool
    anchored: bool


def _parse(line: str, index: int) -> _Pattern | None:
    if not line or line.startswith("#"):
        return None
    # trailing spaces are dropped unless escaped
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    elif line.startswith("\\!") or line.startswith("\\#"):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    if not line:
        return None
    try:
        regex = _translate(line)
        re.compile(regex)
    except re.error:
        return None  # git ignores a pattern it cannot read
    return _Pattern(index, regex, negate, dir_only, anchored)


class _Alternatives:
    """Patterns as one expression; `decide` gives (pattern index, negated) of the last match."""

    __slots__ = ("regex", "patterns")

    def __init__(self, patterns: list[_Pattern]):
        ordered = sorted(patterns, key=lambda p: -p.index)  # the last pattern first
        self.patterns = ordered
        self.regex = re.compile("|".join(f"({p.regex})" for p in ordered), re.DOTALL) if ordered else None

    def decide(self, path: str, pos: int) -> tuple[int, bool] | None:
        if self.regex is None:
            return None
        m = self.regex.fullmatch(path, pos)
        if m is None:
            return None
        p = self.patterns[m.lastindex - 1]  # type: ignore[operator]
        return p.index, p.negate


class IgnoreFile:
    """The patterns of one .gitignore (or exclude list), matched against paths relative to the
    folder it sits in."""

    __slots__ = ("_by_name", "_anchored", "empty")

    def __init__(self, lines: list[str]):
        patterns = [p for i, line in enumerate(lines) if (p := _parse(line, i)) is not None]
        self.empty = not patterns
        # [for files, for folders]
        self._by_name = (_Alternatives([p for p in patterns if not p.anchored and not p.dir_only]),
                         _Alternatives([p for p in patterns if not p.anchored]))
        self._anchored = (_Alternatives([p for p in patterns if p.anchored and not p.dir_only]),
                          _Alternatives([p for p in patterns if p.anchored]))

    def verdict(self, path: str, base: int, name: int, is_dir: bool) -> bool | None:
        """True ignored, False re-included, None no pattern matches. `path[base:]` is the path
        relative to this file's folder, `path[name:]` the last segment."""
        k = 1 if is_dir else 0
        a = self._by_name[k].decide(path, name)
        b = self._anchored[k].decide(path, base)
        found = a if b is None else b if a is None else max(a, b)
        return None if found is None else not found[1]
