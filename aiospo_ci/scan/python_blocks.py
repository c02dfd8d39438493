"""Parse only the parts of a Python file that matter: the scan's main cost is `ast.parse`.

A file is cut into top-level blocks at lines that start in column 0 (a `def`, a `class`, an
import, an assignment, ...). Module-level statements are always parsed (imports and constants
live there); a function only when one of its lines holds a call-site marker; a class when it holds
a marker or when its name appears in what is parsed already (its attributes may be read through
`cfg.model_name`). Line numbers stay true: the lines of the blocks left out are blanked, and what remains is parsed once.

The cut is a guess made on raw lines, and a wrong guess cannot pass unnoticed: a cut inside a
string or brackets leaves an unterminated string or bracket, which is a syntax error, and any
syntax error makes the caller parse the whole file instead. Files with an encoding declaration or
a byte-order mark are always parsed whole.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from typing import Optional

_CONTINUES = (b"else", b"elif", b"except", b"finally", b"case", b")", b"]", b"}")
_MIN_BYTES = 16 * 1024  # below this a whole parse is as cheap as the bookkeeping
_CLASS_ROUNDS = 3
_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


class _Block:
    __slots__ = ("start", "end", "kind", "name")

    def __init__(self, start: int, end: int, kind: str, name: bytes):
        self.start, self.end, self.kind, self.name = start, end, kind, name  # 1-based lines, end inclusive


def _blocks(lines: list[bytes]) -> list[_Block]:
    blocks: list[_Block] = []
    start = 0
    decorating = False
    for i, line in enumerate(lines):
        first = line[:1]
        if not first or first in b" \t\r#\x0c":
            continue
        if line.startswith(_CONTINUES) and i:
            continue
        if decorating:  # the def/class line after its decorators belongs to the same block
            decorating = line.startswith(b"@")
            continue
        if i:
            blocks.append(_classify(lines, start, i))
        start = i
        decorating = line.startswith(b"@")
    blocks.append(_classify(lines, start, len(lines)))
    return blocks


def _classify(lines: list[bytes], start: int, stop: int) -> _Block:
    for line in lines[start:stop]:
        if line.startswith(b"@") or not line.strip() or line.startswith(b"#"):
            continue
        if line.startswith((b"def ", b"async def ")):
            return _Block(start + 1, stop, "def", b"")
        if line.startswith(b"class "):
            name = line[6:].split(b"(")[0].split(b":")[0].strip()
            return _Block(start + 1, stop, "class", name)
        break
    return _Block(start + 1, stop, "simple", b"")


def _hot(hot: list[int], first: int, last: int) -> bool:
    i = bisect_left(hot, first)
    return i < len(hot) and hot[i] <= last


def parse_relevant(data: bytes, filename: str, hot: Optional[list[int]]) -> Optional[ast.Module]:
    """A module holding only the relevant blocks, or None when the file must be parsed whole
    (small, encoded, or a block did not parse on its own)."""
    if hot is None or len(data) < _MIN_BYTES or data.startswith(b"\xef\xbb\xbf"):
        return None
    lines = data.split(b"\n")
    if any(b"coding" in line for line in lines[:2]):
        return None
    blocks = _blocks(lines)
    chosen = [b.kind == "simple" or _hot(hot, b.start, b.end) for b in blocks]
    if all(chosen):
        return None
    # Classes named in what is parsed: their attributes may be read. A class can name another
    # class; after a few rounds of that, parse the whole file rather than chase the chain.
    for round_ in range(_CLASS_ROUNDS + 1):
        text = b"\n".join(b"\n".join(lines[b.start - 1: b.end]) for b, c in zip(blocks, chosen) if c)
        names = set(_IDENTIFIER.findall(text))
        added = False
        for i, b in enumerate(blocks):
            if not chosen[i] and b.kind == "class" and b.name in names:
                chosen[i] = added = True
        if not added:
            break
        if round_ == _CLASS_ROUNDS:
            return None
    for b, c in zip(blocks, chosen):
        if not c:
            lines[b.start - 1: b.end] = [b""] * (b.end - b.start + 1)
    try:
        return compile(b"\n".join(lines), filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
