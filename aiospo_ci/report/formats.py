"""The report formats by name. A new format is a module implementing Report, named here."""

from __future__ import annotations

from aiospo_ci.errors import AiospoError
from aiospo_ci.report.interface import Report


def get_report(name: str) -> Report:
    if name == "text":
        from aiospo_ci.report.text import TextReport

        return TextReport()
    if name == "json":
        from aiospo_ci.report.json import JsonReport

        return JsonReport()
    if name == "sarif":
        from aiospo_ci.report.sarif import SarifReport

        return SarifReport()
    if name == "markdown":
        from aiospo_ci.report.markdown import MarkdownReport

        return MarkdownReport()
    raise AiospoError(f"--format {name!r} is not known; use text, json, sarif or markdown.")
