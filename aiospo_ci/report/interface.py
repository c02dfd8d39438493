"""A report format: turns a CheckResult into text. Formats know nothing about services."""

from __future__ import annotations

from abc import ABC, abstractmethod

from aiospo_ci.model import CheckResult, ScanResult


class Report(ABC):
    name: str = ""

    @abstractmethod
    def render_check(self, result: CheckResult) -> str:
        """The whole report for a `check` run."""

    def render_scan(self, scan: ScanResult) -> str:
        """The report for a `scan` run (references only, no policy)."""
        raise NotImplementedError(f"the {self.name} format has no scan report")
