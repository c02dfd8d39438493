"""Python files: the calls of python_apis.py found in the AST, their arguments resolved.

The file is parsed with ``ast`` and never imported or run. Values are resolved from what the
file itself says: constants (module, function, class), simple reassignments, f-strings and
``+`` of known parts, ``os.environ.get``/``os.getenv`` defaults (overridable: flagged), argparse
``default=`` (overridable), dataclass/pydantic field defaults, ``**dict`` keyword arguments and
import aliases. What cannot be resolved is reported with source 'unresolved' and the expression
as its id: never dropped, never guessed.

python_module.py reads what the module says (imports, scopes, classes), python_resolve.py turns
an expression into a value, python_blocks.py parses only the blocks that matter, and this module
matches calls against the table and makes the references.
"""

from __future__ import annotations

import ast
import re
import sys
from typing import Any

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import budget, hubid
from aiospo_ci.scan.budget import BudgetExceeded
from aiospo_ci.scan.interface import Gap, ScanFailure, Scanner
from aiospo_ci.scan.python_apis import PICKLE_MODEL_SUFFIXES, Api, ApiIndex, may_reference, may_subclass
from aiospo_ci.scan.python_module import CALL_MARKERS, NOTEBOOK_NAMES, ModuleFacts, Scope, hot_lines, imported_roots
from aiospo_ci.scan.python_resolve import UNRESOLVED, Resolver

PYTHON = f"Python {sys.version_info[0]}.{sys.version_info[1]}"

_INDEX: ApiIndex | None = None
_MAX_EXPR_TEXT = 200


def _index() -> ApiIndex:
    global _INDEX
    if _INDEX is None:
        _INDEX = ApiIndex()
    return _INDEX


def parse_python(data: bytes | str, filename: str, *, top_level_await: bool = False) -> ast.Module:
    """ast.parse that turns every way of failing into ScanFailure with one sentence."""
    from aiospo_ci.scan.python_blocks import parse_ast

    try:
        return parse_ast(data, filename, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0)
    except SyntaxError as e:
        where = f" (line {e.lineno})" if e.lineno else ""
        raise ScanFailure(f"not valid {PYTHON}: {e.msg}{where}", "parse", e.lineno) from None
    except (ValueError, UnicodeDecodeError, LookupError) as e:  # null bytes, bad encoding cookie
        raise ScanFailure(f"cannot be read as Python source: {e}", "encoding") from None
    except (RecursionError, MemoryError):
        raise ScanFailure("nested too deeply to parse", "budget") from None


def decode_python(data: bytes) -> tuple[str, Gap | None]:
    """The source as the interpreter decodes it (byte-order mark, coding cookie, else UTF-8);
    undecodable bytes are replaced, and the Gap says the text was not read exactly."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, LookupError, UnicodeDecodeError) as e:
        reason = getattr(e, "msg", None) or str(e)
        text = data.decode("utf-8-sig", "replace")
        return text, Gap("encoding", f"cannot be decoded as Python source ({reason}); it was read with the "
                                     "undecodable bytes replaced", None)


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


def as_utf8(data: bytes) -> bytes | None:
    """The source as UTF-8 bytes, for the byte-level prefilter and markers: a file that declares
    another encoding (`# coding: utf-7` can spell `from_pretrained` without those bytes) is
    decoded first. None: it declares an encoding it cannot be decoded with."""
    head = b"\n".join(data.split(b"\n", 2)[:2])
    m = _COOKIE.search(head)
    if m is None or m.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8", b"ascii", b"us-ascii"):
        return data
    text, gap = decode_python(data)
    return None if gap is not None else text.encode("utf-8", "surrogatepass")


def parse_tolerant(data: bytes | str, filename: str, *, top_level_await: bool = False) -> tuple[ast.Module, str, list[Gap]]:
    """Parse what can be parsed of a file the interpreter rejects as a whole (python_blocks.repair):
    (the module, the mended source, the gaps). A left-out part becomes a Gap
    when it could hold a reference: a call-site marker on its lines, or what the prefilter looks
    for (an import of a loader's library, a Hub URL) in its text."""
    from aiospo_ci.scan.python_blocks import line_ranges, repair, split_lines

    gaps: list[Gap] = []
    if isinstance(data, bytes):
        text, gap = decode_python(data)
        if gap is not None:
            gaps.append(gap)
    else:
        text = data
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0
    mended = repair(text, filename, flags)
    source = "".join(mended.lines)
    tree = parse_python(source, filename, top_level_await=top_level_await)
    if mended.unread:
        original = split_lines(text)
        left_out = "".join(original[n - 1] for n in mended.unread if n <= len(original))
        raw = left_out.encode("utf-8", "surrogatepass")
        if any(m in raw for m in CALL_MARKERS) or may_reference(raw):
            where = f" (line {mended.message_line})" if mended.message_line else ""
            what = f"line {mended.unread[0]} is" if len(mended.unread) == 1 else f"lines {line_ranges(mended.unread)} are"
            gaps.append(Gap("parse", f"{what} not valid {PYTHON} ({mended.message}{where}) and may name a model; "
                                     "the rest of the file was read", mended.unread[0]))
    return tree, source, gaps




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

    def __init__(self, relpath: str, tree: ast.Module, line_map: list[tuple[int | None, int]] | None = None,
                 hot: list[int] | None = None, notebook: bool = False):
        self.relpath, self.tree, self.line_map = relpath, tree, line_map
        self.mod = ModuleFacts(tree, hot, NOTEBOOK_NAMES if notebook else None)
        self.res = Resolver(self.mod)
        self.refs: list[ModelReference] = []
        self.gaps: list[Gap] = []

    def run(self) -> list[ModelReference]:
        """The references; `gaps` afterwards lists the calls that could not be analysed. One call
        that breaks the analysis costs that call (reported unread), never the rest of the file."""
        index = _index()
        failed: list[tuple[int, str, str]] = []  # (line, cause, what)
        for call, scope in self.mod.calls:
            line = call.lineno
            try:
                q = self.mod.qualname(call.func, line)
                api = index.find(q) if q else None
                if q and (api is None or api.pattern.startswith("*")):
                    api = self._via_bases(q, api, index)
                if api is not None:
                    self._api_call(call, scope, q or "", api)
                else:
                    self._hf_strings(call, scope, q)
            except BudgetExceeded as e:
                self.gaps.append(Gap("budget", f"read up to line {self._line(line)} only: the scan {e}", self._line(line)))
                break
            except (RecursionError, MemoryError):
                failed.append((line, "budget", "nested too deeply to analyse"))
            except Exception as e:  # noqa: BLE001 - a scanner bug on one call is reported unread, the rest still counts
                failed.append((line, "crash", f"{type(e).__name__}: {e}"[:200]))
        for line, cause, what in failed:
            self.gaps.append(Gap(cause, f"the call at line {self._line(line)} could not be analysed ({what})", self._line(line)))
        if self.res.exhausted:
            self.gaps.append(Gap("budget", f"more than {budget.RESOLVE_STEPS} value resolutions needed; the names not resolved "
                                           "by then are reported unresolved"))
        return self.refs

    def _via_bases(self, q: str, api: Api | None, index: ApiIndex) -> Api | None:
        """A class defined in this file that derives from a table class (`class Encoder(
        SentenceTransformer)`; its base named through the file's imports) is called as its base.
        A match on the base's own entry beats a generic one (`*.from_pretrained`)."""
        for alt in self.mod.base_qualnames(q):
            found = index.find(alt)
            if found is not None and (api is None or not found.pattern.startswith("*")):
                return found
        return api

    def _line(self, line: int) -> int:
        if self.line_map is not None and 1 <= line <= len(self.line_map):
            return self.line_map[line - 1][1]
        return line

    # -- one table call -------------------------------------------------------------------------
    def _api_call(self, call: ast.Call, scope: Scope, q: str, api: Api) -> None:
        line = call.lineno
        kwargs = self.res.kwargs_of(call, scope, line)
        flags: set[str] = set(api.flags_always)
        detail: dict[str, str] = {}

        def kw_value(name: str) -> Any:
            if name not in kwargs:
                return None
            expr, s = kwargs[name]
            return self.res.value(expr, s, line)

        # trust_remote_code and use_safetensors: a value the file fixes decides; one it does not fix
        # (a variable from elsewhere, a flag or an environment variable that can change it) is
        # flagged unresolved and judged (scan/unresolved-argument), never read as the safe default.
        if "trust_remote_code" not in kwargs and api.source == "huggingface" and not api.paths_only and not api.repo_type_kw:
            hidden = self.res.opaque_spread(call, scope, line)
            if hidden is not None:  # `**kwargs` the scan cannot read may carry trust_remote_code=True
                flags.add("trust_remote_code_unresolved")
                detail["trust_remote_code_expression"] = f"<maybe in **{_text(hidden)}>"
        for name, unsafe in (("trust_remote_code", "trust_remote_code"), ("use_safetensors", "use_safetensors_false")):
            if name not in kwargs:
                continue
            arg, arg_scope = kwargs[name]
            got = self.res.value(arg, arg_scope, line)
            if got is not UNRESOLVED and got.value is None:
                continue  # the library's default
            if got is UNRESOLVED or not isinstance(got.value, (bool, int, str)):
                flags.add(f"{name}_unresolved")
                detail[f"{name}_expression"] = _text(arg)
            elif (bool(got.value) if name == "trust_remote_code" else got.value is False):
                flags.add(unsafe)
            elif got.overridable_by:
                flags.add(f"{name}_unresolved")
                detail[f"{name}_overridable_by"] = got.overridable_by
        if api.torch_load:
            wo = kw_value("weights_only")
            if wo is None or wo is UNRESOLVED or wo.value is not True:
                flags.add("unsafe_torch_load")

        revision: str | None = None
        pin = "none"
        if api.revision_kw and api.revision_kw in kwargs:
            rexpr, rscope = kwargs[api.revision_kw]
            rv = self.res.value(rexpr, rscope, line)
            if rv is UNRESOLVED or not isinstance(rv.value, str):
                if not (rv is not UNRESOLVED and rv.value is None):
                    flags.update(("revision_from_variable", "revision_unresolved"))
                    detail["revision_expression"] = _text(rexpr)
                    pin = "mutable"
            else:
                revision, pin = rv.value, hubid.classify_pin(rv.value)
                if rv.overridable_by:
                    flags.update(("revision_from_variable", "revision_unresolved"))
                    detail["revision_overridable_by"] = rv.overridable_by

        for name in api.detail_kws:
            got = kw_value(name)
            if got is not None and got is not UNRESOLVED and isinstance(got.value, str):
                detail[name] = got.value
            elif got is not None and not (got is not UNRESOLVED and got.value is None):
                detail[name] = f"<{_text(kwargs[name][0])}>"
        pretrained = False
        if api.registry_flag:
            wanted = kw_value(api.registry_flag)
            pretrained = wanted is not None and (wanted is UNRESOLVED or bool(wanted.value))
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
            self._emit(expr, s, call, q, api, kind, revision, pin, flags, detail, pretrained, kw in api.strings_only)

    def _emit(self, expr: ast.expr, scope: Scope, call: ast.Call, q: str, api: Api, kind: str,
              revision: str | None, pin: str, flags: set[str], detail: dict[str, str], pretrained: bool = False,
              strings_only: bool = False) -> None:
        found = self.res.expr_of(expr, scope, call.lineno, 0) if isinstance(expr, ast.Name) else (expr, scope)
        if found is not None and isinstance(found[0], (ast.List, ast.Tuple)) and len(found[0].elts) <= 64:
            # load_ip_adapter(["h94/IP-Adapter", ...]): one reference per element
            for element in found[0].elts:
                if not isinstance(element, ast.Starred):
                    self._emit(element, found[1], call, q, api, kind, revision, pin, flags, detail, pretrained, strings_only)
            return
        line, col = _loc(expr)
        got = self.res.value(expr, scope, call.lineno)
        my_flags, my_detail = set(flags), dict(detail)
        if got is UNRESOLVED or not isinstance(got.value, str):
            if got is not UNRESOLVED and got.value is None:
                return  # model=None: nothing named
            if got is not UNRESOLVED and not isinstance(got.value, str):
                return  # a dict of weights, a number: not a reference
            if api.pickle_suffix_only or (api.require_prefix and not api.registry) or strings_only:
                return  # an unknown file handle, name or function: we cannot tell it names a model
            if self._loaded_object(expr, scope, call.lineno):
                return  # `pipeline(model=model)` with `model = AutoModel.from_pretrained(...)`: reported there
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
        if api.registry and not value.startswith(api.require_prefix):
            target = self._registry_name(value, api, kind, my_detail, pretrained)
        else:
            target = self._classify(value, got.is_path, api, kind)
        if target is None:
            return
        ident, source, tkind, trev = target
        if trev is not None and revision is None:
            revision, pin = trev, hubid.classify_pin(trev)
        provider = api.provider if source == "api" else None
        self._add(line, col, ident, tkind, source, q, revision if source != "local" else None,
                  pin if source != "local" else "none", my_flags, provider, my_detail)

    def _loaded_object(self, expr: ast.expr, scope: Scope, line: int) -> bool:
        """Whether a name holds what a table call returned (a model loaded a few lines up, maybe
        moved: `AutoModel.from_pretrained(...).to("cuda")`): an object, already reported, not a name."""
        if not isinstance(expr, ast.Name):
            return False
        # bound before this statement: in `model = X.from_pretrained(model)` the argument is
        # what `model` held before the line rebinds it
        found = self.res.expr_of(expr, scope, line - 1, 0)
        value = found[0] if found is not None else None
        index = _index()
        for _ in range(8):
            if not isinstance(value, ast.Call):
                return False
            q = self.mod.qualname(value.func, line)
            if q and index.find(q) is not None:
                return True
            func = value.func
            value = func.value if isinstance(func, ast.Attribute) else None
        return False

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

    def _registry_name(self, value: str, api: Api, kind: str, detail: dict[str, str],
                       pretrained: bool) -> tuple[str, str, str, str | None] | None:
        """A name in timm's or open_clip's own registry, used with pretrained weights: timm names
        with a tag are the repo 'timm/<name>.<tag>'; without one the library picks the tag, so
        the repo is not known here and the reference is unresolved."""
        if not pretrained:
            return None  # no pretrained weights: nothing is downloaded
        if hubid.is_local_path(value):
            return value, "local", kind, None
        if api.registry == "timm" and "." in value and hubid.is_hub_id(f"timm/{value}"):
            return f"timm/{value}", "huggingface", kind, None
        detail["registry"] = api.registry or ""
        return value, "unresolved", kind, None

    def _classify(self, value: str, is_path: bool, api: Api, kind: str) -> tuple[str, str, str, str | None] | None:
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
        if "://" in value or value.startswith(("hf-hub:", "hf_hub:", "hf.co/", "huggingface.co/")):
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
        if api.provider_suffix and ":" in value:
            value = value.split(":", 1)[0]
        if value in api.not_hub:
            return None
        if "/" not in value and api.bare_prefix and hubid.is_hub_id(value) and not hubid.is_canonical_transformers_name(value):
            return api.bare_prefix + value, "huggingface", kind, None
        if hubid.is_hub_id(value) and ("/" in value or api.legacy_bare):
            return value, "huggingface", kind, None
        return value, "local", kind, None

    # -- hf:// strings in any other call (pandas.read_parquet("hf://datasets/...")) --------------
    def _hf_strings(self, call: ast.Call, scope: Scope, q: str | None) -> None:
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

    def _add(self, line: int, col: int, ident: str, kind: str, source: str, call: str, revision: str | None,
             pin: str, flags: set[str], provider: str | None, detail: dict[str, str]) -> None:
        cell = None
        if self.line_map is not None:
            if 1 <= line <= len(self.line_map):
                cell, line = self.line_map[line - 1]
        self.refs.append(ModelReference(
            file=self.relpath, line=line, column=col, cell=cell, id=ident, kind=kind,  # type: ignore[arg-type]
            source=source, call=call, revision=revision, pin=pin, flags=tuple(sorted(flags)),  # type: ignore[arg-type]
            provider=provider, detail=tuple(sorted(detail.items())),
        ))


def analyse(relpath: str, tree: ast.Module, line_map: list[tuple[int | None, int]] | None = None,
            hot: list[int] | None = None, notebook: bool = False) -> tuple[list[ModelReference], list[Gap]]:
    """The references in a parsed module and the parts not analysed. With `hot` (python_module.
    hot_lines), only statements on lines holding a call-site marker are looked into (the others
    cannot hold a table call). `notebook`: loaders called by their unambiguous names count
    without an import."""
    try:
        analysis = PythonAnalysis(relpath, tree, line_map, hot, notebook)
    except (RecursionError, MemoryError):
        raise ScanFailure("nested too deeply to analyse", "budget") from None
    refs = analysis.run()
    return refs, analysis.gaps


def may_contain_python(data: bytes, loose: bool = False) -> bool:
    return may_reference(data, loose)


class PythonScanner(Scanner):
    name = "python"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith((".py", ".pyi", ".pyw"))

    def may_contain(self, data: bytes) -> bool:
        text = as_utf8(data)
        return text is None or may_contain_python(text)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return self.scan_with_notes(relpath, data)[0]

    def scan_with_notes(self, relpath: str, data: bytes) -> tuple[list[ModelReference], list[Gap]]:
        # an encoding nobody can decode: the markers are looked for in the bytes as UTF-8, and
        # parse_tolerant reads the file with replacements and says so
        text = as_utf8(data) or data
        hot = hot_lines(text)
        if hot == [] and not may_subclass(text, imported_roots(text)):
            # no line holds a call a table entry could match (the prefilter let it through for a
            # `from_pretrained` in a docstring): nothing to parse
            return [], []
        tree, source, gaps = _parse(relpath, data, hot)
        if source is not data:
            hot = hot_lines(source)
        refs, more = analyse(relpath, tree, None, hot=hot)
        # `class Encoder(SentenceTransformer)` here: its calls (`Encoder("org/x")`) carry no marker
        # of their own, so look again with the lines that name the class counted in.
        wider = _lines_naming(source, _table_subclasses(tree), hot)
        if wider is not None:
            tree, _, _ = _parse(relpath, source, wider)
            refs, more = analyse(relpath, tree, None, hot=wider)
        return refs, gaps + more


def _parse(relpath: str, data: bytes, hot: list[int] | None) -> tuple[ast.Module, bytes, list[Gap]]:
    """(the module, the source it was parsed from, gaps): only the relevant blocks when that
    works, else the whole file, else what can be read of it (the mended source)."""
    from aiospo_ci.scan.python_blocks import parse_relevant

    try:
        tree = parse_relevant(data, relpath, hot)
    except (RecursionError, MemoryError):
        tree = None
    if tree is not None:
        return tree, data, []
    try:
        return parse_python(data, relpath), data, []
    except ScanFailure:
        tree, source, gaps = parse_tolerant(data, relpath)
        return tree, source.encode("utf-8", "surrogatepass"), gaps


def _table_subclasses(tree: ast.Module) -> list[str]:
    """Classes defined at the top of the module that derive from a table class."""
    names = [st.name for st in tree.body if isinstance(st, ast.ClassDef) and st.bases]
    if not names:
        return []
    mod = ModuleFacts(ast.Module(body=[st for st in tree.body if isinstance(st, (ast.Import, ast.ImportFrom, ast.ClassDef))],
                                 type_ignores=[]), [])
    index = _index()
    return [n for n in names if any(index.names_class(alt) for alt in mod.base_qualnames(n))]


def _lines_naming(source: bytes, names: list[str], hot: list[int] | None) -> list[int] | None:
    """`hot` plus the lines where one of `names` is called; None when that adds nothing."""
    if not names or hot is None:
        return None
    import re

    found = set(hot)
    pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\s*\(")
    for m in pattern.finditer(source):
        found.add(source.count(b"\n", 0, m.start()) + 1)
    return sorted(found) if len(found) > len(hot) else None
