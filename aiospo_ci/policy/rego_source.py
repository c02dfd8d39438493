"""A light reading of Rego source for the load-time checks: where the comments and strings
are, the package, the imports, the rule heads and the builtin calls, each with its line.

Not a parser: the engines parse (and refuse what does not compile). This finds the
constructs an engine would accept and then evaluate silently wrong, by their shape in
source whose comments and string contents are blanked (offsets and lines are kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class StringLiteral:
    start: int  # offset of the opening quote
    value: str  # the text between the quotes, escapes as written
    raw: bool  # a `raw string`


@dataclass(frozen=True)
class RuleHead:
    name: str  # the first term of the head: `findings` of `findings contains ...`
    start: int
    text: str  # the head up to `if`, `{` or the end of the line


_PACKAGE = re.compile(r"^[ \t]*package[ \t]+([^\s#]+)", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([A-Za-z_][\w.]*(?:\[[^\]\n]*\])*)(?:[ \t]+as[ \t]+([A-Za-z_]\w*))?", re.MULTILINE)
# A rule head starts at column 0 (the library's and opa fmt's layout; indented heads are
# unusual enough to ignore): `name`, `name(args)`, `name[key]`, `name.x`, `default name`.
_HEAD = re.compile(r"^(?:default[ \t]+)?([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*|\[[^\]\n]*\]|\([^)\n]*\))*)([^\n]*)", re.MULTILINE)
_KEYWORDS = frozenset({"package", "import", "default", "if", "else", "some", "every", "in", "contains", "not", "with", "as", "true", "false", "null"})
# A call: a name or dotted name followed by '(' (not preceded by a dot or a word character).
_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\(")


class RegoSource:
    """One module's source, with comments and string contents blanked for pattern matching."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def where(self, offset: int) -> str:
        return f"{self.name}:{self.line_of(offset)}"

    @cached_property
    def _scanned(self) -> tuple[str, tuple[StringLiteral, ...]]:
        """(code, strings): code is the text with comments and the insides of strings replaced
        by spaces (newlines kept, so offsets and lines match the source)."""
        text = self.text
        out = list(text)
        strings: list[StringLiteral] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == "#":
                end = text.find("\n", i)
                end = n if end < 0 else end
                for j in range(i, end):
                    out[j] = " "
                i = end
            elif ch == '"':
                j = i + 1
                while j < n and text[j] != '"' and text[j] != "\n":
                    j += 2 if text[j] == "\\" else 1
                strings.append(StringLiteral(i, text[i + 1 : j], raw=False))
                for k in range(i + 1, min(j, n)):
                    out[k] = " "
                i = j + 1
            elif ch == "`":
                j = text.find("`", i + 1)
                j = n if j < 0 else j
                strings.append(StringLiteral(i, text[i + 1 : j], raw=True))
                for k in range(i + 1, j):
                    if out[k] != "\n":
                        out[k] = " "
                i = j + 1
            else:
                i += 1
        return "".join(out), tuple(strings)

    @property
    def code(self) -> str:
        return self._scanned[0]

    @property
    def strings(self) -> tuple[StringLiteral, ...]:
        return self._scanned[1]

    @cached_property
    def package(self) -> tuple[str, int] | None:
        """(package path without `data.`, offset), or None for a module without one."""
        match = _PACKAGE.search(self.code)
        if not match:
            return None
        return match.group(1), match.start(1)

    @cached_property
    def imports(self) -> dict[str, str]:
        """alias -> imported path (`lib` -> `data.aiospo.lib`)."""
        aliases = {}
        for match in _IMPORT.finditer(self.code):
            path, alias = match.group(1), match.group(2)
            aliases[alias or re.split(r"[.\[]", path)[-1]] = path
        return aliases

    @cached_property
    def heads(self) -> tuple[RuleHead, ...]:
        found = []
        for match in _HEAD.finditer(self.code):
            name = match.group(1)
            if name in _KEYWORDS:
                continue
            text = match.group(0)
            cut = re.search(r"\bif\b|\{", text)
            found.append(RuleHead(name=name, start=match.start(), text=(text[: cut.start()] if cut else text).rstrip()))
        return tuple(found)

    @cached_property
    def defined(self) -> frozenset[str]:
        """The names this module defines as rules or functions."""
        return frozenset(h.name for h in self.heads)

    def calls(self) -> list[tuple[str, int]]:
        """(called name, offset) for every call in the code, rule heads (definitions) excluded."""
        head_starts = {h.start for h in self.heads}
        found = []
        for match in _CALL.finditer(self.code):
            if match.start() in head_starts:
                continue
            found.append((match.group(1), match.start()))
        return found

    def call_span(self, call_offset: int) -> tuple[int, int]:
        """(start, end) offsets of a call's arguments, inside its parentheses."""
        code = self.code
        start = code.find("(", call_offset)
        depth = 0
        for i in range(start, len(code)):
            if code[i] in "([{":
                depth += 1
            elif code[i] in ")]}":
                depth -= 1
                if depth == 0:
                    return start + 1, i
        return start + 1, len(code)

    def string_arguments(self, call_offset: int) -> list[StringLiteral]:
        """The string literals among (or inside) a call's arguments."""
        start, end = self.call_span(call_offset)
        return [s for s in self.strings if start <= s.start < end]

    def arguments_start_with(self, call_offset: int, prefix: str) -> bool:
        start, end = self.call_span(call_offset)
        return self.code[start:end].lstrip().startswith(prefix)
