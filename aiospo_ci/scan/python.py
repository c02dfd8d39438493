"""Python files: the calls of python_apis.py found in the AST, their arguments resolved.

The file is parsed with ``ast`` and never imported or run. Values are resolved from what the
file itself says: constants (module, function, class), simple reassignments, f-strings and
``+`` of known parts, ``os.environ.get``/``os.getenv`` defaults (overridable: flagged), argparse
``default=`` (overridable), dataclass/pydantic field defaults, ``**dict`` keyword arguments and
import aliases. What cannot be resolved is reported with source 'unresolved' and the expression
as its id: never dropped, never guessed.
"""

from __future__ import annotations

import ast
import re
import string
from bisect import bisect_left
from typing import Any, Iterator, Optional

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import hubid
from aiospo_ci.scan.interface import Scanner, ScanFailure
from aiospo_ci.scan.python_apis import PICKLE_MODEL_SUFFIXES, Api, ApiIndex, call_markers, may_reference

_CALL_MARKERS = call_markers()
_INDEX: Optional[ApiIndex] = None
_MAX_DEPTH = 24  # resolution hops (a = b; b = c; ...): cycles end here
_MAX_EXPR_TEXT = 200
_FORMATTER = string.Formatter()
# Class methods that build an instance of their class: `pipe = X.from_pretrained(...)` is an X.
_FACTORIES = frozenset({"from_pretrained", "from_single_file", "from_config", "from_model_id", "from_pipe"})


def _is_hot(hot: Optional[list[int]], first: int, last: int) -> bool:
    """Whether a marker sits on a line in [first, last] (hot None: every line is)."""
    if hot is None:
        return True
    i = bisect_left(hot, first)
    return i < len(hot) and hot[i] <= last


def hot_lines(source: bytes) -> Optional[list[int]]:
    """The sorted line numbers holding a call-site marker (python_apis.call_markers)."""
    if b"\r" in source and source.count(b"\r") != source.count(b"\r\n"):
        return None  # old Mac line ends: count lines as the parser does, by walking everything
    found: list[int] = []
    for marker in _CALL_MARKERS:
        i = source.find(marker)
        while i >= 0:
            found.append(i)
            i = source.find(marker, i + 1)
    lines: list[int] = []
    line, at = 1, 0
    for i in sorted(found):
        line += source.count(b"\n", at, i)
        at = i
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _index() -> ApiIndex:
    global _INDEX
    if _INDEX is None:
        _INDEX = ApiIndex()
    return _INDEX


class _Unresolved:
    __slots__ = ()


UNRESOLVED: Any = _Unresolved()


class Value:
    """A resolved value: the constant, whether it is a filesystem path (os.path.join, Path) and
    which environment variable or command-line flag can override it."""

    __slots__ = ("value", "is_path", "overridable_by")

    def __init__(self, value: Any, is_path: bool = False, overridable_by: Optional[str] = None):
        self.value, self.is_path, self.overridable_by = value, is_path, overridable_by


def parse_python(data: bytes | str, filename: str, *, top_level_await: bool = False) -> ast.Module:
    """ast.parse that turns every way of failing into ScanFailure with one sentence."""
    flags = ast.PyCF_ONLY_AST | (ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0)
    try:
        return compile(data, filename, "exec", flags, dont_inherit=True)
    except SyntaxError as e:
        where = f" (line {e.lineno})" if e.lineno else ""
        raise ScanFailure(f"not valid Python 3: {e.msg}{where}") from None
    except (ValueError, UnicodeDecodeError, LookupError) as e:  # null bytes, bad encoding cookie
        raise ScanFailure(f"cannot be read as Python source: {e}") from None
    except (RecursionError, MemoryError):
        raise ScanFailure("nested too deeply to parse") from None


class _Scope:
    """Names assigned in one function, class or module body."""

    __slots__ = ("node", "kind", "assigns", "params", "parent", "class_name")

    def __init__(self, node: ast.AST, kind: str, parent: Optional["_Scope"], class_name: Optional[str] = None):
        self.node, self.kind, self.parent, self.class_name = node, kind, parent, class_name
        self.assigns: dict[str, list[tuple[int, ast.expr, "_Scope"]]] = {}
        self.params: dict[str, Optional[ast.expr]] = {}


class _ClassInfo:
    __slots__ = ("attrs", "complete")

    def __init__(self) -> None:
        self.complete = False
        self.attrs: dict[str, list[tuple[int, ast.expr, _Scope]]] = {}


def _field_default(value: ast.expr) -> ast.expr:
    """dataclasses.field(default=X) / pydantic.Field(X) / Field(default=X) -> X."""
    if isinstance(value, ast.Call):
        fn = value.func
        name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
        if name in ("field", "Field"):
            for kw in value.keywords:
                if kw.arg == "default":
                    return kw.value
            if name == "Field" and value.args:
                return value.args[0]
    return value


class _Module:
    """Everything the file says once: imports, scopes, classes, instances, argparse defaults."""

    def __init__(self, tree: ast.Module, hot: Optional[list[int]] = None):
        self.aliases: dict[str, str] = {}
        self.instances: dict[str, list[tuple[int, ast.Call]]] = {}
        self.classes: dict[str, _ClassInfo] = {}
        self.argparse: dict[str, tuple[ast.expr, str]] = {}
        self.parsed_args: set[str] = set()
        self.scope_of: dict[int, _Scope] = {}
        self.calls: list[tuple[ast.Call, _Scope]] = []
        self.with_open: dict[str, ast.expr] = {}
        self.module_scope = _Scope(tree, "module", None)
        self._scopes: list[_Scope] = [self.module_scope]
        self.class_nodes: dict[str, tuple[ast.ClassDef, _Scope]] = {}
        self._walked: set[int] = set()
        self._completed_walked = False
        self._collect(tree, hot)
        self._sort()

    def _sort(self) -> None:
        """The walk is depth-first, not in source order: put every history in line order."""
        for scope in self._scopes:
            for entries in scope.assigns.values():
                entries.sort(key=lambda e: e[0])
        for info in self.classes.values():
            for entries in info.attrs.values():
                entries.sort(key=lambda e: e[0])
        for seen in self.instances.values():
            seen.sort(key=lambda e: e[0])

    # -- pass 1: statements only; expressions only on lines that can hold a reference --------------
    def _collect(self, tree: ast.Module, hot: Optional[list[int]]) -> None:
        """Walk the statements (for scopes, imports and assignments) but look inside the
        expressions of a statement only when one of its lines holds a marker, and skip functions
        and classes with no marker at all (classes are read later, on demand, when a value names
        one of their attributes): walking every node of a big file costs more than parsing it."""
        self._hot = hot
        self._walk_body(tree.body, self.module_scope, hot, True)

    def _walk_body(self, body: list[ast.stmt], scope: _Scope, hot: Optional[list[int]], with_calls: bool) -> None:
        stack: list[tuple[list[ast.stmt], _Scope]] = [(body, scope)]
        while stack:
            body, scope = stack.pop()
            for st in body:
                if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if id(st) in self._walked:
                        continue
                    first = st.decorator_list[0].lineno if st.decorator_list else st.lineno
                    if not _is_hot(hot, first, getattr(st, "end_lineno", None) or st.lineno):
                        continue  # no marker in it: nothing to find, nothing another value needs
                    self._walked.add(id(st))
                    fscope = _Scope(st, "function", scope, scope.class_name if scope.kind == "class" else None)
                    self._params(st, fscope)
                    self._scopes.append(fscope)
                    if with_calls:
                        self._header(st, scope, hot, ("decorator_list", "args", "returns"))
                    stack.append((st.body, fscope))
                    continue
                if isinstance(st, ast.ClassDef):
                    self.classes.setdefault(st.name, _ClassInfo())
                    self.class_nodes.setdefault(st.name, (st, scope))
                    first = st.decorator_list[0].lineno if st.decorator_list else st.lineno
                    if not _is_hot(hot, first, getattr(st, "end_lineno", None) or st.lineno):
                        continue  # read on demand by class_attrs()
                    if id(st) in self._walked:
                        continue
                    self._walked.add(id(st))
                    cscope = _Scope(st, "class", scope, st.name)
                    self._scopes.append(cscope)
                    if with_calls:
                        self._header(st, scope, hot, ("decorator_list", "bases", "keywords"))
                    stack.append((st.body, cscope))
                    continue
                self._note(st, scope)
                nested = False
                for name in ("body", "orelse", "finalbody"):
                    block = getattr(st, name, None)
                    if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                        stack.append((block, scope))
                        nested = True
                for handler in getattr(st, "handlers", ()) or ():
                    stack.append((handler.body, scope))
                    nested = True
                for case in getattr(st, "cases", ()) or ():
                    stack.append((case.body, scope))
                    nested = True
                if not with_calls:
                    continue
                if nested:
                    self._header(st, scope, hot, None)
                elif _is_hot(hot, st.lineno, getattr(st, "end_lineno", None) or st.lineno):
                    self._walk_calls(st, scope)

    def class_attrs(self, name: str) -> dict[str, list[tuple[int, ast.expr, "_Scope"]]]:
        """A class's attributes (class body and `self.x =` in every method), read the first time
        a value needs them."""
        info = self.classes[name]
        if not info.complete and name in self.class_nodes:
            info.complete = True
            node, parent = self.class_nodes[name]
            if id(node) in self._walked:  # walked for its calls: add the methods skipped then
                cscope = next(s for s in self._scopes if s.node is node)
                self._walk_body([st for st in node.body if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef))],
                                cscope, None, False)
            else:
                self._walked.add(id(node))
                cscope = _Scope(node, "class", parent, node.name)
                self._scopes.append(cscope)
                self._walk_body(node.body, cscope, None, False)
            self._sort()
        return info.attrs

    def complete_walked_classes(self) -> None:
        """Methods skipped in classes that were walked may set `self.client = OpenAI()`."""
        if self._completed_walked:
            return
        self._completed_walked = True
        for name, (node, _) in list(self.class_nodes.items()):
            if id(node) in self._walked:
                self.class_attrs(name)

    def _header(self, st: ast.stmt, scope: _Scope, hot: Optional[list[int]], fields: Optional[tuple[str, ...]]) -> None:
        """The expressions of a compound statement's header (an `if` test, `with` items, a
        function's decorators and defaults), walked when hot."""
        body = getattr(st, "body", None)
        first_body_line = body[0].lineno if body else st.lineno
        if not _is_hot(hot, st.lineno, max(st.lineno, first_body_line - 1)) and not (
                isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and st.decorator_list
                and _is_hot(hot, st.decorator_list[0].lineno, st.lineno)):
            return
        for name, value in ast.iter_fields(st):
            if name in ("body", "orelse", "finalbody", "handlers", "cases") or (fields is not None and name not in fields):
                continue
            for node in value if isinstance(value, list) else [value]:
                if isinstance(node, ast.AST):
                    self._walk_calls(node, scope)

    def _walk_calls(self, node: ast.AST, scope: _Scope) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                self.calls.append((sub, scope))
                self._argparse(sub)

    def _params(self, fn: ast.AST, scope: _Scope) -> None:
        a = fn.args  # type: ignore[attr-defined]
        positional = a.posonlyargs + a.args
        defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        for arg, default in zip(positional, defaults):
            scope.params[arg.arg] = default
            self._annotated_instance(arg, fn)
        for arg, default in zip(a.kwonlyargs, a.kw_defaults):
            scope.params[arg.arg] = default
            self._annotated_instance(arg, fn)

    def _annotated_instance(self, arg: ast.arg, fn: ast.AST) -> None:
        ann = arg.annotation
        if isinstance(ann, (ast.Name, ast.Attribute)):
            # `def run(cfg: Config)`: cfg.model_name reads Config's default (checked on use:
            # the class may be defined further down); `client: openai.OpenAI` types the calls
            self.instances.setdefault(arg.arg, []).append(
                (getattr(fn, "lineno", 0), ast.Call(func=ann, args=[], keywords=[]))
            )

    def _note(self, node: ast.AST, scope: _Scope) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    self.aliases[a.asname] = a.name
                else:
                    root = a.name.split(".")[0]
                    self.aliases.setdefault(root, root)
        elif isinstance(node, ast.ImportFrom):
            if node.module and not node.level:
                for a in node.names:
                    if a.name != "*":
                        self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._assign(target, node.value, node.lineno, scope)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._assign(node.target, node.value, node.lineno, scope)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                var = item.optional_vars
                if isinstance(var, ast.Name) and isinstance(item.context_expr, ast.Call):
                    self.instances.setdefault(var.id, []).append((node.lineno, item.context_expr))
                    fn = item.context_expr.func
                    if isinstance(fn, ast.Name) and fn.id == "open" and item.context_expr.args:
                        self.with_open[var.id] = item.context_expr.args[0]

    def _assign(self, target: ast.expr, value: ast.expr, line: int, scope: _Scope) -> None:
        if isinstance(target, ast.Name):
            if scope.kind == "class":
                self.classes[scope.class_name].attrs.setdefault(target.id, []).append(  # type: ignore[index]
                    (line, _field_default(value), scope))
            else:
                scope.assigns.setdefault(target.id, []).append((line, value, scope))
            if isinstance(value, ast.Call):
                self.instances.setdefault(target.id, []).append((line, value))
                if isinstance(value.func, ast.Attribute) and value.func.attr in ("parse_args", "parse_known_args"):
                    self.parsed_args.add(target.id)
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Call):
            fn = value.func
            if isinstance(fn, ast.Attribute) and fn.attr == "parse_known_args" and target.elts:
                first = target.elts[0]
                if isinstance(first, ast.Name):
                    self.parsed_args.add(first.id)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            # self.model_name = "..." inside a method: an attribute of the enclosing class
            if target.value.id == "self" and scope.class_name:
                self.classes[scope.class_name].attrs.setdefault(target.attr, []).append((line, value, scope))
            if isinstance(value, ast.Call):
                self.instances.setdefault(f"{target.value.id}.{target.attr}", []).append((line, value))

    def _argparse(self, call: ast.Call) -> None:
        fn = call.func
        if not (isinstance(fn, ast.Attribute) and fn.attr == "add_argument"):
            return
        default = next((kw.value for kw in call.keywords if kw.arg == "default"), None)
        dest = next((kw.value.value for kw in call.keywords
                     if kw.arg == "dest" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)), None)
        flags = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not flags:
            return
        long = next((f for f in flags if f.startswith("--")), flags[0])
        if dest is None:
            dest = long.lstrip("-").replace("-", "_")
        if default is not None:
            self.argparse[dest] = (default, long)

    # -- qualified names --------------------------------------------------------------------------
    def qualname(self, node: ast.expr, line: int, depth: int = 0) -> Optional[str]:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            inst = self._instance(node.id, line)
            if inst is not None:
                q = self.qualname(inst, line, depth + 1)
                if q is not None and "." in q:
                    return q
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                inst = self._instance(f"{node.value.id}.{node.attr}", line)
                if inst is not None:
                    q = self.qualname(inst, line, depth + 1)
                    if q is not None and "." in q:
                        return q
            base = self.qualname(node.value, line, depth + 1)
            return None if base is None else f"{base}.{node.attr}"
        if isinstance(node, ast.Call):
            q = self.qualname(node.func, line, depth + 1)
            if q is not None and q.rsplit(".", 1)[-1] in _FACTORIES:
                q = q.rsplit(".", 1)[0]  # Pipe.from_pretrained(...) makes a Pipe
            return q
        return None

    def _instance(self, key: str, line: int) -> Optional[ast.Call]:
        seen = self.instances.get(key)
        if not seen and key.startswith("self.") and not self._completed_walked:
            self.complete_walked_classes()
            seen = self.instances.get(key)
        if not seen:
            return None
        before = [c for (ln, c) in seen if ln <= line]
        return (before or seen)[-1]


class _Resolver:
    def __init__(self, mod: _Module):
        self.mod = mod

    def value(self, expr: ast.expr, scope: _Scope, line: int, depth: int = 0) -> Any:
        """A Value, or UNRESOLVED."""
        if depth > _MAX_DEPTH:
            return UNRESOLVED
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
            return self._name(expr.id, scope, line, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr, scope, line, depth)
        if isinstance(expr, ast.Call):
            return self._call(expr, scope, line, depth)
        if isinstance(expr, ast.Subscript):
            container = self.expr_of(expr.value, scope, line, depth + 1)
            key = self.value(expr.slice, scope, line, depth + 1)
            if isinstance(container, tuple) and isinstance(container[0], ast.Dict) and key is not UNRESOLVED:
                d, dscope = container
                for k, v in zip(d.keys, d.values):
                    if isinstance(k, ast.Constant) and k.value == key.value:
                        return self.value(v, dscope, line, depth + 1)
            return UNRESOLVED
        return UNRESOLVED

    def _fstring(self, expr: ast.JoinedStr, scope: _Scope, line: int, depth: int) -> Any:
        parts: list[str] = []
        is_path, overridable = False, None
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
                continue
            if not isinstance(part, ast.FormattedValue) or part.format_spec is not None:
                return UNRESOLVED
            got = self.value(part.value, scope, line, depth + 1)
            if got is UNRESOLVED or not isinstance(got.value, (str, int)) or isinstance(got.value, bool):
                return UNRESOLVED
            parts.append(str(got.value))
            is_path = is_path or got.is_path
            overridable = overridable or got.overridable_by
        return Value("".join(parts), is_path, overridable)

    def expr_of(self, expr: ast.expr, scope: _Scope, line: int, depth: int) -> Optional[tuple[ast.expr, _Scope]]:
        """The expression a name stands for (to read a dict literal), following reassignments."""
        if depth > _MAX_DEPTH:
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

    def _lookup(self, name: str, scope: _Scope, line: int) -> Optional[tuple[ast.expr, _Scope, int]]:
        s: Optional[_Scope] = scope
        first = True
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent  # class bodies are not enclosing scopes for methods
                continue
            entries = s.assigns.get(name)
            if entries:
                chosen = None
                if first:
                    before = [e for e in entries if e[0] < line or e[0] == line]
                    chosen = before[-1] if before else None
                    if chosen is None and s.kind == "module":
                        chosen = entries[-1]
                else:
                    chosen = entries[-1]
                if chosen is not None:
                    return chosen[1], chosen[2], chosen[0]
            if name in s.params:
                default = s.params[name]
                if default is None:
                    return None
                return default, s.parent or s, getattr(s.node, "lineno", line)
            first = False
            s = s.parent
        return None

    def _name(self, name: str, scope: _Scope, line: int, depth: int) -> Any:
        found = self._lookup(name, scope, line)
        if found is None:
            return UNRESOLVED
        value, vscope, vline = found
        return self.value(value, vscope, vline, depth + 1)

    def _attribute(self, expr: ast.Attribute, scope: _Scope, line: int, depth: int) -> Any:
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
    def _enclosing_class(scope: _Scope) -> Optional[str]:
        s: Optional[_Scope] = scope
        while s is not None:
            if s.class_name:
                return s.class_name
            s = s.parent
        return None

    def _env_name(self, expr: ast.expr, line: int) -> Optional[str]:
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

    def _call(self, call: ast.Call, scope: _Scope, line: int, depth: int) -> Any:
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

    def _format(self, call: ast.Call, scope: _Scope, line: int, depth: int) -> Any:
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
            if got is UNRESOLVED or not isinstance(got.value, (str, int)) or isinstance(got.value, bool):
                return UNRESOLVED
            parts.append(str(got.value))
            overridable = overridable or got.overridable_by
        return Value("".join(parts), False, overridable)

    def _percent(self, expr: ast.BinOp, scope: _Scope, line: int, depth: int) -> Any:
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

    def kwargs_of(self, call: ast.Call, scope: _Scope, line: int) -> dict[str, tuple[ast.expr, _Scope]]:
        """The call's keyword arguments, with `**dict` literals (or names bound to one) spread."""
        out: dict[str, tuple[ast.expr, _Scope]] = {}
        for kw in call.keywords:
            if kw.arg is not None:
                out[kw.arg] = (kw.value, scope)
                continue
            found = self.expr_of(kw.value, scope, line, 0)
            if found is None:
                continue
            d, dscope = found
            if isinstance(d, ast.Dict):
                for k, v in zip(d.keys, d.values):
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        out.setdefault(k.value, (v, dscope))
            elif isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "dict":
                for dkw in d.keywords:
                    if dkw.arg is not None:
                        out.setdefault(dkw.arg, (dkw.value, dscope))
        return out


def _text(expr: ast.expr) -> str:
    try:
        text = ast.unparse(expr)
    except (RecursionError, ValueError, AttributeError):
        text = "<expression>"
    return text if len(text) <= _MAX_EXPR_TEXT else text[: _MAX_EXPR_TEXT - 3] + "..."


def _loc(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


class PythonAnalysis:
    """The references in one parsed module. `line_map` turns a module line into (cell, line) for
    notebooks, whose cells are analysed together so imports and constants carry across."""

    def __init__(self, relpath: str, tree: ast.Module, line_map: Optional[list[tuple[Optional[int], int]]] = None,
                 hot: Optional[list[int]] = None):
        self.relpath, self.tree, self.line_map = relpath, tree, line_map
        self.mod = _Module(tree, hot)
        self.res = _Resolver(self.mod)
        self.refs: list[ModelReference] = []

    def run(self) -> list[ModelReference]:
        index = _index()
        for call, scope in self.mod.calls:
            line = call.lineno
            q = self.mod.qualname(call.func, line)
            api = index.find(q) if q else None
            if api is not None:
                self._api_call(call, scope, q or "", api)
            else:
                self._hf_strings(call, scope, q)
        return self.refs

    # -- one table call -------------------------------------------------------------------------
    def _api_call(self, call: ast.Call, scope: _Scope, q: str, api: Api) -> None:
        line = call.lineno
        kwargs = self.res.kwargs_of(call, scope, line)
        flags: set[str] = set(api.flags_always)
        detail: dict[str, str] = {}

        def kw_value(name: str) -> Any:
            if name not in kwargs:
                return None
            expr, s = kwargs[name]
            return self.res.value(expr, s, line)

        trc = kw_value("trust_remote_code")
        if trc is not None and trc is not UNRESOLVED and trc.value is True:
            flags.add("trust_remote_code")
        use_st = kw_value("use_safetensors")
        if use_st is not None and use_st is not UNRESOLVED and use_st.value is False:
            flags.add("use_safetensors_false")
        if api.torch_load:
            wo = kw_value("weights_only")
            if wo is None or wo is UNRESOLVED or wo.value is not True:
                flags.add("unsafe_torch_load")

        revision: Optional[str] = None
        pin = "none"
        if api.revision_kw and api.revision_kw in kwargs:
            rexpr, rscope = kwargs[api.revision_kw]
            rv = self.res.value(rexpr, rscope, line)
            if rv is UNRESOLVED or not isinstance(rv.value, str):
                if not (rv is not UNRESOLVED and rv.value is None):
                    flags.add("revision_from_variable")
                    detail["revision_expression"] = _text(rexpr)
                    pin = "mutable"
            else:
                revision, pin = rv.value, hubid.classify_pin(rv.value)
                if rv.overridable_by:
                    flags.add("revision_from_variable")
                    detail["revision_overridable_by"] = rv.overridable_by
                elif not isinstance(rexpr, ast.Constant):
                    pass  # a constant the file fixes is as good as a literal

        kind = api.kind
        if api.repo_type_kw:
            rt = kw_value(api.repo_type_kw)
            if rt is not None and rt is not UNRESOLVED:
                if rt.value == "dataset":
                    kind = "dataset"
                elif rt.value == "space":
                    return

        for pos, kw in api.slots:
            expr, s = None, scope
            if pos is not None and pos < len(call.args) and not isinstance(call.args[pos], ast.Starred):
                if not any(isinstance(a, ast.Starred) for a in call.args[:pos]):
                    expr = call.args[pos]
            if expr is None and kw is not None and kw in kwargs:
                expr, s = kwargs[kw]
            if expr is None:
                continue
            if isinstance(expr, ast.Name) and expr.id in self.mod.with_open and api.paths_only:
                expr = self.mod.with_open[expr.id]  # pickle.load(f) with `with open(path) as f`
            elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "open" and expr.args:
                expr = expr.args[0]
            self._emit(expr, s, call, q, api, kind, revision, pin, flags, detail)

    def _emit(self, expr: ast.expr, scope: _Scope, call: ast.Call, q: str, api: Api, kind: str,
              revision: Optional[str], pin: str, flags: set[str], detail: dict[str, str]) -> None:
        line, col = _loc(expr)
        got = self.res.value(expr, scope, call.lineno)
        my_flags, my_detail = set(flags), dict(detail)
        if got is UNRESOLVED or not isinstance(got.value, str):
            if got is not UNRESOLVED and got.value is None:
                return  # model=None: nothing named
            if got is not UNRESOLVED and not isinstance(got.value, str):
                return  # a dict of weights, a number: not a reference
            if api.pickle_suffix_only or api.require_prefix:
                return  # an unknown file handle or name: we cannot tell it names a model
            if self._is_path_expression(expr, call.lineno) and api.source not in ("api", "github"):
                # Path(__file__).parent / "model": some path on disk, whatever its exact value
                self._add(line, col, _text(expr), kind, "local", q, None, "none", my_flags, None, my_detail)
                return
            self._add(line, col, _text(expr), kind, "unresolved", q, revision, pin, my_flags,
                      api.provider if api.source in ("api", "github") else None, my_detail)
            return
        value = got.value.strip()
        if not value:
            return
        if got.overridable_by:
            my_flags.add("overridable")
            my_detail["overridable_by"] = got.overridable_by
        target = self._classify(value, got.is_path, api, kind)
        if target is None:
            return
        ident, source, tkind, trev = target
        if trev is not None and revision is None:
            revision, pin = trev, hubid.classify_pin(trev)
        provider = api.provider if source == "api" else None
        self._add(line, col, ident, tkind, source, q, revision if source != "local" else None,
                  pin if source != "local" else "none", my_flags, provider, my_detail)

    def _is_path_expression(self, expr: ast.expr, line: int, depth: int = 0) -> bool:
        """Built by os.path/pathlib (or from __file__): a filesystem path even when unresolved."""
        if depth > 8:
            return False
        if isinstance(expr, ast.Name):
            return expr.id == "__file__"
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            return self._is_path_expression(expr.left, line, depth + 1)
        if isinstance(expr, ast.Attribute):
            return expr.attr in ("parent", "parents", "stem", "name") and self._is_path_expression(expr.value, line, depth + 1)
        if isinstance(expr, ast.Call):
            q = self.mod.qualname(expr.func, line) or ""
            last = q.rsplit(".", 1)[-1]
            if q.startswith(("os.path.", "posixpath.", "ntpath.")) or q in ("Path", "pathlib.Path", "pathlib.PurePath"):
                return True
            if isinstance(expr.func, ast.Attribute) and last in ("joinpath", "resolve", "absolute", "expanduser", "with_name", "with_suffix"):
                return self._is_path_expression(expr.func.value, line, depth + 1)
        return False

    def _classify(self, value: str, is_path: bool, api: Api, kind: str) -> Optional[tuple[str, str, str, Optional[str]]]:
        """(id, source, kind, revision-in-the-string) or None when the value names no model."""
        if is_path:
            return None if api.pickle_suffix_only and not value.lower().endswith(PICKLE_MODEL_SUFFIXES) else (value, "local", kind, None)
        if api.require_prefix and not value.startswith(api.require_prefix):
            return None
        if api.source == "github":
            if value.startswith(("./", "/", "../", "~")):
                return value, "local", kind, None
            repo, _, ref = value.partition(":")
            return repo, "api", kind, ref or None
        if api.source == "api":
            return value, "api", kind, None
        if "://" in value or value.startswith(("hf-hub:", "hf.co/", "huggingface.co/")):
            t = hubid.parse_hub_url(value)
            if t is None:
                return None  # a URL elsewhere (an inference endpoint): not a Hub repo
            return t.id, "huggingface", t.kind if t.kind == "dataset" else kind, t.revision
        if api.paths_only:
            if api.pickle_suffix_only and not value.lower().endswith(PICKLE_MODEL_SUFFIXES):
                return None
            return value, "local", kind, None
        if hubid.is_local_path(value):
            return value, "local", kind, None
        if value in api.not_hub:
            return None
        if "/" not in value and api.bare_prefix and hubid.is_hub_id(value):
            return api.bare_prefix + value, "huggingface", kind, None
        if hubid.is_hub_id(value) and ("/" in value or api.legacy_bare):
            return value, "huggingface", kind, None
        return value, "local", kind, None

    # -- hf:// strings in any other call (pandas.read_parquet("hf://datasets/...")) --------------
    def _hf_strings(self, call: ast.Call, scope: _Scope, q: Optional[str]) -> None:
        exprs = list(call.args) + [kw.value for kw in call.keywords if kw.arg is not None]
        for expr in exprs:
            if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                value = expr.value
            elif isinstance(expr, (ast.Name, ast.JoinedStr)):
                got = self.res.value(expr, scope, call.lineno)
                if got is UNRESOLVED or not isinstance(got.value, str):
                    continue
                value = got.value
            else:
                continue
            if not value.startswith("hf://"):
                continue
            t = hubid.parse_hub_url(value)
            if t is None:
                continue
            line, col = _loc(expr)
            self._add(line, col, t.id, t.kind, "huggingface", q or "hf://", t.revision,
                      hubid.classify_pin(t.revision), set(), None, {})

    def _add(self, line: int, col: int, ident: str, kind: str, source: str, call: str, revision: Optional[str],
             pin: str, flags: set[str], provider: Optional[str], detail: dict[str, str]) -> None:
        cell = None
        if self.line_map is not None:
            if 1 <= line <= len(self.line_map):
                cell, line = self.line_map[line - 1]
        self.refs.append(ModelReference(
            file=self.relpath, line=line, column=col, cell=cell, id=ident, kind=kind,  # type: ignore[arg-type]
            source=source, call=call, revision=revision, pin=pin, flags=tuple(sorted(flags)),  # type: ignore[arg-type]
            provider=provider, detail=tuple(sorted(detail.items())),
        ))


def analyse(relpath: str, tree: ast.Module, line_map: Optional[list[tuple[Optional[int], int]]] = None,
            source: Optional[bytes] = None) -> list[ModelReference]:
    """The references in a parsed module; with `source`, only statements on lines holding a
    call-site marker are looked into (the others cannot hold a table call)."""
    try:
        return PythonAnalysis(relpath, tree, line_map, hot_lines(source) if source is not None else None).run()
    except RecursionError:
        raise ScanFailure("nested too deeply to analyse") from None


def may_contain_python(data: bytes, loose: bool = False) -> bool:
    return may_reference(data, loose)


class PythonScanner(Scanner):
    name = "python"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith((".py", ".pyi", ".pyw"))

    def may_contain(self, data: bytes) -> bool:
        return may_contain_python(data)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        from aiospo_ci.scan.python_blocks import parse_relevant

        hot = hot_lines(data)
        try:
            tree = parse_relevant(data, relpath, hot)
        except (RecursionError, MemoryError):
            tree = None
        if tree is None:
            tree = parse_python(data, relpath)
        try:
            return PythonAnalysis(relpath, tree, None, hot).run()
        except RecursionError:
            raise ScanFailure("nested too deeply to analyse") from None


def iter_calls(tree: ast.AST) -> Iterator[ast.Call]:  # pragma: no cover - debugging aid
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node
