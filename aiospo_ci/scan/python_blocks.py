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
import warnings
from bisect import bisect_left
from typing import Any

# Column-0 lines that continue the statement above: `else:` of a top-level if/for/try, closing
# brackets. Whole words only: `elsewhere = 1` starts a statement of its own.
_CONTINUES = re.compile(rb"(?:else|finally)[ \t]*:|elif\b|except\b|[)\]}]")
_MIN_BYTES = 16 * 1024  # below this a whole parse is as cheap as the bookkeeping
_CLASS_ROUNDS = 3
# A name a parsed block uses; one right after a quote is a string's content (`__all__ = ["Cls"]`).
_IDENTIFIER = re.compile(rb"(?<![\w\"'])[A-Za-z_][A-Za-z0-9_]*")


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


def parse_ast(source: Any, filename: str, flags: int = 0) -> Any:
    """compile() to an AST, with the warnings the parser emits about the scanned code (invalid
    escape sequences, `is` with a literal) silenced: they are the code's, not the run's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(source, filename, "exec", ast.PyCF_ONLY_AST | flags, dont_inherit=True)


def _hot(hot: list[int], first: int, last: int) -> bool:
    i = bisect_left(hot, first)
    return i < len(hot) and hot[i] <= last


_TRIM_BYTES = 8 * 1024  # a class this large keeps only the methods that matter
_SELF_ATTR = re.compile(rb"self\.([A-Za-z_]\w*)")
_KEEP_METHODS = (b"__init__", b"__post_init__", b"__new__", b"setup")


def _trim_class(data: bytes, block: _Block, hot: list[int]) -> bytes:
    """A large class with its methods that cannot matter blanked (lines kept): a method stays
    when a marker sits in it, when it sets up the instance (`__init__`, ...), or when it assigns
    a `self.` attribute the kept methods read; class-level statements always stay. A wrong cut
    (inside a string) leaves a syntax error, and the caller parses the whole file instead."""
    text = data[block.start: block.end]
    lines = text.split(b"\n")
    header = next((i for i, line in enumerate(lines) if line.split(b"#", 1)[0].rstrip().endswith(b":")), None)
    if header is None:
        return text
    body = [i for i in range(header + 1, len(lines)) if lines[i].strip() and not lines[i].lstrip().startswith(b"#")]
    if not body:
        return text
    indent = lines[body[0]][: len(lines[body[0]]) - len(lines[body[0]].lstrip())]
    if not indent:
        return text
    # members: (first line, kind, name)
    starts: list[tuple[int, bytes, bytes]] = []
    decorating = False
    for i in body:
        line = lines[i]
        if not line.startswith(indent) or line[len(indent): len(indent) + 1] in (b" ", b"\t"):
            continue
        rest = line[len(indent):]
        if starts and _CONTINUES.match(rest):
            continue
        if decorating:
            decorating = rest.startswith(b"@")
            if rest.startswith((b"def ", b"async def ")):
                first, _, _ = starts[-1]
                starts[-1] = (first, b"def", rest.split(b"(")[0].split()[-1])
            continue
        if rest.startswith(b"@"):
            starts.append((i, b"def", b""))
            decorating = True
        elif rest.startswith((b"def ", b"async def ")):
            starts.append((i, b"def", rest.split(b"(")[0].split()[-1]))
        else:
            starts.append((i, b"other", b""))
    members = [(first, starts[n + 1][0] if n + 1 < len(starts) else len(lines), kind, name)
               for n, (first, kind, name) in enumerate(starts)]
    first_line = block.first
    keep = [kind != b"def" or name in _KEEP_METHODS or _hot(hot, first_line + a, first_line + z - 1)
            for a, z, kind, name in members]
    read = set(_SELF_ATTR.findall(b"\n".join(b"\n".join(lines[a:z]) for (a, z, _, _), k in zip(members, keep) if k)))
    if read:
        assigns = re.compile(rb"self\.(?:" + b"|".join(re.escape(attr) for attr in sorted(read)) + rb")\b\s*(?::[^=\n]*)?=(?!=)")
        for n, (a, z, _, _) in enumerate(members):
            if not keep[n] and assigns.search(b"\n".join(lines[a:z])):
                keep[n] = True
    if all(keep):
        return text
    for (a, z, _, _), k in zip(members, keep):
        if not k:
            for i in range(a, z):
                lines[i] = b""
    return b"\n".join(lines)


def parse_relevant(data: bytes, filename: str, hot: list[int] | None) -> ast.Module | None:
    """A module holding only the relevant blocks, or None when the file must be parsed whole
    (small, encoded, or a block did not parse on its own)."""
    if hot is None or len(data) < _MIN_BYTES or data.startswith(b"\xef\xbb\xbf"):
        return None
    if any(b"coding" in line for line in data.split(b"\n", 2)[:2]):
        return None
    blocks = _blocks(data)
    chosen = [b.kind == "simple" or _hot(hot, b.first, b.last) for b in blocks]
    if all(chosen) and not any(b.kind == "class" and b.end - b.start > _TRIM_BYTES for b in blocks):
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
    pieces = [(_trim_class(data, b, hot) if b.kind == "class" and b.end - b.start > _TRIM_BYTES else data[b.start: b.end])
              if c else b"\n" * data.count(b"\n", b.start, b.end) for b, c in zip(blocks, chosen)]
    try:
        tree = parse_ast(b"".join(pieces), filename)
        return tree if isinstance(tree, ast.Module) else None
    except (SyntaxError, ValueError):
        return None


# -- reading what can be read: a file the interpreter cannot parse as a whole ------------------
# Python 2 prints, newer syntax than the running interpreter, a stray error, doctest prompts in a
# notebook cell: each top-level statement is parsed on its own, a line that fails is replaced by
# `pass` (its indentation kept) and the statement parsed again, and a statement that still fails
# is left out whole. What was left out is reported, so nothing is lost in silence.

_MAX_REPAIRS_PER_BLOCK = 25
_MAX_REPAIRS = 400
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTINUES_TEXT = re.compile(r"(?:else|finally)[ \t]*:|elif\b|except\b|[)\]}]")


class Repaired:
    """Source lines (line ends kept, as many as the input had) in which every line that did not
    parse is replaced, with the numbers of those lines and the parser's first complaint."""

    __slots__ = ("lines", "unread", "message", "message_line")

    def __init__(self, lines: list[str], unread: list[int], message: str | None, message_line: int | None):
        self.lines, self.unread, self.message, self.message_line = lines, unread, message, message_line


def split_lines(text: str) -> list[str]:
    """Lines as the parser counts them (\\n, \\r\\n and \\r end a line), each with its end."""
    out: list[str] = []
    start = 0
    for m in _LINE_BREAK.finditer(text):
        out.append(text[start: m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


# A line starting so is a statement even inside brackets that seem open: an unclosed bracket
# above is the likelier story. (`name = value` with spaces: a keyword argument is `name=value`.)
_STATEMENT_KEYWORD = re.compile(r"(?:def|class|import|from|async|if|for|while|with|try|return)\b|@"
                                r"|[A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:\s*:[^=\n]+)?\s+(?:[-+*/%&|^@]|//|\*\*|>>|<<)?=\s")


def _continued_lines(text: str) -> tuple[set[int], set[int]]:
    """(lines inside a multi-line string, lines inside brackets), as far as the tokenizer gets: a
    statement does not start there."""
    import io
    import tokenize

    in_string: set[int] = set()
    in_brackets: set[int] = set()
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                in_string.update(range(tok.start[0] + 1, tok.end[0] + 1))
            elif tok.type == tokenize.OP:
                if tok.string in "([{":
                    depth += 1
                elif tok.string in ")]}":
                    depth = max(0, depth - 1)
            elif tok.type == tokenize.NL and depth > 0:
                in_brackets.add(tok.start[0] + 1)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # the rest of the file falls back to the column-0 rule alone
    return in_string, in_brackets


def _statement_starts(lines: list[str], continued: tuple[set[int], set[int]]) -> list[int]:
    """0-based indexes of the lines where a top-level statement (with its decorators) starts."""
    in_string, in_brackets = continued
    starts: list[int] = []
    decorating = False
    for i, line in enumerate(lines):
        if not line or line[0] in " \t#\x0c\r\n" or (i + 1) in in_string:
            continue
        if (i + 1) in in_brackets and not _STATEMENT_KEYWORD.match(line):
            continue
        if starts and _CONTINUES_TEXT.match(line):
            continue
        if decorating:
            decorating = line.startswith("@")
            continue
        starts.append(i)
        decorating = line.startswith("@")
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def _replacement(line: str, dedent: bool) -> str:
    end = line[len(line.rstrip("\r\n")):]
    body = line.rstrip("\r\n")
    stripped = body.lstrip()
    indent = "" if dedent else body[: len(body) - len(stripped)]
    return f"{indent}pass{end or chr(10)}"


def _blank(line: str) -> str:
    return line[len(line.rstrip("\r\n")):] or "\n"


def repair(text: str, filename: str, flags: int = 0) -> Repaired:
    """`text` with each line that keeps a top-level statement from parsing replaced by `pass`,
    and each statement that cannot be mended blanked (bounded: a few hundred attempts)."""
    lines = split_lines(text)
    starts = _statement_starts(lines, _continued_lines(text))
    unread: set[int] = set()
    message: str | None = None
    message_line: int | None = None
    attempts = 0
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        block = lines[start:end]
        repaired_here: set[int] = set()
        while True:
            try:
                parse_ast("".join(block), filename, flags)
                break
            except SyntaxError as e:
                if message is None:
                    message = e.msg
                    message_line = start + (e.lineno or 1)
                at = (e.lineno or 0) - 1
                attempts += 1
                if (at < 0 or at >= len(block) or at in repaired_here or len(repaired_here) >= _MAX_REPAIRS_PER_BLOCK
                        or attempts > _MAX_REPAIRS):
                    block = [_blank(line) for line in block]
                    unread.update(range(start + 1, end + 1))
                    break
                repaired_here.add(at)
                unindent = isinstance(e, IndentationError) and "unexpected indent" in (e.msg or "")
                block[at] = _replacement(block[at], unindent and at == 0)
                unread.add(start + at + 1)
            except (ValueError, RecursionError, MemoryError) as e:  # null bytes, nesting
                if message is None:
                    message = "nested too deeply to parse" if not isinstance(e, ValueError) else str(e)
                    message_line = start + 1
                block = [_blank(line) for line in block]
                unread.update(range(start + 1, end + 1))
                break
        lines[start:end] = block
    return Repaired(lines, sorted(unread), message, message_line)


def line_ranges(numbers: list[int]) -> str:
    """[2, 3, 4, 9] -> '2-4, 9' (sorted input)."""
    spans: list[tuple[int, int]] = []
    for n in numbers:
        if spans and spans[-1][1] == n - 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return text if len(text) <= 120 else text[:117] + "..."
