"""JSON configs (PEFT's adapter_config.json and the like): `"revision"` in the object that names
the model, spliced into the original text so indentation, key order and every other byte stay.

The standard library's parser gives no positions, so `_objects` walks the text once and records,
for every object, where each member's value starts and ends. The result is parsed again to prove
it is still JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiospo_ci.fix.interface import Edit, FileFix, FileFixer, Skipped

REVISION_KEYS = ("revision", "model_revision")


@dataclass
class _Object:
    members: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (value start, value end)


class JsonFixer(FileFixer):
    def handles(self, relpath: str) -> bool:
        return relpath.endswith(".json")

    def fix(self, text: str, edits: Sequence[Edit]) -> FileFix:
        try:
            json.loads(text)
            objects = _objects(text)
        except (ValueError, RecursionError) as exc:
            return FileFix(text, skipped=tuple(Skipped(e, f"the file does not parse as JSON ({exc})") for e in edits))
        line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        splices: list[tuple[int, int, str, Edit]] = []
        skipped = []
        for edit in edits:
            if edit.action != "pin":
                skipped.append(Skipped(edit, "only revisions are set in JSON configs"))
                continue
            offset = line_starts[edit.line - 1] + (edit.column or 1) - 1 if edit.line <= len(line_starts) else -1
            target = next(((o, k) for o in objects for k, (start, _) in o.members.items() if start == offset), None)
            if target is None:
                skipped.append(Skipped(edit, "no object member with the model at this place"))
                continue
            obj, key = target
            existing = next((k for k in REVISION_KEYS if k in obj.members), None)
            if existing is not None:
                start, end = obj.members[existing]
                splices.append((start, end, json.dumps(edit.sha), edit))
                continue
            _, end = obj.members[key]
            splices.append((end, end, _member_text(text, line_starts, obj.members[key][0], edit.sha or ""), edit))
        new = text
        for start, end, replacement, _ in sorted(splices, key=lambda s: s[0], reverse=True):
            new = new[:start] + replacement + new[end:]
        if splices:
            json.loads(new)  # still JSON: a failure here is a bug, never silence
        return FileFix(new, applied=tuple(s[3] for s in splices), skipped=tuple(skipped))


def _member_text(text: str, line_starts: list[int], value_start: int, sha: str) -> str:
    """`, "revision": "<sha>"`, on a line of its own (indented like the model's key) when the
    object puts its members on separate lines."""
    line_start = max(s for s in line_starts if s <= value_start)
    line = text[line_start:value_start]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if line.strip().startswith('"') and text[:line_start].rstrip().endswith((",", "{")):
        newline = "\r\n" if text[line_start - 2 : line_start] == "\r\n" else "\n"
        return f",{newline}{indent}\"revision\": {json.dumps(sha)}"
    return f', "revision": {json.dumps(sha)}'


def _objects(text: str) -> list[_Object]:
    """Every object in a JSON text with the spans of its members' values."""
    found: list[_Object] = []
    decoder = json.JSONDecoder()

    def ws(j: int) -> int:
        while j < len(text) and text[j] in " \t\r\n":
            j += 1
        return j

    def value(j: int) -> int:
        j = ws(j)
        if text[j] == "{":
            obj = _Object()
            found.append(obj)
            j = ws(j + 1)
            if text[j] == "}":
                return j + 1
            while True:
                key, j = decoder.raw_decode(text, ws(j))
                j = ws(j)
                j = ws(j + 1)  # the colon
                start = j
                end = value(j)
                obj.members[key] = (start, end)
                j = ws(end)
                if text[j] == "}":
                    return j + 1
                j += 1  # the comma
        if text[j] == "[":
            j = ws(j + 1)
            if text[j] == "]":
                return j + 1
            while True:
                j = ws(value(j))
                if text[j] == "]":
                    return j + 1
                j += 1
        _, end = decoder.raw_decode(text, j)
        return end

    value(0)
    return found
