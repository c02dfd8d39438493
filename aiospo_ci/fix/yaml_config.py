"""YAML configs: `revision:` next to the model key, placed with ruamel.yaml's round-trip loader.

ruamel.yaml knows where every key and value of a block mapping sits (comments, anchors and
aliases included), but dumping a document again re-indents sequences and re-flows long lines.
So the loader only finds the mapping and the line; the edit is spliced into the original text,
and every other byte stays as it was. The result is loaded again to prove it still parses and
now names the commit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from aiospo_ci.fix.interface import Edit, FileFix, FileFixer, Skipped

REVISION_KEYS = ("revision", "model_revision")  # the keys the scanner reads (scan/configs.py)


class YamlFixer(FileFixer):
    def handles(self, relpath: str) -> bool:
        return relpath.endswith((".yaml", ".yml"))

    def fix(self, text: str, edits: Sequence[Edit]) -> FileFix:
        from ruamel.yaml.error import YAMLError

        try:
            documents = _load(text)
        except YAMLError as exc:
            return FileFix(text, skipped=tuple(Skipped(e, f"the file does not parse as YAML ({type(exc).__name__})") for e in edits))
        lines = text.splitlines(keepends=True)
        applied, skipped = [], []
        # bottom-up, so an inserted line never moves a place still to be edited
        for edit in sorted(edits, key=lambda e: (e.line, e.column or 0), reverse=True):
            if edit.action != "pin":
                skipped.append(Skipped(edit, "only revisions are set in YAML configs"))
                continue
            found = _mapping_at(documents, edit.line - 1, (edit.column or 1) - 1)
            if found is None:
                skipped.append(Skipped(edit, "no block mapping key with the model at this place"))
                continue
            mapping, key = found
            outcome = _splice(lines, mapping, key, edit.sha or "")
            if outcome:
                skipped.append(Skipped(edit, outcome))
            else:
                applied.append(edit)
        new = "".join(lines)
        if applied:
            _load(new)  # still YAML: a failure here is a bug, never silence
        return FileFix(new, applied=tuple(reversed(applied)), skipped=tuple(skipped))


def _load(text: str) -> list[Any]:
    from ruamel.yaml import YAML

    return list(YAML(typ="rt").load_all(text))


def _mappings(node: Any, seen: set[int]) -> Iterator[Any]:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:  # an alias is the node it names: visit it once
            continue
        seen.add(id(current))
        if isinstance(current, CommentedMap):
            yield current
            stack.extend(current.values())
        elif isinstance(current, CommentedSeq):
            stack.extend(current)


def _mapping_at(documents: list[Any], line: int, column: int) -> tuple[Any, Any] | None:
    """The block mapping whose key's value starts at (line, column), 0-based, and the key."""
    seen: set[int] = set()
    for document in documents:
        for mapping in _mappings(document, seen):
            for key in list(mapping.keys()):
                try:
                    where = mapping.lc.value(key)
                except (KeyError, TypeError, AttributeError):  # a key merged in from an alias: placed at its anchor
                    continue
                if tuple(where) == (line, column):
                    return mapping, key
    return None


def _splice(lines: list[str], mapping: Any, key: Any, sha: str) -> str | None:
    """Set the revision in `mapping` by editing `lines`; the reason when it cannot."""
    if mapping.fa.flow_style():
        return "the model is in a flow mapping ({...}): add the revision by hand"
    existing = next((k for k in REVISION_KEYS if k in mapping), None)
    if existing is not None:
        line, column = mapping.lc.value(existing)
        return _replace_scalar(lines, line, column, sha)
    key_line, key_column = mapping.lc.key(key)
    value_line, _ = mapping.lc.value(key)
    if value_line != key_line:
        return "the model value is not on its key's line"
    newline = "\r\n" if lines[key_line].endswith("\r\n") else "\n"
    if not lines[key_line].endswith(("\n", "\r")):
        lines[key_line] += newline
    lines.insert(key_line + 1, " " * key_column + f"revision: {sha}" + newline)
    return None


def _replace_scalar(lines: list[str], line: int, column: int, sha: str) -> str | None:
    """Replace a one-line scalar (plain or quoted) that starts at (line, column)."""
    text = lines[line]
    rest = text[column:]
    if rest[:1] in ("'", '"'):
        quote = rest[0]
        end = rest.find(quote, 1)
        if end < 0:
            return "the existing revision is a multi-line string"
        lines[line] = text[:column] + quote + sha + quote + rest[end + 1 :]
        return None
    body = rest.rstrip("\r\n")
    comment = body.find(" #")
    value_end = len(body if comment < 0 else body[:comment].rstrip())
    if rest[:1] in ("|", ">", "&", "*", "!") or value_end == 0:
        return "the existing revision is not a plain one-line value"
    lines[line] = text[:column] + sha + rest[value_end:]
    return None
