"""The default embedded engine: Microsoft's regorus (Rust), in process, through the Python
bindings published on PyPI as `gordon-to-regorus` (import name `regorus`).

Chosen on evidence (docs/engines.md): the same decisions as OPA's Go evaluator on the library's
tests, the conformance corpus and generated documents, at about OPA's speed. The library avoids
the two regorus bugs it met (rego/README.md "Engine differences"); tests/engines keeps a minimal
reproduction of each so the day upstream fixes one is visible.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.interface import UNDEFINED, InProcessEngine

#: The pinned release (pyproject.toml pins the same; the conformance suite guards it).
PINNED_VERSION = "0.13.0"
INSTALL = f"pip install gordon-to-regorus=={PINNED_VERSION}"

# regorus errors read "\n--> file:row:col\n  |\n2 | source\n  |   ^\nerror: message\n\nStack backtrace: ..."
_LOCATION = re.compile(r"-->\s*(\S+?):(\d+):(\d+)")
_MESSAGE = re.compile(r"^error:\s*(.+)$", re.MULTILINE)


def describe_regorus_error(exc: BaseException) -> str:
    """One line from a regorus error: where (module:line:column) and the engine's own message."""
    text = str(exc)
    location = _LOCATION.search(text)
    message = _MESSAGE.search(text)
    what = message.group(1).strip() if message else next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    where = f"{location.group(1)}:{location.group(2)}:{location.group(3)}" if location else "a policy module"
    return f"{where}: {what}"


class RegorusEngine(InProcessEngine):
    name = "regorus"

    def __init__(self) -> None:
        try:
            import regorus
        except ImportError as exc:
            raise PolicyError(f"the regorus engine is not installed ({exc}); install it with `{INSTALL}` or choose --engine regopy.") from None
        self._engine = regorus.Engine()
        self._loaded = False

    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        for name in sorted(modules):
            try:
                self._engine.add_policy(name, modules[name])
            except (RuntimeError, ValueError) as exc:
                raise PolicyError(f"the policies do not compile: {describe_regorus_error(exc)}; fix that module or remove it from --policy.") from None
        if data:
            try:
                self._engine.add_data_json(json.dumps(data, ensure_ascii=False))
            except (RuntimeError, ValueError) as exc:
                raise PolicyError(f"the policy data could not be loaded: {describe_regorus_error(exc)}; fix the data.json files.") from None
        self._loaded = True

    def set_observing(self, *, prints: bool = False, coverage: bool = False) -> None:
        self._engine.set_gather_prints(prints)
        self._engine.set_enable_coverage(coverage)

    def take_prints(self) -> list[str]:
        return list(self._engine.take_prints())

    def coverage_lines(self) -> dict[str, tuple[set[int], set[int]]] | None:
        report = json.loads(self._engine.get_coverage_report_as_json())
        return {f["path"]: (set(f.get("covered") or ()), set(f.get("not_covered") or ())) for f in report.get("files") or ()}

    def query_value(self, query: str, input_document: Any = None) -> Any:
        if not self._loaded:
            raise PolicyError("no policies were loaded before evaluation; this is a bug in aiospo-ci.")
        try:
            # JSON both ways: regorus returns Rego sets as Python sets, which cannot hold objects.
            self._engine.set_input_json(json.dumps(input_document if input_document is not None else {}, ensure_ascii=False))
            answer = json.loads(self._engine.eval_query_as_json(f"aiospo_value := {query}"))
        except (RuntimeError, ValueError) as exc:
            raise PolicyError(f"the policies failed to evaluate: {describe_regorus_error(exc)}.") from None
        results = answer.get("result") or []
        if not results:
            return UNDEFINED
        return results[0]["bindings"]["aiospo_value"]
