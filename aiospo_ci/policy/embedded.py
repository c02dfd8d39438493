"""The embedded engine: Microsoft's rego-cpp (regopy), in process, so `pip install` alone gives
a working tool with no OPA binary."""

from __future__ import annotations

import json
import re
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


class EmbeddedEngine(PolicyEngine):
    name = "embedded"

    def __init__(self) -> None:
        from regopy import Interpreter

        self._interpreter = Interpreter()
        self._loaded = False

    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        from regopy import RegoError

        try:
            for name in sorted(modules):
                self._interpreter.add_module(name, modules[name])
            if data:
                self._interpreter.add_data_json(json.dumps(data))
        except RegoError as exc:
            raise PolicyError(f"the policies do not compile: {describe_rego_error(exc)}; fix that module or remove it from --policy.") from None
        self._loaded = True

    def query(self, query: str, input_document: Any) -> Any:
        """Evaluate `query` (a Rego expression) and return its value; PolicyError when undefined."""
        from regopy import Input, RegoError

        if not self._loaded:
            raise PolicyError("no policies were loaded before evaluation; this is a bug in aiospo-ci.")
        try:
            self._interpreter.set_input(Input(input_document))
            output = self._interpreter.query(f"x := {query}")
        except RegoError as exc:
            raise PolicyError(f"the policies failed to evaluate: {describe_rego_error(exc)}.") from None
        text = str(output)
        if not output.ok() or text.strip() == "undefined":
            raise PolicyError(f"the decision {query} is undefined: a policy module failed to compile or a rule errored; run 'aiospo-ci policy test' to find it.")
        try:
            value = json.loads(text)
        except ValueError:
            raise PolicyError(f"the embedded engine gave an unreadable answer for {query}: {text[:200]}") from None
        results = value if isinstance(value, list) else [value]
        for result in results:
            bindings = result.get("bindings") if isinstance(result, dict) else None
            if bindings and "x" in bindings:
                return bindings["x"]
        raise PolicyError(f"the decision {query} is undefined; check that the policy library is loaded.")

    def evaluate(self, input_document: dict[str, Any]) -> list[dict[str, Any]]:
        return self.query(DECISION_QUERY, input_document)
