"""Plain text: one line per finding (`path:line: severity rule message`) and a summary line.
The same lines serve the pre-commit hook, so they stay short and grep-able."""

from __future__ import annotations

import re

from aiospo_ci.model import CheckResult, ScanResult
from aiospo_ci.report.interface import Report

# Control characters and Unicode line breaks: a file name or expression from the scanned tree
# that holds one must not start a line of its own (a forged finding or summary line).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """text with every control character written as an escape, so it stays one line."""
    return _UNSAFE.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"), text)


def location(file: str | None, line: int | None) -> str:
    if not file:
        return "(run)"
    return f"{file}:{line}" if line else file


def summary_line(result: CheckResult) -> str:
    c = result.counts()
    models = len({r.id for r in result.scan.references})
    return (
        f"aiospo-ci: {c['deny']} denied, {c['warn']} warnings, {c['info']} notes, {c['waived']} waived "
        f"for {models} models in {len(result.scan.references)} references ({result.scan.files_scanned} files scanned)"
    )


class TextReport(Report):
    name = "text"

    def render_check(self, result: CheckResult) -> str:
        lines = []
        for f in result.findings:
            file, line, _ = result.location(f)
            where = location(file, line)
            severity = "waived" if f.waived else f.severity
            lines.append(f"{where}: {severity} {f.rule} {f.message}")
        for err in result.scan.errors:
            lines.append(f"{err.file}: error scan {err.reason}")
        for warning in result.warnings:
            lines.append(f"warning: {warning}")
        if result.scan.skipped_note():
            lines.append(f"note: {result.scan.skipped_note()}")
        lines.append(summary_line(result))
        return "\n".join(one_line(line) for line in lines) + "\n"

    def render_scan(self, scan: ScanResult) -> str:
        lines = []
        for ref in scan.references:
            extra = []
            if ref.revision:
                extra.append(f"revision={ref.revision}")
            extra.append(f"pin={ref.pin}")
            if ref.flags:
                extra.append("flags=" + ",".join(ref.flags))
            lines.append(f"{location(ref.file, ref.line)}: {ref.kind} {ref.id} ({ref.source}, {ref.call}) " + " ".join(extra))
        for err in scan.errors:
            lines.append(f"{err.file}: error {err.reason}")
        for u in scan.unread:
            lines.append(f"{location(u.file, u.line)}: unread ({u.cause}) {u.reason}")
        if scan.skipped_note():
            lines.append(f"note: {scan.skipped_note()}")
        lines.append(f"aiospo-ci: {len(scan.references)} references in {scan.files_scanned} files, {len(scan.unread)} unread, "
                     f"{len(scan.errors)} errors")
        return "\n".join(one_line(line) for line in lines) + "\n"
