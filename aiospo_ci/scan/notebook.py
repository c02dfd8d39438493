"""Jupyter notebooks: code cells scanned as one Python module (imports and constants carry from
cell to cell, as they do when the notebook runs), written as people write them.

A reference's `cell` is the 1-based position of the cell among all the notebook's cells and its
`line` the 1-based line inside that cell: what a person sees in Jupyter or on GitHub.
`!command` lines and `%%bash` cells go to the shell scanner; other magics are blanked; doctest
prompts (`>>> `, `... `) are stripped and their output lines blanked; a cell indented as a whole
is dedented. A cell that still does not parse is read statement by statement
(python_blocks.repair) and what could not be read is reported. Loaders a notebook calls without
importing them (an earlier session's kernel did) are recognised by their unambiguous names
(python_module.NOTEBOOK_NAMES).
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import python, shell
from aiospo_ci.scan.configs import decode_text
from aiospo_ci.scan.interface import Gap, ScanFailure, Scanner

_SHELL_CELL_MAGICS = ("%%bash", "%%sh", "%%script bash", "%%script sh", "%%shell")
_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun", "%%memit")
_ASSIGN_BANG = re.compile(r"^(\s*)[\w.,\s]+=\s*!(.*)$")
_MAX_CELLS = 10_000
_PROMPT = re.compile(r"^(\s*)(>>>|\.\.\.)( |$)")


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


def _without_prompts(lines: list[str]) -> list[str]:
    """A doctest-style cell (`>>> code`, `... more`, output lines): the code without prompts,
    the output blanked. Cells without a `>>>` prompt are returned as they are."""
    if not any(line.lstrip().startswith(">>>") for line in lines):
        return lines
    out = []
    for line in lines:
        m = _PROMPT.match(line)
        out.append(line[m.end():] if m else "")
    return out


def _readable(source: str, relpath: str, index: int) -> tuple[str, list[Gap]]:
    """The cell's source with what does not parse mended or blanked (as many lines), and the
    gaps that left, each naming the cell."""
    name = f"{relpath}[cell {index}]"
    try:
        python.parse_python(source, name, top_level_await=True)
        return source, []
    except ScanFailure:
        pass
    try:
        _, mended, gaps = python.parse_tolerant(source, name, top_level_await=True)
    except ScanFailure as e:
        blank = "\n" * source.count("\n")
        could = python.may_contain_python(source.encode("utf-8", "surrogatepass"), loose=True)
        return blank, [Gap(e.cause, f"cell {index} {e}; it was left out", None)] if could else []
    return mended, [Gap(g.cause, f"cell {index}: {g.reason}", None) for g in gaps]


class NotebookScanner(Scanner):
    name = "notebook"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith(".ipynb")

    def may_contain(self, data: bytes) -> bool:
        return python.may_contain_python(data, loose=True) or shell.ShellScanner().may_contain(data)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return self.scan_with_notes(relpath, data)[0]

    def scan_with_notes(self, relpath: str, data: bytes) -> tuple[list[ModelReference], list[Gap]]:
        text = decode_text(data, "notebook")
        try:
            nb = json.loads(text)
        except json.JSONDecodeError as e:
            raise ScanFailure(f"not a valid notebook: {e.msg} (line {e.lineno})", "parse", e.lineno) from None
        except RecursionError:
            raise ScanFailure("not a valid notebook: JSON nested too deeply", "budget") from None
        cells = nb.get("cells") if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            raise ScanFailure("not a valid notebook: no 'cells' list (nbformat 4 expected)")
        if len(cells) > _MAX_CELLS:
            raise ScanFailure(f"more than {_MAX_CELLS} cells", "size")

        notes: list[Gap] = []
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
            for n, l in enumerate(_without_prompts(lines), 1):
                code, command = _python_line(l)
                if n == 1 and first.startswith("%%"):
                    code = ""
                cell_py.append(code)
                if command is not None:
                    sh_lines.append(command)
                    sh_map.append((index, n))
            source, gaps = _readable(textwrap.dedent("\n".join(cell_py)) + "\n", relpath, index)
            notes.extend(gaps)
            cell_py = source.split("\n")[:-1]
            py_lines.extend(cell_py)
            py_map.extend((index, n) for n in range(1, len(cell_py) + 1))

        refs: list[ModelReference] = []
        if py_lines:
            source = "\n".join(py_lines) + "\n"
            try:
                tree = python.parse_python(source, relpath, top_level_await=True)
            except ScanFailure:  # cells that parse alone but not together
                tree, source, gaps = python.parse_tolerant(source, relpath, top_level_await=True)
                notes.extend(Gap(g.cause, f"the cells joined: {g.reason}") for g in gaps)
            hot = python.hot_lines(source.encode("utf-8", "surrogatepass"), every_library=True)
            found, more = python.analyse(relpath, tree, py_map, hot=hot, notebook=True)
            refs.extend(found)
            notes.extend(more)
        if sh_lines:
            refs.extend(shell.references(relpath, "\n".join(sh_lines) + "\n", line_map=sh_map))
        return refs, notes

