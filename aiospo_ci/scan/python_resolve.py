"""Resolve a Python expression to the string it stands for, from what the module itself says
(constants, reassignments, f-strings, `+`, `.format`/`%s`, os.environ defaults, argparse
defaults, class and dataclass attributes, os.path/pathlib joins). Never guesses: what cannot be
resolved is UNRESOLVED."""

from __future__ import annotations

import ast
import string
from bisect import bisect_right
from typing import Any

from aiospo_ci.scan import budget
from aiospo_ci.scan.python_module import MAX_DEPTH, ModuleFacts, Scope

_FORMATTER = string.Formatter()


class _Unresolved:
    __slots__ = ()


UNRESOLVED: Any = _Unresolved()


class Value:
    """A resolved value: the constant, whether it is a filesystem path (os.path.join, Path) and
    which environment variable or command-line flag can override it."""

    __slots__ = ("value", "is_path", "overridable_by")

    def __init__(self, value: Any, is_path: bool = False, overridable_by: str | None = None):
        self.value, self.is_path, self.overridable_by = value, is_path, overridable_by




def names_a_path(name: str) -> bool:
    """`output_dir`, `save_path`, `checkpoint_folder`: a variable, option or field named so holds
    a folder on disk, even when its value looks like 'org/name' (`--output_dir out/bert`)."""
    n = name.lower()
    return n.endswith(("_dir", "_dirs", "_directory", "_folder")) or n.startswith(("output", "save_", "out_dir", "outdir"))


def _as_path_if_named_so(name: str, got: Any) -> Any:
    if got is UNRESOLVED or got.is_path or not isinstance(got.value, str) or not names_a_path(name):
        return got
    return Value(got.value, True, got.overridable_by)


def _formattable(got: Any) -> bool:
    """A string, or an int short enough to print (str() of a huge int raises)."""
    if got is UNRESOLVED or isinstance(got.value, bool):
        return False
    return isinstance(got.value, str) or (isinstance(got.value, int) and abs(got.value) < 10**18)


class Resolver:
    """Resolves expressions within a budget: each (expression, scope, line) is worked out once
    (so `a = b + b; b = c + c; ...` costs its length, not two to its length), a string longer
    than VALUE_CHARS is no name and stays unresolved, and after RESOLVE_STEPS resolutions in a
    file everything left is unresolved and `exhausted` says so."""

    def __init__(self, mod: ModuleFacts):
        self.mod = mod
        self.steps = 0
        self.exhausted = False
        self._memo: dict[tuple[int, int, int], tuple[Any, int]] = {}
        self._mutated: frozenset[str] | None = None

    def value(self, expr: ast.expr, scope: Scope, line: int, depth: int = 0) -> Any:
        """A Value, or UNRESOLVED."""
        if depth > MAX_DEPTH:
            return UNRESOLVED
        self.steps += 1
        if self.steps > budget.RESOLVE_STEPS:
            self.exhausted = True
            return UNRESOLVED
        key = (id(expr), id(scope), line)
        seen = self._memo.get(key)
        # an unresolved answer found deeper down may resolve with more hops left: only then again
        if seen is not None and (seen[0] is not UNRESOLVED or depth >= seen[1]):
            return seen[0]
        got = self._value(expr, scope, line, depth)
        if got is not UNRESOLVED and isinstance(got.value, str) and len(got.value) > budget.VALUE_CHARS:
            got = UNRESOLVED
        self._memo[key] = (got, depth)
        return got

    def _value(self, expr: ast.expr, scope: Scope, line: int, depth: int) -> Any:
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, (str, bool, int, float)) or expr.value is None:
                return Value(expr.value)
            return UNRESOLVED
        if isinstance(expr, ast.JoinedStr):
            return self._fstring(expr, scope, line, depth)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.value(expr.left, scope, line, depth + 1)
            right = self.value(expr.right, scope, line, depth + 1)
            if left is UNRESOLVED or right is UNRESOLVED:
                return UNRESOLVED
            if isinstance(left.value, str) and isinstance(right.value, str):
                return Value(left.value + right.value, left.is_path or right.is_path,
                             left.overridable_by or right.overridable_by)
            return UNRESOLVED
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            return self._percent(expr, scope, line, depth)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            # pathlib: Path("models") / "bert"
            left = self.value(expr.left, scope, line, depth + 1)
            right = self.value(expr.right, scope, line, depth + 1)
            if left is not UNRESOLVED and right is not UNRESOLVED and left.is_path and isinstance(right.value, str):
                return Value(f"{left.value.rstrip('/')}/{right.value}", True, left.overridable_by or right.overridable_by)
            return UNRESOLVED
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            # os.environ.get("MODEL") or "org/name"
            overridable = None
            for operand in expr.values:
                env = self._env_name(operand, line)
                if env is not None:
                    got = self.value(operand, scope, line, depth + 1)
                    if got is not UNRESOLVED and got.value:
                        return got
                    overridable = overridable or env
                    continue
                got = self.value(operand, scope, line, depth + 1)
                if got is UNRESOLVED:
                    return UNRESOLVED
                if got.value:
                    return Value(got.value, got.is_path, got.overridable_by or overridable)
            return UNRESOLVED
        if isinstance(expr, ast.Name):
            return _as_path_if_named_so(expr.id, self._name(expr.id, scope, line, depth))
        if isinstance(expr, ast.Attribute):
            return _as_path_if_named_so(expr.attr, self._attribute(expr, scope, line, depth))
        if isinstance(expr, ast.Call):
            return self._call(expr, scope, line, depth)
        if isinstance(expr, ast.Subscript):
            container = self.expr_of(expr.value, scope, line, depth + 1)
            key = self.value(expr.slice, scope, line, depth + 1)
            if isinstance(container, tuple) and isinstance(container[0], ast.Dict) and key is not UNRESOLVED:
                d, dscope = container
                assert isinstance(d, ast.Dict)
                for k, v in zip(d.keys, d.values):
                    if isinstance(k, ast.Constant) and k.value == key.value:
                        return self.value(v, dscope, line, depth + 1)
            return UNRESOLVED
        return UNRESOLVED

    def _fstring(self, expr: ast.JoinedStr, scope: Scope, line: int, depth: int) -> Any:
        parts: list[str] = []
        is_path, overridable = False, None
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
                continue
            if not isinstance(part, ast.FormattedValue) or part.format_spec is not None:
                return UNRESOLVED
            got = self.value(part.value, scope, line, depth + 1)
            if not _formattable(got):
                return UNRESOLVED
            parts.append(str(got.value))
            is_path = is_path or got.is_path
            overridable = overridable or got.overridable_by
        return Value("".join(parts), is_path, overridable)

    def expr_of(self, expr: ast.expr, scope: Scope, line: int, depth: int) -> tuple[ast.expr, Scope] | None:
        """The expression a name stands for (to read a dict literal), following reassignments."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            found = self._lookup(expr.id, scope, line)
            if found is None:
                return None
            value, vscope, vline = found
            if isinstance(value, ast.Name):
                return self.expr_of(value, vscope, vline, depth + 1)
            return value, vscope
        return expr, scope

    def _lookup(self, name: str, scope: Scope, line: int) -> tuple[ast.expr, Scope, int] | None:
        s: Scope | None = scope
        first = True
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent  # class bodies are not enclosing scopes for methods
                continue
            entries = s.assigns.get(name)
            if entries:
                chosen = None
                if first:
                    at = bisect_right(entries, line, key=lambda e: e[0])  # the last one on or before `line`
                    chosen = entries[at - 1] if at else None
                    if chosen is None and s.kind == "module":
                        chosen = entries[-1]
                else:
                    chosen = entries[-1]
                if chosen is not None:
                    return chosen[1], s, chosen[0]
            if name in s.params:
                default = s.params[name]
                if default is None or (isinstance(default, ast.Constant) and default.value is None):
                    # no default, or None: whatever the caller passes (loading None would fail)
                    return None
                return default, s.parent or s, getattr(s.node, "lineno", line)
            first = False
            s = s.parent
        return None

    def _name(self, name: str, scope: Scope, line: int, depth: int) -> Any:
        found = self._lookup(name, scope, line)
        if found is None:
            return UNRESOLVED
        value, vscope, vline = found
        return self.value(value, vscope, vline, depth + 1)

    def _attribute(self, expr: ast.Attribute, scope: Scope, line: int, depth: int) -> Any:
        base, attr = expr.value, expr.attr
        if isinstance(base, ast.Name):
            # argparse: args.model_name -> the add_argument default, overridable by the flag
            if attr in self.mod.argparse and (
                base.id in self.mod.parsed_args or base.id in ("args", "opts", "options", "arguments", "hparams")
            ):
                default, flag = self.mod.argparse[attr]
                got = self.value(default, self.mod.module_scope, line, depth + 1)
                if got is UNRESOLVED:
                    return UNRESOLVED
                return Value(got.value, got.is_path, flag)
            cls_name = None
            if base.id == "self" or base.id == "cls":
                cls_name = self._enclosing_class(scope)
            elif base.id in self.mod.classes:
                cls_name = base.id
            else:
                inst = self.mod._instance(base.id, line)
                if inst is not None and isinstance(inst.func, ast.Name) and inst.func.id in self.mod.classes:
                    for kw in inst.keywords:  # Config(model_name="...") overrides the default
                        if kw.arg == attr:
                            return self.value(kw.value, scope, line, depth + 1)
                    cls_name = inst.func.id
            if cls_name and cls_name in self.mod.classes:
                entries = self.mod.class_attrs(cls_name).get(attr)
                if entries:
                    ln, value, vscope = entries[-1]
                    return self.value(value, vscope, ln, depth + 1)
        return UNRESOLVED

    @staticmethod
    def _enclosing_class(scope: Scope) -> str | None:
        s: Scope | None = scope
        while s is not None:
            if s.class_name:
                return s.class_name
            s = s.parent
        return None

    def _env_name(self, expr: ast.expr, line: int) -> str | None:
        """The variable name of os.environ.get("X"...)/os.getenv("X"...)/os.environ["X"]."""
        if isinstance(expr, ast.Call):
            q = self.mod.qualname(expr.func, line) or ""
            if q in ("os.environ.get", "os.getenv", "os.environ.setdefault", "environ.get", "getenv") and expr.args:
                first = expr.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    return first.value
        if isinstance(expr, ast.Subscript):
            q = self.mod.qualname(expr.value, line) or ""
            if q in ("os.environ", "environ") and isinstance(expr.slice, ast.Constant):
                return str(expr.slice.value)
        return None

    def _call(self, call: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        env = self._env_name(call, line)
        if env is not None:
            default = call.args[1] if len(call.args) > 1 else next(
                (kw.value for kw in call.keywords if kw.arg == "default"), None)
            if default is None:
                return UNRESOLVED
            got = self.value(default, scope, line, depth + 1)
            if got is UNRESOLVED or not isinstance(got.value, str):
                return UNRESOLVED
            return Value(got.value, got.is_path, env)
        q = self.mod.qualname(call.func, line) or ""
        last = q.rsplit(".", 1)[-1]
        if q in ("os.path.join", "posixpath.join", "ntpath.join") or (q.startswith("pathlib.") and last in ("Path", "PurePath", "PosixPath")) or q == "Path":
            parts = [self.value(a, scope, line, depth + 1) for a in call.args]
            if not parts or any(p is UNRESOLVED or not isinstance(p.value, str) for p in parts):
                return UNRESOLVED
            joined = "/".join(p.value.rstrip("/") if i < len(parts) - 1 else p.value for i, p in enumerate(parts))
            return Value(joined, True, next((p.overridable_by for p in parts if p.overridable_by), None))
        if isinstance(call.func, ast.Attribute) and call.func.attr == "format":
            return self._format(call, scope, line, depth)
        if q == "str" and len(call.args) == 1:
            return self.value(call.args[0], scope, line, depth + 1)
        if isinstance(call.func, ast.Attribute) and call.func.attr == "joinpath":
            base = self.value(call.func.value, scope, line, depth + 1)
            parts = [self.value(a, scope, line, depth + 1) for a in call.args]
            if base is UNRESOLVED or not base.is_path or any(p is UNRESOLVED for p in parts):
                return UNRESOLVED
            return Value("/".join([base.value.rstrip("/")] + [str(p.value) for p in parts]), True, base.overridable_by)
        return UNRESOLVED

    def _format(self, call: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        """'{}/{}'.format(org, name) with plain fields only: a format spec could ask for a
        gigabyte of padding, so anything but `{}`, `{0}` and `{name}` stays unresolved."""
        template = self.value(call.func.value, scope, line, depth + 1)  # type: ignore[attr-defined]
        if template is UNRESOLVED or not isinstance(template.value, str):
            return UNRESOLVED
        args = [self.value(a, scope, line, depth + 1) for a in call.args]
        kwargs = {kw.arg: self.value(kw.value, scope, line, depth + 1) for kw in call.keywords if kw.arg}
        parts: list[str] = []
        overridable = template.overridable_by
        auto = 0
        try:
            fields = list(_FORMATTER.parse(template.value))
        except ValueError:
            return UNRESOLVED
        for literal, field, spec, conversion in fields:
            parts.append(literal)
            if field is None:
                continue
            if spec or conversion or any(c in field for c in ".[]"):
                return UNRESOLVED
            if field == "":
                got, auto = (args[auto] if auto < len(args) else UNRESOLVED), auto + 1
            elif field.isdigit():
                got = args[int(field)] if int(field) < len(args) else UNRESOLVED
            else:
                got = kwargs.get(field, UNRESOLVED)
            if not _formattable(got):
                return UNRESOLVED
            parts.append(str(got.value))
            overridable = overridable or got.overridable_by
        return Value("".join(parts), False, overridable)

    def _percent(self, expr: ast.BinOp, scope: Scope, line: int, depth: int) -> Any:
        """'%s/%s' % (org, name) with `%s` only (a width could ask for a gigabyte)."""
        template = self.value(expr.left, scope, line, depth + 1)
        if template is UNRESOLVED or not isinstance(template.value, str):
            return UNRESOLVED
        items = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
        values = [self.value(e, scope, line, depth + 1) for e in items]
        if any(v is UNRESOLVED or not isinstance(v.value, str) for v in values):
            return UNRESOLVED
        pieces = template.value.split("%s")
        if len(pieces) != len(values) + 1 or any("%" in p.replace("%%", "") for p in pieces):
            return UNRESOLVED
        out = pieces[0].replace("%%", "%")
        for v, p in zip(values, pieces[1:]):
            out += v.value + p.replace("%%", "%")
        return Value(out, template.is_path, template.overridable_by or next((v.overridable_by for v in values if v.overridable_by), None))

    def kwargs_of(self, call: ast.Call, scope: Scope, line: int) -> dict[str, tuple[ast.expr, Scope]]:
        """The call's keyword arguments, with `**dict` literals (or names bound to one) spread."""
        out: dict[str, tuple[ast.expr, Scope]] = {}
        for kw in call.keywords:
            if kw.arg is not None:
                out[kw.arg] = (kw.value, scope)
                continue
            for key, value in self._spread(kw.value, scope, line)[0]:
                out.setdefault(key, value)
        return out

    def opaque_spread(self, call: ast.Call, scope: Scope, line: int) -> ast.expr | None:
        """The first `**spread` whose keys the scan cannot all know: not a dict literal or
        `dict(k=v)` with fixed keys (followed through names), or a dict this file changes after
        building it (`kw["x"] = ...`, `kw.update(...)`, `kw |= ...`)."""
        for kw in call.keywords:
            if kw.arg is not None:
                continue
            if isinstance(kw.value, ast.Name) and kw.value.id in self._mutated_names():
                return kw.value
            if not self._spread(kw.value, scope, line)[1]:
                return kw.value
        return None

    def _spread(self, expr: ast.expr, scope: Scope, line: int) -> tuple[list[tuple[str, tuple[ast.expr, Scope]]], bool]:
        """(the keys and values a `**expr` spread is known to pass, whether those are all of them)."""
        found = self.expr_of(expr, scope, line, 0)
        if found is None:
            return [], False
        d, dscope = found
        if isinstance(d, ast.Dict):
            items = [(k.value, (v, dscope)) for k, v in zip(d.keys, d.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            return items, len(items) == len(d.keys)
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "dict":
            items = [(k.arg, (k.value, dscope)) for k in d.keywords if k.arg is not None]
            return items, not d.args and len(items) == len(d.keywords)
        return [], False

    def _mutated_names(self) -> frozenset[str]:
        """Names the file changes in place as a dict: item stores, update/setdefault, |=
        (worked out once per file, the first time a spread asks)."""
        if self._mutated is None:
            names: set[str] = set()
            for node in ast.walk(self.mod.module_scope.node):
                if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) and isinstance(node.value, ast.Name):
                    names.add(node.value.id)
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                      and node.func.attr in ("update", "setdefault", "__setitem__")):
                    names.add(node.func.value.id)
                elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
            self._mutated = frozenset(names)
        return self._mutated


