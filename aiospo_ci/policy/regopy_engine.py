"""The fallback embedded engine: Microsoft's rego-cpp (regopy), in process. It has wheels where
regorus has none (musllinux), so `pip install` alone still gives a working tool there; it is
slower than regorus and disagrees with OPA on more builtins (docs/engines.md)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.interface import UNDEFINED, InProcessEngine

# rego-cpp reports errors as an s-expression: (error 8:bad.rego|30|2 (errormsg 27:Invalid ...
_ERROR_FILE = re.compile(r"\(error \d+:([^|\s]+)\|")
_ERROR_MSG = re.compile(r"\(errormsg \d+:([^)\n]*)")


def describe_rego_error(exc: Exception) -> str:
    """One sentence from a rego-cpp error: the module and the first message."""
    text = str(exc)
    files = _ERROR_FILE.findall(text)
    messages = _ERROR_MSG.findall(text)
    where = files[0] if files else "a policy module"
    what = messages[0].strip() if messages else text.strip().splitlines()[0] if text.strip() else "unknown error"
    return f"{where}: {what}"


@contextlib.contextmanager
def _native_stdout_to_stderr() -> Iterator[None]:
    """rego-cpp prints compile errors on the process's stdout, which would corrupt a JSON or
    SARIF report written there; send the native fd 1 to fd 2 while it works."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real fd 1 (embedded in another host): nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _rego_string(value: str) -> str:
    """A Python string in the form rego-cpp keeps strings internally: the body of a JSON string
    literal (quotes and backslashes escaped, other characters as they are). Policy literals and
    data are held so; input strings must be too, or `input.x == "a\\"b"` and every string a
    policy builds from input (sprintf, concat) would differ from what OPA computes."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _escaped_strings(value: Any) -> Any:
    """The input document with every string (keys too) in rego-cpp's internal form."""
    if isinstance(value, str):
        return _rego_string(value)
    if isinstance(value, dict):
        return {_rego_string(str(k)): _escaped_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped_strings(v) for v in value]
    return value


def _decode_string(value: str) -> str:
    """A string node's value as Python text. rego-cpp keeps a string either as a whole JSON
    literal with its quotes (a value passed through a function: '"x/y"') or as the escaped
    body of one ('x\\"y'); an unescaped leading quote can only start the first form."""
    try:
        return json.loads(value if value.startswith('"') else f'"{value}"')
    except ValueError:  # not in either form (a rego-cpp builtin mangled it): keep it as is
        return value


def _node_to_python(handle: Any) -> Any:
    """Convert a rego-cpp result node to Python values.

    regopy's own Output parses rego-cpp's JSON text, which does not escape quotes or
    backslashes inside strings (a file name or expression with a quote breaks it), so the
    node tree is walked directly. String node values are in rego-cpp's source form (see
    `_rego_string`), so each is decoded.
    """
    from regopy.rego_shared import NodeKind, rego_node_get, rego_node_size, rego_node_type, rego_node_value

    kind = rego_node_type(handle)
    if kind in (NodeKind.Term, NodeKind.Scalar):
        return _node_to_python(rego_node_get(handle, 0))
    size = rego_node_size(handle)
    if kind in (NodeKind.Array, NodeKind.Set):
        return [_node_to_python(rego_node_get(handle, i)) for i in range(size)]
    if kind == NodeKind.Object:
        items = (rego_node_get(handle, i) for i in range(size))
        return {_node_to_python(rego_node_get(item, 0)): _node_to_python(rego_node_get(item, 1)) for item in items}
    value = rego_node_value(handle)
    if kind == NodeKind.String:
        return _decode_string(value)
    if kind == NodeKind.Int:
        return int(value)
    if kind == NodeKind.Float:
        return float(value)
    if kind in (NodeKind.Boolean, NodeKind.True_, NodeKind.False_):
        return value == "true"
    if kind == NodeKind.Null:
        return None
    raise PolicyError(f"the embedded engine returned an unexpected value kind {kind}; this is a bug in aiospo-ci.")


def _binding(results: Any, name: str) -> tuple[bool, Any]:
    """Find the value bound to `name` in a Results node."""
    from regopy.rego_shared import NodeKind, rego_node_get, rego_node_size, rego_node_type, rego_node_value

    for r in range(rego_node_size(results)):
        result = rego_node_get(results, r)
        for c in range(rego_node_size(result)):
            part = rego_node_get(result, c)
            if rego_node_type(part) != NodeKind.Bindings:
                continue
            for b in range(rego_node_size(part)):
                binding = rego_node_get(part, b)
                if rego_node_value(rego_node_get(binding, 0)) == name:
                    return True, _node_to_python(rego_node_get(binding, 1))
    return False, None


# rego-cpp 1.5.2 crashes the whole process (SIGSEGV/SIGBUS) on two
# valid Rego constructs; refuse them with a sentence instead. See rego/README.md.
_FUNCTION_HEAD = re.compile(r"^([A-Za-z_]\w*)\(([^)\n]*)\)\s*(?::=|=|if\b|\{)", re.MULTILINE)
_WITH_WHOLE_INPUT = re.compile(r"\bwith\s+input\s+as\b")
# rego-cpp's opa.runtime() carries the whole process environment (tokens included) in `env`.
_OPA_RUNTIME = re.compile(r"\bopa\s*\.\s*runtime\b")


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def check_engine_pitfalls(modules: dict[str, str]) -> None:
    """PolicyError when modules use constructs that crash rego-cpp (functions of one name with
    different arities, even in different packages; ``with input as`` replacing the whole input)
    or that hand the policies the process environment (``opa.runtime()``)."""
    arities: dict[str, tuple[int, str, int]] = {}
    for name in sorted(modules):
        source = modules[name]
        for match in _FUNCTION_HEAD.finditer(source):
            fn, args = match.group(1), match.group(2).strip()
            arity = len([a for a in args.split(",") if a.strip()]) if args else 0
            line = _line_of(source, match.start())
            seen = arities.setdefault(fn, (arity, name, line))
            if seen[0] != arity:
                raise PolicyError(
                    f"{name}:{line}: function {fn} takes {arity} arguments but {seen[1]}:{seen[2]} defines {fn} with {seen[0]}; "
                    "the regopy engine (rego-cpp) crashes on that, so give one of them another name or use --engine regorus."
                )
        runtime = _OPA_RUNTIME.search(source)
        if runtime:
            raise PolicyError(
                f"{name}:{_line_of(source, runtime.start())}: opa.runtime() gives policies the process environment on the regopy engine; "
                "a policy may not read the environment, so remove it (or use --engine regorus, where it holds no environment)."
            )
        whole_input = _WITH_WHOLE_INPUT.search(source)
        if whole_input:
            raise PolicyError(
                f"{name}:{_line_of(source, whole_input.start())}: `with input as` replaces the whole input, which crashes the regopy engine (rego-cpp); "
                "replace its fields instead, e.g. `with input.config as {...} with input.references as [...]`."
            )


class RegopyEngine(InProcessEngine):
    name = "regopy"

    def __init__(self) -> None:
        try:
            from regopy import Interpreter
        except ImportError as exc:
            raise PolicyError(f"the regopy engine is not installed ({exc}); install it with `pip install regopy` or choose --engine regorus.") from None

        self._interpreter = Interpreter()
        self._loaded = False

    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        from regopy import RegoError

        check_engine_pitfalls(modules)
        try:
            with _native_stdout_to_stderr():
                for name in sorted(modules):
                    self._interpreter.add_module(name, modules[name])
                if data:
                    self._interpreter.add_data_json(json.dumps(data, ensure_ascii=False))
        except RegoError as exc:
            raise PolicyError(f"the policies do not compile: {describe_rego_error(exc)}; fix that module or remove it from --policy.") from None
        self._loaded = True

    def query_value(self, query: str, input_document: Any = None) -> Any:
        from regopy import Input, RegoError
        from regopy.interpreter import rego_query
        from regopy.output import rego_free_output, rego_output_node, rego_output_ok, rego_output_string

        if not self._loaded:
            raise PolicyError("no policies were loaded before evaluation; this is a bug in aiospo-ci.")
        from aiospo_ci.secrets import environment_hidden

        try:
            # rego-cpp answers opa.runtime().env from the live process environment; the loader
            # refuses opa.runtime(), and the environment is hidden as well in case a construct
            # reaches it another way: a policy from the repository must not read the job's tokens.
            with _native_stdout_to_stderr(), environment_hidden():
                self._interpreter.set_input(Input(_escaped_strings(input_document if input_document is not None else {})))
                output = rego_query(self._interpreter._impl, f"x := {query}")
        except RegoError as exc:
            raise PolicyError(f"the policies failed to evaluate: {describe_rego_error(exc)}.") from None
        try:
            if not rego_output_ok(output):
                raise PolicyError(f"the policies failed to evaluate: {describe_rego_error(Exception(rego_output_string(output)))}.")
            if rego_output_string(output).strip() == "undefined":
                return UNDEFINED
            found, value = _binding(rego_output_node(output), "x")
        finally:
            rego_free_output(output)
        return value if found else UNDEFINED
