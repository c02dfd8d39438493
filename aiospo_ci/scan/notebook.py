"""Jupyter notebooks: code cells scanned as one Python module (imports and constants carry from
cell to cell, as they do when the notebook runs), IPython syntax tolerated.

A reference's `cell` is the 1-based position of the cell among all the notebook's cells and its
`line` the 1-based line inside that cell: what a person sees in Jupyter or on GitHub.
`!command` lines and `%%bash` cells go to the shell scanner; other magics are blanked. A cell
that is not valid Python is noted and the others are still scanned.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import python, shell
from aiospo_ci.scan.configs import decode_text
from aiospo_ci.scan.interface import ScanFailure, Scanner

_SHELL_CELL_MAGICS = ("%%bash", "%%sh", "%%script bash", "%%script sh", "%%shell")
_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun", "%%memit")
_ASSIGN_BANG = re.compile(r"^(\s*)[\w.,\s]+=\s*!(.*)$")
_MAX_CELLS = 10_000


def _cell_lines(cell: Any) -> list[str]:
    src = cell.get("source", "")
    if isinstance(src, list):
        text = "".join(s for s in src if isinstance(s, str))
    elif isinstance(src, str):
        text = src
    else:
        return []
    return text.splitlines()


def _python_line(line: str) -> tuple[str, str | None]:
    """(the Python to parse, the shell command on this line if any)."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith("!"):
        return indent + "pass", stripped[1:]
    if stripped.startswith("%"):
        return indent + "pass", None
    m = _ASSIGN_BANG.match(line)
    if m:
        return indent + "pass", m.group(2)
    if stripped.endswith("?") and not stripped.startswith("#") and stripped.count("?") <= 2 and "(" not in stripped:
        return indent + "pass", None  # `obj?` help
    return line, None


class NotebookScanner(Scanner):
    name = "notebook"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith(".ipynb")

    def may_contain(self, data: bytes) -> bool:
        return python.may_contain_python(data, loose=True) or shell.ShellScanner().may_contain(data)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return self.scan_with_notes(relpath, data)[0]

    def scan_with_notes(self, relpath: str, data: bytes) -> tuple[list[ModelReference], list[str]]:
        text = decode_text(data, "notebook")
        try:
            nb = json.loads(text)
        except json.JSONDecodeError as e:
            raise ScanFailure(f"not a valid notebook: {e.msg} (line {e.lineno})") from None
        except RecursionError:
            raise ScanFailure("not a valid notebook: JSON nested too deeply") from None
        cells = nb.get("cells") if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            raise ScanFailure("not a valid notebook: no 'cells' list (nbformat 4 expected)")
        if len(cells) > _MAX_CELLS:
            raise ScanFailure(f"more than {_MAX_CELLS} cells; not scanned")

        notes: list[str] = []
        py_lines: list[str] = []
        py_map: list[tuple[int | None, int]] = []
        sh_lines: list[str] = []
        sh_map: list[tuple[int | None, int]] = []
        for index, cell in enumerate(cells, 1):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            lines = _cell_lines(cell)
            if not lines:
                continue
            first = lines[0].strip()
            if first.startswith(_SHELL_CELL_MAGICS):
                for n, l in enumerate(lines[1:], 2):
                    sh_lines.append(l)
                    sh_map.append((index, n))
                continue
            if first.startswith("%%") and not first.startswith(_PYTHON_CELL_MAGICS):
                continue  # %%writefile, %%html, ...: not Python
            cell_py: list[str] = []
            for n, l in enumerate(lines, 1):
                code, command = _python_line(l)
                if n == 1 and first.startswith("%%"):
                    code = ""
                cell_py.append(code)
                if command is not None:
                    sh_lines.append(command)
                    sh_map.append((index, n))
            source = "\n".join(cell_py) + "\n"
            try:
                python.parse_python(source, f"{relpath}[cell {index}]", top_level_await=True)
            except ScanFailure as e:
                notes.append(f"cell {index}: {e}")
                continue
            py_lines.extend(cell_py)
            py_map.extend((index, n) for n in range(1, len(cell_py) + 1))

        refs: list[ModelReference] = []
        if py_lines:
            source = "\n".join(py_lines) + "\n"
            tree = python.parse_python(source, relpath, top_level_await=True)
            refs.extend(python.analyse(relpath, tree, py_map, source.encode("utf-8", "surrogatepass")))
        if sh_lines:
            refs.extend(shell.references(relpath, "\n".join(sh_lines) + "\n", line_map=sh_map))
        return refs, notes

