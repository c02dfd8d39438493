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

# Column-0 lines that continue the statement above: `else:` of a top-level if/for/try, closing
# brackets. Whole words only: `elsewhere = 1` starts a statement of its own.
_CONTINUES = re.compile(rb"(?:else|finally)[ \t]*:|elif\b|except\b|[)\]}]")
_MIN_BYTES = 16 * 1024  # below this a whole parse is as cheap as the bookkeeping
_CLASS_ROUNDS = 3
_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


class _Block:
    __slots__ = ("start", "end", "first", "last", "kind", "name")

    def __init__(self, start: int, end: int, first: int, last: int, kind: str, name: bytes):
        self.start, self.end = start, end  # byte range [start, end)
        self.first, self.last = first, last  # 1-based lines, inclusive
        self.kind, self.name = kind, name


# A line that starts in column 0 with code: where a top-level statement can begin.
_LINE_START = re.compile(rb"\n(?=[^ \t\r\n#\x0c])")


def _blocks(data: bytes) -> list[_Block]:
    starts = [0] + [m.start() + 1 for m in _LINE_START.finditer(data)]
    kept: list[int] = []
    decorating = False
    for pos in starts:
        head = data[pos: pos + 8]
        if kept and _CONTINUES.match(data, pos):
            continue
        if decorating:  # the def/class line after its decorators belongs to the same block
            decorating = head.startswith(b"@")
            continue
        kept.append(pos)
        decorating = head.startswith(b"@")
    blocks: list[_Block] = []
    line = 1
    for i, pos in enumerate(kept):
        end = kept[i + 1] if i + 1 < len(kept) else len(data)
        span = data.count(b"\n", pos, end)
        last = line + span - (1 if span and end < len(data) else 0)
        kind, name = _classify(data, pos, end)
        blocks.append(_Block(pos, end, line, max(line, last), kind, name))
        line += span
    return blocks


def _classify(data: bytes, start: int, end: int) -> tuple[str, bytes]:
    pos = start
    while pos < end and data.startswith(b"@", pos):  # skip decorator lines
        nl = data.find(b"\n", pos, end)
        if nl < 0:
            break
        pos = nl + 1
        while pos < end and data[pos: pos + 1] in (b" ", b"\t", b"\n", b"\r", b"#"):
            nl = data.find(b"\n", pos, end)  # blank, comment or continued decorator lines
            if nl < 0:
                return "simple", b""
            pos = nl + 1
    if data.startswith((b"def ", b"async def "), pos):
        return "def", b""
    if data.startswith(b"class ", pos):
        stop = data.find(b"\n", pos, end)
        header = data[pos + 6: stop if stop >= 0 else end]
        return "class", header.split(b"(")[0].split(b":")[0].strip()
    return "simple", b""


def _hot(hot: list[int], first: int, last: int) -> bool:
    i = bisect_left(hot, first)
    return i < len(hot) and hot[i] <= last


def parse_relevant(data: bytes, filename: str, hot: list[int] | None) -> ast.Module | None:
    """A module holding only the relevant blocks, or None when the file must be parsed whole
    (small, encoded, or a block did not parse on its own)."""
    if hot is None or len(data) < _MIN_BYTES or data.startswith(b"\xef\xbb\xbf"):
        return None
    if any(b"coding" in line for line in data.split(b"\n", 2)[:2]):
        return None
    blocks = _blocks(data)
    chosen = [b.kind == "simple" or _hot(hot, b.first, b.last) for b in blocks]
    if all(chosen):
        return None
    # Classes named in what is parsed: their attributes may be read. A class can name another
    # class; after a few rounds of that, parse the whole file rather than chase the chain.
    for round_ in range(_CLASS_ROUNDS + 1):
        names = set(_IDENTIFIER.findall(b"\n".join(data[b.start: b.end] for b, c in zip(blocks, chosen) if c)))
        added = False
        for i, b in enumerate(blocks):
            if not chosen[i] and b.kind == "class" and b.name in names:
                chosen[i] = added = True
        if not added:
            break
        if round_ == _CLASS_ROUNDS:
            return None
    pieces = [data[b.start: b.end] if c else b"\n" * data.count(b"\n", b.start, b.end) for b, c in zip(blocks, chosen)]
    try:
        tree = compile(b"".join(pieces), filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        return tree if isinstance(tree, ast.Module) else None
    except (SyntaxError, ValueError):
        return None
