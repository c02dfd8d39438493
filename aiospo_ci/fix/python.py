"""Python loader calls, rewritten with libcst's concrete syntax tree: comments, quotes, line
breaks and trailing commas are kept; only the argument an edit names changes.

A reference is placed (line, column) on the expression that names the model, so the call an
edit targets is the one with an argument starting exactly there.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from aiospo_ci.fix.interface import Edit, FileFix, FileFixer, Skipped


class PythonFixer(FileFixer):
    def handles(self, relpath: str) -> bool:
        return relpath.endswith((".py", ".pyw", ".pyi"))

    def fix(self, text: str, edits: Sequence[Edit]) -> FileFix:
        import libcst as cst
        from libcst.metadata import MetadataWrapper

        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            return FileFix(text, skipped=tuple(Skipped(e, f"the file does not parse ({exc.message})") for e in edits))
        transformer = _call_editor(edits, text.splitlines())
        new = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer).code
        if new != text:
            ast.parse(new)  # the rewrite is libcst's own output; a failure here is a bug, never silence
        applied = tuple(e for e in edits if e in transformer.applied)
        skipped = tuple(transformer.skipped) + tuple(
            Skipped(e, "no call with the model argument at this place") for e in edits if e not in transformer.applied and e not in transformer.reasoned
        )
        return FileFix(new, applied=applied, skipped=skipped)


def _make_editor():
    import libcst as cst
    from libcst.metadata import PositionProvider

    class CallEditor(cst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self, edits: Sequence[Edit], lines: list[str]) -> None:
            super().__init__()
            self.edits = list(edits)
            self.lines = lines
            self.applied: list[Edit] = []
            self.skipped: list[Skipped] = []
            self.reasoned: set[Edit] = set()

        def _targets(self, call: cst.Call) -> list[Edit]:
            starts = set()
            for arg in call.args:
                pos = self.get_metadata(PositionProvider, arg.value).start
                # the scanner counts columns in UTF-8 bytes (Python's ast), libcst in characters
                prefix = self.lines[pos.line - 1][: pos.column] if pos.line <= len(self.lines) else ""
                starts.add((pos.line, len(prefix.encode("utf-8")) + 1))
            return [e for e in self.edits if (e.line, e.column) in starts and e not in self.applied and e not in self.reasoned]

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            mine = self._targets(original)
            if not mine:
                return updated
            args = list(updated.args)
            # removals first, so an appended argument takes its separator from what remains
            for edit in sorted(mine, key=lambda e: e.action != "drop_trust_remote_code"):
                outcome = _apply(edit, args, updated.whitespace_before_args)
                if isinstance(outcome, str):
                    self.skipped.append(Skipped(edit, outcome))
                    self.reasoned.add(edit)
                else:
                    args = outcome
                    self.applied.append(edit)
            return updated.with_changes(args=args)

    return CallEditor


def _call_editor(edits: Sequence[Edit], lines: list[str]):
    """The transformer, its class built on first use so libcst loads only when fixing."""
    return _make_editor()(edits, lines)


def _keyword(args, name: str) -> int | None:
    return next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == name), None)


def _apply(edit: Edit, args: list, opening):
    """The new argument list, or the reason the edit cannot be made. `opening`: the whitespace
    after the call's parenthesis."""
    import libcst as cst

    if edit.action == "drop_trust_remote_code":
        i = _keyword(args, "trust_remote_code")
        if i is None or not (isinstance(args[i].value, cst.Name) and args[i].value.value == "True"):
            return "trust_remote_code is not the literal True here"
        if i > 0:
            args[i - 1] = args[i - 1].with_changes(comma=_joined(args[i - 1].comma, args[i].comma))
        return args[:i] + args[i + 1 :]
    if edit.action == "use_safetensors":
        i = _keyword(args, "use_safetensors")
        if i is None or not (isinstance(args[i].value, cst.Name) and args[i].value.value == "False"):
            return "use_safetensors is not the literal False here"
        args[i] = args[i].with_changes(value=cst.Name("True"))
        return args
    # pin
    i = _keyword(args, edit.revision_keyword)
    if i is not None:
        value = args[i].value
        if not isinstance(value, cst.SimpleString):
            return f"{edit.revision_keyword}= is an expression, not a string: pin the value it comes from"
        quote = value.quote
        args[i] = args[i].with_changes(value=cst.SimpleString(f"{value.prefix}{quote}{edit.sha}{quote}"))
        return args
    if any(a.star == "**" for a in args):
        return f"the call passes **kwargs, which may hold {edit.revision_keyword}: add it there"
    new = cst.Arg(
        keyword=cst.Name(edit.revision_keyword),
        value=cst.SimpleString(f'"{edit.sha}"'),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    return _append(args, new, opening)


def _joined(before, removed):
    """The comma an argument gets when the one after it is removed: the removed one's (what came
    next follows it now), keeping the comment on the argument's own line."""
    import libcst as cst

    if (
        isinstance(before, cst.Comma)
        and isinstance(removed, cst.Comma)
        and isinstance(before.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(removed.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        return removed.with_changes(whitespace_after=removed.whitespace_after.with_changes(first_line=before.whitespace_after.first_line))
    return removed


def _append(args: list, new, opening):
    """Add an argument after the last one in the call's own layout: a multi-line call gets a new
    line like its other arguments, a trailing comma stays trailing."""
    import libcst as cst

    if not args:
        return [new]
    last = args[-1]
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        separator = args[-2].comma
    elif isinstance(opening, cst.ParenthesizedWhitespace):
        # one argument on its own line: the next goes on a line like it
        separator = cst.Comma(whitespace_after=opening)
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(separator.whitespace_after, cst.ParenthesizedWhitespace):
        # a line break after the comma, without the comment that belongs to the argument before
        separator = separator.with_changes(whitespace_after=separator.whitespace_after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[]))
    # what followed the last argument (a trailing comma, the line break before `)`) follows the
    # new one; a comment on the last argument's line stays on that line
    trailing = last.comma
    if isinstance(trailing, cst.Comma) and isinstance(trailing.whitespace_after, cst.ParenthesizedWhitespace):
        if isinstance(separator.whitespace_after, cst.ParenthesizedWhitespace):
            separator = separator.with_changes(whitespace_after=separator.whitespace_after.with_changes(first_line=trailing.whitespace_after.first_line))
        trailing = trailing.with_changes(whitespace_after=trailing.whitespace_after.with_changes(first_line=cst.TrailingWhitespace()))
    new = new.with_changes(comma=trailing, whitespace_after_arg=last.whitespace_after_arg)
    return args[:-1] + [last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace("")), new]

