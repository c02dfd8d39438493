"""Plain text: one line per finding (`path:line: severity rule message`) and a summary line.
The same lines serve the pre-commit hook, so they stay short and grep-able.

Every line is inert (`inert_line`): file names, ids and messages come from the tree under
review, and this text is printed into CI logs, where GitHub's runner acts on lines that start
with `::` (`::error ...`, `::stop-commands::`) and on the legacy `##[command]` anywhere in a
line, and where a terminal acts on escape sequences.
"""

from __future__ import annotations

import re

from aiospo_ci.model import CheckResult, Finding, ScanResult
from aiospo_ci.report.interface import Report
from aiospo_ci.scope import SCOPES

# Control characters, Unicode line breaks and the bidirectional overrides that reorder what a
# reader sees: a name from the scanned tree that holds one must not start a line of its own
# (a forged finding or summary line), colour or move the terminal, or disguise itself.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What GitHub's runner reads as a workflow command: `::` after leading whitespace, `##[` anywhere.
_COMMAND_START = re.compile(r"^(\s*):")
_LEGACY_COMMAND = "##["


def visible(char: str) -> str:
    """One unsafe character as the escape text shows it (\\n, \\x1b, \\u202e)."""
    return _ESCAPES.get(char, f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def one_line(text: str) -> str:
    """text with every control character written as an escape, so it stays one line."""
    return UNSAFE.sub(lambda m: visible(m.group()), text)


def inert_line(text: str) -> str:
    """One line nothing reading it acts on: secrets redacted, control characters escaped, and
    no workflow command (a leading `:` becomes \\x3a, `##[` becomes ##\\x5b)."""
    from aiospo_ci.secrets import redact

    line = one_line(redact(text)).replace(_LEGACY_COMMAND, "##\\x5b")
    if line.lstrip().startswith("::"):
        line = _COMMAND_START.sub(lambda m: m.group(1) + "\\x3a", line, count=1)
    return line


def inert_text(text: str) -> str:
    """Several lines (a traceback, --explain), each made inert; the line breaks stay."""
    return "\n".join(inert_line(line) for line in text.split("\n"))


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
        + "".join(f"; policy bundle {name} at revision {revision}" for name, revision in sorted(result.bundles.items()))
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
                file, line, _ = result.location(f)
                lines.append(f"{location(file, line)}: {f.status} {f.rule} {f.message}")
        for err in result.scan.errors:
            lines.append(f"{err.file}: error scan {err.reason}")
        for warning in result.warnings:
            lines.append(f"warning: {warning}")
        if result.scan.skipped_note():
            lines.append(f"note: {result.scan.skipped_note()}")
        lines.append(summary_line(result))
        return "\n".join(inert_line(line) for line in lines) + "\n"

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
        return "\n".join(inert_line(line) for line in lines) + "\n"
