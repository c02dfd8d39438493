"""The embedded engine: Microsoft's rego-cpp (regopy), in process, so `pip install` alone gives
a working tool with no OPA binary."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.interface import DECISION_QUERY, PolicyEngine

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


class EmbeddedEngine(PolicyEngine):
    name = "embedded"

    def __init__(self) -> None:
        from regopy import Interpreter

        self._interpreter = Interpreter()
        self._loaded = False

    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        from regopy import RegoError

        try:
            with _native_stdout_to_stderr():
                for name in sorted(modules):
                    self._interpreter.add_module(name, modules[name])
                if data:
                    self._interpreter.add_data_json(json.dumps(data, ensure_ascii=False))
        except RegoError as exc:
            raise PolicyError(f"the policies do not compile: {describe_rego_error(exc)}; fix that module or remove it from --policy.") from None
        self._loaded = True

    def query(self, query: str, input_document: Any) -> Any:
        """Evaluate `query` (a Rego expression) and return its value; PolicyError when undefined."""
        from regopy import Input, RegoError
        from regopy.interpreter import rego_query
        from regopy.output import rego_free_output, rego_output_node, rego_output_ok, rego_output_string

        if not self._loaded:
            raise PolicyError("no policies were loaded before evaluation; this is a bug in aiospo-ci.")
        from aiospo_ci.secrets import environment_hidden

        try:
            # rego-cpp answers opa.runtime().env from the live process environment: a policy
            # from the repository under review must not read the job's tokens that way.
            with _native_stdout_to_stderr(), environment_hidden():
                self._interpreter.set_input(Input(_escaped_strings(input_document)))
                output = rego_query(self._interpreter._impl, f"x := {query}")
        except RegoError as exc:
            raise PolicyError(f"the policies failed to evaluate: {describe_rego_error(exc)}.") from None
        try:
            if not rego_output_ok(output):
                raise PolicyError(f"the policies failed to evaluate: {describe_rego_error(Exception(rego_output_string(output)))}.")
            if rego_output_string(output).strip() == "undefined":
                raise PolicyError(f"the decision {query} is undefined: a policy module failed to compile or a rule errored; run 'aiospo-ci policy test' to find it.")
            found, value = _binding(rego_output_node(output), "x")
        finally:
            rego_free_output(output)
        if not found:
            raise PolicyError(f"the decision {query} is undefined; check that the policy library is loaded.")
        return value

    def evaluate(self, input_document: dict[str, Any]) -> list[dict[str, Any]]:
        return self.query(DECISION_QUERY, input_document)
