"""Scripts without a file extension (`bin/train`, `scripts/fetch-weights`), read by the scanner
their `#!` line names: Python (python, pypy, `uv run`) or a POSIX shell (sh, bash, zsh, dash,
ksh). An executable named without `.py` or `.sh` still loads models when it runs, so its name
must not hide it from the gate.

Only files whose base name has no dot at all are considered (dotfiles such as `.gitignore` are
not scripts a build runs), and only when no other scanner claims the path (a `Makefile` stays the shell scanner's); the prefilter reads the first line, so
binaries and text that is not a script cost one comparison.
"""

from __future__ import annotations

import re

from aiospo_ci.model import ModelReference
from aiospo_ci.scan.interface import Gap, Scanner

# The interpreter named by the first line, through `env` (`-S` and its options included).
_PYTHON = re.compile(rb"\A#![^\n]*?(?:[/\s]|\A#!)(?:python[0-9.]*|pypy[0-9.]*|uv\s+run)(?:\s|\Z)")
_SHELL = re.compile(rb"\A#![^\n]*?(?:[/\s]|\A#!)(?:ba|z|da|k)?sh(?:\s|\Z)")
# Scripts at least this large are read without the interpreter's prefilter (see may_contain).
_LARGE = 1 << 20


def interpreter(data: bytes) -> str | None:
    """'python', 'shell' or None, from the `#!` line at the very start of the file."""
    if not data.startswith(b"#!"):
        return None
    first = data.split(b"\n", 1)[0].rstrip(b"\r") + b"\n"
    if _PYTHON.match(first):
        return "python"
    if _SHELL.match(first):
        return "shell"
    return None


class ShebangScanner(Scanner):
    name = "shebang"
    version = "1"

    def __init__(self, python: Scanner, shell: Scanner, others: tuple[Scanner, ...]):
        self._by_interpreter = {"python": python, "shell": shell}
        self._others = others

    def handles(self, relpath: str) -> bool:
        base = relpath.rsplit("/", 1)[-1]
        return "." not in base and not any(s.handles(relpath) for s in self._others)

    def may_contain(self, data: bytes) -> bool:
        kind = interpreter(data)
        if kind is None:
            return False
        # A file too large to read is prefiltered in windows (runner._any_window_may_contain) and
        # only the first one shows the `#!` line: a large script is kept, whatever its windows hold.
        return len(data) >= _LARGE or self._by_interpreter[kind].may_contain(data)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return self.scan_with_notes(relpath, data)[0]

    def scan_with_notes(self, relpath: str, data: bytes) -> tuple[list[ModelReference], list[Gap]]:
        kind = interpreter(data)
        if kind is None:
            return [], []
        return self._by_interpreter[kind].scan_with_notes(relpath, data)
