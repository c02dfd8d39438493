"""One fingerprint per finding, shared by SARIF (`partialFingerprints`) and the baseline.

A fingerprint must tell apart two findings of the same rule and model on different lines of a
file, and stay the same when unrelated lines above move, as GitHub's own
`primaryLocationLineHash` does. So it hashes what the finding is about and the *text* of its
line, never the line number: the rule, the file, the model, the line's content with whitespace
collapsed, and the occurrence of that same content among the file's findings (two identical
lines are two findings). The message is left out, because it holds facts that change between
runs (day counts, head commits). A run-level finding hashes its rule and message.

Editing the line itself (pinning it, say) gives a new fingerprint: it is a different line now.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from aiospo_ci.model import CheckResult, ModelReference

VERSION = "v2"
_SEP = "\x1f"


class LineTexts:
    """The lines of the scanned files, read once each (notebook references: the cell's lines)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._files: dict[tuple[str, int | None], list[str]] = {}

    def text(self, ref: ModelReference) -> str:
        lines = self._lines(ref.file, ref.cell)
        if 1 <= ref.line <= len(lines):
            return " ".join(lines[ref.line - 1].split())
        return ""

    def _lines(self, file: str, cell: int | None) -> list[str]:
        key = (file, cell)
        if key not in self._files:
            self._files[key] = self._read(file, cell)
        return self._files[key]

    def _read(self, file: str, cell: int | None) -> list[str]:
        try:
            data = (self.root / file).read_bytes()
        except OSError:  # deleted or unreadable since the scan: the rest of the key still holds
            return []
        text = data.decode("utf-8", "replace")
        if cell is None:
            return text.splitlines()
        try:
            source = json.loads(text)["cells"][cell - 1].get("source", "")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return []
        return ("".join(source) if isinstance(source, list) else str(source)).splitlines()


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256(_SEP.join((VERSION, *parts)).encode("utf-8")).hexdigest()[:32]


def fingerprints(root: str | Path | None, items: Sequence[tuple[str, ModelReference | None, str]]) -> list[str]:
    """The fingerprint of each (rule, reference or None, message), in the order given. Without
    a root (a scan's inventory) the line texts are left out and occurrences alone tell lines apart."""
    lines = LineTexts(root) if root is not None else None
    keys: list[tuple[str, ...]] = []
    for rule, ref, message in items:
        if ref is None:
            keys.append(("run", rule, message))
        else:
            keys.append(("ref", rule, ref.file, str(ref.cell or 0), ref.id, lines.text(ref) if lines else ""))
    # Occurrences of the same key count in reading order (cell, line, column), so identical
    # lines in one file are distinct and a line moving above does not reorder them.
    order = sorted(range(len(items)), key=lambda i: _place(items[i][1]))
    seen: dict[tuple[str, ...], int] = {}
    occurrence = [0] * len(items)
    for i in order:
        occurrence[i] = seen.get(keys[i], 0)
        seen[keys[i]] = occurrence[i] + 1
    return [_digest((*key, str(occurrence[i]))) for i, key in enumerate(keys)]


def _place(ref: ModelReference | None) -> tuple[str, int, int, int]:
    if ref is None:
        return ("", 0, 0, 0)
    return (ref.file, ref.cell or 0, ref.line, ref.column or 0)


def of_result(result: CheckResult) -> list[str]:
    """The fingerprint of each of a check's findings, parallel to result.findings."""
    refs = result.scan.references
    return fingerprints(result.root, [(f.rule, refs[f.ref] if f.ref is not None else None, f.message) for f in result.findings])
