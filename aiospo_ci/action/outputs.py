"""Step outputs ($GITHUB_OUTPUT), the job summary ($GITHUB_STEP_SUMMARY) and the job log.

Outputs use the multiline `name<<DELIMITER` form with a random delimiter, so no value (a JSON
list of findings with hostile messages) can end its own entry or forge another output. The log
wraps text from the scanned tree in `::stop-commands::`, so a file named `::error::x` cannot
issue a workflow command.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from aiospo_ci.secrets import redact

SUMMARY_BYTES = 1_048_576  # GitHub's limit per step
OUTPUT_BYTES = 900_000  # GitHub keeps at most 1 MB of outputs per job; leave room for the rest


def format_outputs(values: Mapping[str, str]) -> str:
    parts = []
    for name, value in values.items():
        value = redact(value)
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:  # practically never; but a value must not end its own entry
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        parts.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(parts)


def write_outputs(path: str | None, values: Mapping[str, str]) -> bool:
    if not path:
        return False
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(format_outputs(values))
    except OSError:
        return False
    return True


def append_summary(path: str | None, markdown: str) -> bool:
    """Append to the job summary, never past GitHub's limit for the step. False when it could
    not be written (the caller says so in the log; the verdict does not depend on it)."""
    if not path:
        return False
    target = Path(path)
    try:
        used = target.stat().st_size if target.exists() else 0
    except OSError:
        return False
    data = redact(markdown).encode("utf-8")
    room = SUMMARY_BYTES - used - 64
    if room <= 0:
        return False
    if len(data) > room:
        data = data[: room - 40].decode("utf-8", "ignore").encode("utf-8") + b"\n\n_... cut at GitHub's 1 MiB limit._\n"
    try:
        with open(target, "ab") as handle:
            handle.write(data)
    except OSError:
        return False
    return True


class Log:
    """The job log: plain lines, groups, workflow commands, and untrusted text made inert."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream = stream

    def line(self, text: str = "") -> None:
        self.stream.write(redact(text) + "\n")
        self.stream.flush()

    def command(self, text: str) -> None:
        """A workflow command this program composed (already escaped)."""
        self.line(text)

    def untrusted(self, text: str) -> None:
        """Text that may contain names from the scanned tree: no line of it can be a command."""
        token = secrets.token_hex(16)
        self.stream.write(f"::stop-commands::{token}\n")
        self.stream.write(redact(text if text.endswith("\n") else text + "\n"))
        self.stream.write(f"::{token}::\n")
        self.stream.flush()

    def group(self, title: str) -> _Group:
        return _Group(self, title)


class _Group:
    def __init__(self, log: Log, title: str) -> None:
        self.log, self.title = log, title

    def __enter__(self) -> None:
        self.log.line(f"::group::{self.title}")

    def __exit__(self, *exc: object) -> None:
        self.log.line("::endgroup::")
