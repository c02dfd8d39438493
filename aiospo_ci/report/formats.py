"""The report formats by name. A new format is a module implementing Report, named here."""

from __future__ import annotations

from importlib import import_module

from aiospo_ci.errors import AiospoError
from aiospo_ci.report.interface import Report

# name -> (module, class); modules are imported only when chosen, to keep start-up cheap.
CHECK_FORMATS: dict[str, tuple[str, str]] = {
    "text": ("aiospo_ci.report.text", "TextReport"),
    "json": ("aiospo_ci.report.json", "JsonReport"),
    "sarif": ("aiospo_ci.report.sarif", "SarifReport"),
    "markdown": ("aiospo_ci.report.markdown", "MarkdownReport"),
    "github": ("aiospo_ci.report.github", "GithubReport"),  # workflow commands (::error file=...::)
}
#: Formats that also render a plain scan (references, no policy).
SCAN_FORMATS = ("text", "json", "sarif")


def get_report(name: str) -> Report:
    if name not in CHECK_FORMATS:
        raise AiospoError(f"--format {name!r} is not known; use one of {', '.join(CHECK_FORMATS)}.")
    module, cls = CHECK_FORMATS[name]
    return getattr(import_module(module), cls)()
