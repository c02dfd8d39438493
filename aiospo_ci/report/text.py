"""Plain text: one line per finding (`path:line: severity rule message`) and a summary line.
The same lines serve the pre-commit hook, so they stay short and grep-able."""

from __future__ import annotations

import re

from aiospo_ci.model import CheckResult, Finding, ScanResult
from aiospo_ci.report.interface import Report
from aiospo_ci.scope import SCOPES

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
    baselined = f", {c['baselined']} baselined" if c["baselined"] else ""
    return (
        f"aiospo-ci: {c['deny']} denied, {c['warn']} warnings, {c['info']} notes, {c['waived']} waived{baselined} "
        f"for {models} models in {len(result.scan.references)} references ({result.scan.files_scanned} files scanned)"
    )


def by_scope(result: CheckResult) -> list[tuple[str | None, list[Finding]]]:
    """The findings grouped by the scope of their reference, runtime (and the run's own) first,
    then the other scopes in their usual order; each group keeps the findings' order."""
    order = {scope: i for i, scope in enumerate(SCOPES)}
    groups: dict[str | None, list[Finding]] = {}
    for f in result.findings:
        scope = result.scope_of(f)
        groups.setdefault("runtime" if scope is None else scope, []).append(f)
    return sorted(groups.items(), key=lambda item: order.get(item[0] or "runtime", len(order)))


class TextReport(Report):
    name = "text"

    def render_check(self, result: CheckResult) -> str:
        lines = []
        groups = by_scope(result)
        for scope, findings in groups:
            if len(groups) > 1:  # only when there is more than shipped code to tell apart
                lines.append(f"# scope: {scope} ({len(findings)} finding{'s' if len(findings) != 1 else ''})")
            for f in findings:
                ref = result.scan.references[f.ref] if f.ref is not None else None
                where = location(ref.file, ref.line) if ref else "(run)"
                lines.append(f"{where}: {f.status} {f.rule} {f.message}")
        for err in result.scan.errors:
            lines.append(f"{err.file}: error scan {err.reason}")
        for warning in result.warnings:
            lines.append(f"warning: {warning}")
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
        lines.append(f"aiospo-ci: {len(scan.references)} references in {scan.files_scanned} files, {len(scan.errors)} errors")
        return "\n".join(one_line(line) for line in lines) + "\n"
