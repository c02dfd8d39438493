"""What the person at the terminal sees: colour, tables and a progress bar on a terminal,
plain text everywhere else.

Rules (https://no-color.org and common CLI practice):
- rich output only when the stream is a TTY; pipes, files and CI logs get the plain text
  report, byte for byte what `--format text` writes;
- NO_COLOR (any non-empty value) turns colour off, tables stay;
- the progress bar goes to standard error, only on a TTY, only for more than a handful of
  models, and never with --quiet;
- rich is imported only when it will be used, so the pre-commit hook's plain path stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from aiospo_ci.model import CheckResult

#: Below this many Hub lookups a progress bar only flickers.
PROGRESS_MIN_ITEMS = 6

SEVERITY_STYLE = {"deny": "bold red", "warn": "yellow", "info": "cyan", "waived": "dim"}


def is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def colour_allowed(env: Mapping[str, str] | None = None) -> bool:
    values = os.environ if env is None else env
    return not values.get("NO_COLOR") and values.get("TERM") != "dumb"


class Console:
    """One per run: knows the verbosity and whether the streams are terminals."""

    def __init__(
        self,
        *,
        quiet: bool = False,
        verbose: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        env: dict | None = None,
    ) -> None:
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.colour = colour_allowed(env)
        self.rich_stdout = is_tty(self.stdout)
        self.rich_stderr = is_tty(self.stderr)

    # -- messages on standard error -------------------------------------------------
    def info(self, message: str) -> None:
        """A note about the run (hidden by --quiet)."""
        if not self.quiet:
            self._err(message, "dim")

    def detail(self, message: str) -> None:
        """What a stage did (shown only with --verbose)."""
        if self.verbose:
            self._err(message, "dim")

    def _err(self, message: str, style: str) -> None:
        from aiospo_ci.report.text import inert_text

        text = inert_text(f"aiospo-ci: {message}")
        if self.rich_stderr and self.colour:
            self._rich(self.stderr).print(text, style=style, markup=False, highlight=False)
        else:
            self.stderr.write(text + "\n")
            self.stderr.flush()

    def _rich(self, stream: TextIO):
        from rich.console import Console as RichConsole

        # NO_COLOR: no escape codes at all (color_system=None), the layout stays.
        if not self.colour:
            return RichConsole(file=stream, color_system=None, highlight=False, soft_wrap=False)
        return RichConsole(file=stream, highlight=False, soft_wrap=False)

    # -- progress ------------------------------------------------------------------
    @contextmanager
    def progress(self, description: str) -> Iterator[Callable[[int, int], None] | None]:
        """A `progress(done, total)` callback drawing a bar on a terminal, or None when no bar
        should be drawn (not a TTY, --quiet). The bar appears only once `total` is known to
        exceed PROGRESS_MIN_ITEMS."""
        if self.quiet or not self.rich_stderr:
            yield None
            return
        state: dict = {}

        def update(done: int, total: int) -> None:
            if total < PROGRESS_MIN_ITEMS:
                return
            if "bar" not in state:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

                bar = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=self._rich(self.stderr),
                    transient=True,
                )
                bar.start()
                state["bar"] = bar
                state["task"] = bar.add_task(description, total=total)
            state["bar"].update(state["task"], completed=done, total=total)

        try:
            yield update
        finally:
            if "bar" in state:
                state["bar"].stop()

    # -- the check report on a terminal ------------------------------------------------
    def wants_rich_report(self, output: str | None, fmt: str) -> bool:
        return fmt == "text" and not output and self.rich_stdout

    def print_check(self, result: CheckResult) -> None:
        """The text report as a table, for a person at a terminal."""
        from rich.table import Table
        from rich.text import Text

        from aiospo_ci.report.text import inert_line, summary_line

        console = self._rich(self.stdout)
        if result.findings:
            table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
            for column in ("where", "severity", "rule", "message"):
                table.add_column(column, overflow="fold")
            for f in result.findings:
                file, line, _ = result.location(f)
                where = (f"{file}:{line}" if line else file) if file else "(run)"
                severity = f.status
                table.add_row(
                    Text(inert_line(where)),
                    Text(severity, style=SEVERITY_STYLE.get(severity, "")),
                    Text(inert_line(f.rule)),
                    Text(inert_line(f.message)),
                )
            console.print(table)
        for err in result.scan.errors:
            console.print(Text(inert_line(f"{err.file}: error scan {err.reason}"), style="red"))
        for warning in result.warnings:
            console.print(Text(inert_line(f"warning: {warning}"), style="yellow"))
        if self.quiet:  # --quiet: findings and errors only
            return
        counts = result.counts()
        style = "bold red" if counts["deny"] else ("yellow" if counts["warn"] else "green")
        console.print(Text(summary_line(result), style=style))

    # -- helpers for --quiet and --verbose ---------------------------------------------------
    @staticmethod
    def without_summary(text: str) -> str:
        """The plain report minus its summary line (--quiet prints findings and errors only)."""
        lines = text.splitlines()
        if lines and lines[-1].startswith("aiospo-ci: "):
            lines = lines[:-1]
        return "".join(line + "\n" for line in lines)

    @staticmethod
    def stage_summary(result: CheckResult) -> str:
        """One line on what each stage did, for --verbose."""
        origins: dict[str, int] = {}
        for facts in result.facts:
            if facts is not None:
                origins[facts.origin] = origins.get(facts.origin, 0) + 1
        where = ", ".join(f"{n} from {o}" for o, n in sorted(origins.items())) or "none needed"
        return (
            f"scan: {result.scan.files_scanned} files, {len(result.scan.references)} references, "
            f"{len(result.scan.errors)} errors, {len(result.scan.skipped)} skipped; hub facts: {where}; "
            f"policy: {len(result.findings)} findings from {len(result.rules)} known rules"
        )
