"""What a Python module says about itself, read once: imports (aliases), scopes and their
assignments, classes and their attributes, instances (`client = OpenAI()`), argparse defaults,
and the calls worth looking at (those on lines holding a call-site marker)."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right

from aiospo_ci.scan.python_apis import call_markers, call_markers_by_module

CALL_MARKERS = call_markers()
_MARKERS_BY_MODULE = tuple((root.encode(), markers) for root, markers in call_markers_by_module().items() if root != "*")
_ALWAYS = call_markers_by_module()["*"]
_NEVER_CODE = (b"#", b">>> ", b"... ")
MAX_DEPTH = 24  # resolution hops (a = b; b = c; ...): cycles end here
# Names a notebook calls without importing them (a cell run in an earlier session did): only
# names no other library uses for something else ('pipeline' is not one of them).
NOTEBOOK_NAMES: dict[str, str] = {
    "load_dataset": "datasets.load_dataset", "load_dataset_builder": "datasets.load_dataset_builder",
    "hf_hub_download": "huggingface_hub.hf_hub_download", "snapshot_download": "huggingface_hub.snapshot_download",
    "SentenceTransformer": "sentence_transformers.SentenceTransformer",
    "CrossEncoder": "sentence_transformers.CrossEncoder", "SparseEncoder": "sentence_transformers.SparseEncoder",
    "PeftModel": "peft.PeftModel", "AutoPeftModelForCausalLM": "peft.AutoPeftModelForCausalLM",
    "DiffusionPipeline": "diffusers.DiffusionPipeline",
    "AutoTokenizer": "transformers.AutoTokenizer", "AutoProcessor": "transformers.AutoProcessor",
    "AutoConfig": "transformers.AutoConfig", "AutoImageProcessor": "transformers.AutoImageProcessor",
    "AutoFeatureExtractor": "transformers.AutoFeatureExtractor", "AutoModel": "transformers.AutoModel",
}
_AUTO_MODEL = "AutoModelFor"
# Class methods that build an instance of their class: `pipe = X.from_pretrained(...)` is an X.
_FACTORIES = frozenset({"from_pretrained", "from_single_file", "from_config", "from_model_id", "from_pipe"})


def is_hot(hot: list[int] | None, first: int, last: int) -> bool:
    """Whether a marker sits on a line in [first, last] (hot None: every line is)."""
    if hot is None:
        return True
    i = bisect_left(hot, first)
    return i < len(hot) and hot[i] <= last


_IMPORTED = re.compile(rb"[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([^#;\n]*))")
_WORD = re.compile(rb"[A-Za-z_]\w*")
_FINDERS: dict[frozenset[bytes], re.Pattern[bytes]] = {}


def _trie(words: list[bytes]) -> bytes:
    """One regular expression for a set of literal words, shared prefixes factored out
    (`from_(?:pre(?:set\\(|trained\\()|...)`): the engine follows one branch per position instead
    of trying every word, which makes the one pass over a file several times faster."""
    if any(not w for w in words):
        return b""  # a word ends here (none is a prefix of another: python_apis._minimal)
    groups: dict[int, list[bytes]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(w[1:])
    branches = [re.escape(bytes([c])) + _trie(rest) for c, rest in sorted(groups.items())]
    return branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"


def imported_roots(source: bytes) -> set[bytes]:
    """The top-level modules the file imports (`import a.b as c, d` -> a, d; `from e.f import g` -> e)."""
    roots: set[bytes] = set()
    i = source.find(b"import")
    while i >= 0:  # only the lines holding the word: a find in C, then one match per line
        start = source.rfind(b"\n", 0, i) + 1
        end = source.find(b"\n", i)
        end = len(source) if end < 0 else end
        m = _IMPORTED.match(source, start, end)
        if m and m.group(1):
            roots.add(m.group(1))
        elif m:
            for part in m.group(2).replace(b"(", b" ").split(b","):
                word = _WORD.match(part.strip())
                if word:
                    roots.add(word.group())
        i = source.find(b"import", end)
    return roots


def hot_lines(source: bytes, every_library: bool = False) -> list[int] | None:
    """The sorted line numbers holding a call-site marker (python_apis.call_markers_by_module:
    a library's own markers only where the file imports that library, or `every_library` for
    a notebook, whose loaders may come from a kernel that imported them)."""
    if b"\r" in source and source.count(b"\r") != source.count(b"\r\n"):
        return None  # old Mac line ends: count lines as the parser does, by walking everything
    markers = set(_ALWAYS)
    roots = imported_roots(source) if not every_library else set()
    for root, own in _MARKERS_BY_MODULE:
        if every_library or root in roots:
            markers.update(own)
    key = frozenset(markers)
    finder = _FINDERS.get(key)
    if finder is None:  # one pass over the file for all of them; few distinct sets ever occur
        finder = _FINDERS[key] = re.compile(_trie(sorted(markers)))
    found: list[int] = []
    for match in finder.finditer(source):
        i = match.start()
        start = source.rfind(b"\n", 0, i) + 1
        while source[start: start + 1] in (b" ", b"\t"):
            start += 1
        # a comment or a doctest line (`>>> m = X.from_pretrained(...)` in a docstring) is never
        # a call, whatever it names
        if not source.startswith(_NEVER_CODE, start):
            found.append(i)
    lines: list[int] = []
    line, at = 1, 0
    for i in found:
        line += source.count(b"\n", at, i)
        at = i
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines




class Scope:
    """Names assigned in one function, class or module body."""

    __slots__ = ("node", "kind", "assigns", "params", "parent", "class_name")

    def __init__(self, node: ast.AST, kind: str, parent: Scope | None, class_name: str | None = None):
        self.node, self.kind, self.parent, self.class_name = node, kind, parent, class_name
        # name -> [(line, value)]: the scope is the one holding the list (not stored with each
        # entry, which would make every scope a reference cycle the garbage collector must chase)
        self.assigns: dict[str, list[tuple[int, ast.expr]]] = {}
        self.params: dict[str, ast.expr | None] = {}


class _ClassInfo:
    __slots__ = ("attrs", "complete")

    def __init__(self) -> None:
        self.complete = False
        self.attrs: dict[str, list[tuple[int, ast.expr, Scope]]] = {}


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


class ModuleFacts:
    """Everything the file says once: imports, scopes, classes, instances, argparse defaults."""

    def __init__(self, tree: ast.Module, hot: list[int] | None = None, implicit: dict[str, str] | None = None):
        self.aliases: dict[str, str] = {}
        self.instances: dict[str, list[tuple[int, ast.Call]]] = {}
        self.classes: dict[str, _ClassInfo] = {}
        self.argparse: dict[str, tuple[ast.expr, str]] = {}
        self.parsed_args: set[str] = set()
        self.scope_of: dict[int, Scope] = {}
        self.calls: list[tuple[ast.Call, Scope]] = []
        self.with_open: dict[str, ast.expr] = {}
        self.module_scope = Scope(tree, "module", None)
        self._scopes: list[Scope] = [self.module_scope]
        self.class_nodes: dict[str, tuple[ast.ClassDef, Scope]] = {}
        self.functions: set[str] = set()  # module-level def names
        self._walked: set[int] = set()
        self._completed_walked = False
        self._collect(tree, hot)
        self._sort()
        if implicit is not None:
            self._implicit_names(implicit)

    def _implicit_names(self, implicit: dict[str, str]) -> None:
        """Qualify the unambiguous loader names the module uses but never binds."""
        used = {call.func.value.id if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
                else call.func.id if isinstance(call.func, ast.Name) else "" for call, _ in self.calls}
        bound = set(self.aliases) | set(self.module_scope.assigns) | set(self.class_nodes) | self.functions
        for name in used - bound:
            if name in implicit:
                self.aliases[name] = implicit[name]
            elif name.startswith(_AUTO_MODEL):
                self.aliases[name] = f"transformers.{name}"

    def _sort(self) -> None:
        """The walk is depth-first, not in source order: put every history in line order."""
        for scope in self._scopes:
            for assigned in scope.assigns.values():
                assigned.sort(key=lambda e: e[0])
        for info in self.classes.values():
            for entries in info.attrs.values():
                entries.sort(key=lambda e: e[0])
        for seen in self.instances.values():
            seen.sort(key=lambda e: e[0])

    # -- pass 1: statements only; expressions only on lines that can hold a reference --------------
    def _collect(self, tree: ast.Module, hot: list[int] | None) -> None:
        """Walk the statements (for scopes, imports and assignments) but look inside the
        expressions of a statement only when one of its lines holds a marker, and skip functions
        and classes with no marker at all (classes are read later, on demand, when a value names
        one of their attributes): walking every node of a big file costs more than parsing it."""
        self._hot = hot
        self._walk_body(tree.body, self.module_scope, hot, True)

    def _walk_body(self, body: list[ast.stmt], scope: Scope, hot: list[int] | None, with_calls: bool) -> None:
        stack: list[tuple[list[ast.stmt], Scope]] = [(body, scope)]
        while stack:
            body, scope = stack.pop()
            for st in body:
                if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if scope is self.module_scope:
                        self.functions.add(st.name)
                    if id(st) in self._walked:
                        continue
                    first = st.decorator_list[0].lineno if st.decorator_list else st.lineno
                    if not is_hot(hot, first, getattr(st, "end_lineno", None) or st.lineno):
                        continue  # no marker in it: nothing to find, nothing another value needs
                    self._walked.add(id(st))
                    fscope = Scope(st, "function", scope, scope.class_name if scope.kind == "class" else None)
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
                    if not is_hot(hot, first, getattr(st, "end_lineno", None) or st.lineno):
                        continue  # read on demand by class_attrs()
                    if id(st) in self._walked:
                        continue
                    self._walked.add(id(st))
                    cscope = Scope(st, "class", scope, st.name)
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
                elif is_hot(hot, st.lineno, getattr(st, "end_lineno", None) or st.lineno):
                    self._walk_calls(st, scope)

    def class_attrs(self, name: str) -> dict[str, list[tuple[int, ast.expr, Scope]]]:
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
                cscope = Scope(node, "class", parent, node.name)
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

    def _header(self, st: ast.stmt, scope: Scope, hot: list[int] | None, fields: tuple[str, ...] | None) -> None:
        """The expressions of a compound statement's header (an `if` test, `with` items, a
        function's decorators and defaults), walked when hot."""
        body = getattr(st, "body", None)
        first_body_line = body[0].lineno if body else st.lineno
        if not is_hot(hot, st.lineno, max(st.lineno, first_body_line - 1)) and not (
                isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and st.decorator_list
                and is_hot(hot, st.decorator_list[0].lineno, st.lineno)):
            return
        for name, value in ast.iter_fields(st):
            if name in ("body", "orelse", "finalbody", "handlers", "cases") or (fields is not None and name not in fields):
                continue
            for node in value if isinstance(value, list) else [value]:
                if isinstance(node, ast.AST):
                    self._walk_calls(node, scope)

    def _walk_calls(self, node: ast.AST, scope: Scope) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                self.calls.append((sub, scope))
                self._argparse(sub)

    def _params(self, fn: ast.AST, scope: Scope) -> None:
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

    def _note(self, node: ast.AST, scope: Scope) -> None:
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

    def _assign(self, target: ast.expr, value: ast.expr, line: int, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            if scope.kind == "class":
                self.classes[scope.class_name].attrs.setdefault(target.id, []).append(  # type: ignore[index]
                    (line, _field_default(value), scope))
            else:
                scope.assigns.setdefault(target.id, []).append((line, value))
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

    def base_qualnames(self, q: str, depth: int = 0) -> list[str]:
        """`Encoder.encode` where `class Encoder(SentenceTransformer)` is defined here: the same
        name through each base, nearest first (bases named through the imports)."""
        head, dot, rest = q.partition(".")
        if depth > 5 or head not in self.class_nodes:
            return []
        node, _ = self.class_nodes[head]
        out: list[str] = []
        for base in node.bases:
            bq = self.qualname(base, node.lineno)
            if not bq or bq.split(".", 1)[0] == head:
                continue
            alt = bq + dot + rest
            out.append(alt)
            out.extend(self.base_qualnames(alt, depth + 1))
        return out

    # -- qualified names --------------------------------------------------------------------------
    def qualname(self, node: ast.expr, line: int, depth: int = 0) -> str | None:
        if depth > MAX_DEPTH:
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

    def _instance(self, key: str, line: int) -> ast.Call | None:
        seen = self.instances.get(key)
        if not seen and key.startswith("self.") and not self._completed_walked:
            self.complete_walked_classes()
            seen = self.instances.get(key)
        if not seen:
            return None
        at = bisect_right(seen, line, key=lambda e: e[0])  # the last one on or before `line`
        return seen[at - 1][1] if at else seen[-1][1]


