"""Scripts without a file extension (`bin/train`, `scripts/fetch-weights`), read by the scanner
their `#!` line names: Python (python, pypy, `uv run`) or a POSIX shell (sh, bash, zsh, dash,
ksh). An executable named without `.py` or `.sh` still loads models when it runs, so its name
must not hide it from the gate.

A text file without a `#!` line is read as Python when all of it parses as Python and names a
loader (what `python scripts/train` would run), else as shell when it holds a shell scanner's
marker (what `bash scripts/fetch` would run). Only files whose base name has no dot are
considered (dotfiles such as `.gitignore` are not scripts a build runs), and only when no other
scanner claims the path (a `Makefile` stays the shell scanner's). Binaries (a NUL byte near the
start) and text naming no loader cost a prefilter.
"""

from __future__ import annotations

import re

from aiospo_ci.model import ModelReference
from aiospo_ci.scan.interface import Gap, Scanner

# The interpreter named by the first line, through `env` (`-S` and its options included).
_PYTHON = re.compile(rb"\A#![^\n]*?(?:[/\s]|\A#!)(?:python[0-9.]*|pypy[0-9.]*|uv\s+run)(?:\s|\Z)")
_SHELL = re.compile(rb"\A#![^\n]*?(?:[/\s]|\A#!)(?:ba|z|da|k)?sh(?:\s|\Z)")
_BINARY_PROBE = 8000  # as git and the runner: a NUL byte this near the start makes a file binary
# Scripts at least this large are read without the interpreter's prefilter (see may_contain).
_LARGE = 1 << 20


def interpreter(data: bytes) -> str | None:
    """'python', 'shell' or None, from the `#!` line at the very start of the file."""
    if not data.startswith(b"#!"):
        return None
    # The kernel reads the first 256 bytes of a script (BINPRM_BUF_SIZE since Linux 5.1): the
    # interpreter is named within them, so a longer line costs no more.
    first = data[:256].split(b"\n", 1)[0].rstrip(b"\r") + b"\n"
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

    def _kind(self, data: bytes) -> str | None:
        """The `#!` line's interpreter; without one, what a workflow could still run it with
        (`python scripts/train`, `bash scripts/fetch`): Python when the whole file is Python that
        names a loader (Python refuses to run a file that does not parse, and prose is not
        Python), else shell when it holds a shell scanner's marker."""
        kind = interpreter(data)
        if kind is not None or data.startswith(b"#!") or b"\0" in data[:_BINARY_PROBE]:
            return kind
        python, shell = self._by_interpreter["python"], self._by_interpreter["shell"]
        if python.may_contain(data) and _parses_as_python(data):
            return "python"
        return "shell" if shell.may_contain(data) else None

    def may_contain(self, data: bytes) -> bool:
        kind = interpreter(data)
        if kind is not None:
            # A file too large to read is prefiltered in windows (runner._any_window_may_contain)
            # and only the first shows the `#!` line: a large script is kept, whatever its windows hold.
            return len(data) >= _LARGE or self._by_interpreter[kind].may_contain(data)
        # Without one, only text read whole (a window of a larger file says nothing of the file)
        # that either scanner's prefilter keeps; scan_with_notes decides which (a parse) once.
        if data.startswith(b"#!") or len(data) >= _LARGE or b"\0" in data[:_BINARY_PROBE]:
            return False
        return any(s.may_contain(data) for s in self._by_interpreter.values())

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return self.scan_with_notes(relpath, data)[0]

    def scan_with_notes(self, relpath: str, data: bytes) -> tuple[list[ModelReference], list[Gap]]:
        kind = self._kind(data)
        if kind is None:
            return [], []
        return self._by_interpreter[kind].scan_with_notes(relpath, data)


def _parses_as_python(data: bytes) -> bool:
    import ast

    try:
        ast.parse(data)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True
