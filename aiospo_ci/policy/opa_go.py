"""OPA's own Go evaluator in process, through `opa-golib-python-bindings` (an optional extra:
`pip install --ignore-requires-python 'aiospo-ci[opa]'`; its metadata asks for Python 3.14 but
it loads on 3.10+). It is OPA itself, so where it is installed `--engine opa` needs neither a
server nor a binary, and `policy test --engine opa|both` runs the tests exactly as `opa test`
would. It evaluates with strict builtin errors: a builtin error stops the evaluation (exit 2),
as on an OPA server, which aiospo-ci asks with `strict-builtin-errors` (policy/opa.py).
"""

from __future__ import annotations

from typing import Any

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.interface import UNDEFINED, InProcessEngine

INSTALL = "pip install --ignore-requires-python opa-golib-python-bindings"


def opa_go_installed() -> bool:
    try:
        from opa_bindings.engine import OpaEngine  # noqa: F401
    except ImportError:
        return False
    return True


class OpaGoEngine(InProcessEngine):
    name = "opa"
    label = "OPA (Go evaluator in process)"

    def __init__(self) -> None:
        try:
            from opa_bindings.engine import OpaEngine
        except ImportError as exc:
            raise PolicyError(f"OPA's Go evaluator is not installed ({exc}); install it with `{INSTALL}`, or give --opa-url.") from None
        self._engine = OpaEngine()
        self._engine.print_handler = self._on_print
        self._prints: list[str] = []
        self._coverage: dict[str, Any] | None = None
        self._loaded = False

    def _on_print(self, message: str, location: str) -> None:
        self._prints.append(f"{location}: {message}")

    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        from opa_bindings.engine import OpaError

        try:
            for name in sorted(modules):
                self._engine.add_policy(name, modules[name])
            if data:
                self._engine.add_data(data, "")
            self._engine.eval_query("x := true")  # OPA compiles on the first query: fail at load
        except OpaError as exc:
            raise PolicyError(f"the policies do not compile: {_describe(exc)}; fix that module or remove it from --policy.") from None
        self._loaded = True

    def set_observing(self, *, prints: bool = False, coverage: bool = False) -> None:
        self._observe_coverage = coverage
        if coverage and self._coverage is None:
            self._coverage = {}

    def take_prints(self) -> list[str]:
        prints, self._prints = self._prints, []
        return prints

    def coverage_lines(self) -> dict[str, tuple[set[int], set[int]]] | None:
        """file -> (covered rows, not covered rows), over every evaluation since coverage was on."""
        return self._coverage

    def query_value(self, query: str, input_document: Any = None) -> Any:
        from opa_bindings.engine import OpaError

        if not self._loaded:
            raise PolicyError("no policies were loaded before evaluation; this is a bug in aiospo-ci.")
        observe = self._coverage is not None and getattr(self, "_observe_coverage", False)
        try:
            rows = self._engine.eval_query(f"aiospo_value := {query}", input_document if input_document is not None else {}, coverage=observe)
        except OpaError as exc:
            raise PolicyError(f"the policies failed to evaluate: {_describe(exc)}.") from None
        finally:
            if observe and self._engine.last_coverage:
                _merge_coverage(self._coverage, self._engine.last_coverage)
        if not rows:
            return UNDEFINED
        return rows[0]["aiospo_value"]

    def close(self) -> None:
        self._engine.close()


def _describe(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    message = message.replace("bundle activation failed: ", "")
    return " ".join(message.split())


def _merge_coverage(into: dict[str, Any] | None, report: dict[str, Any]) -> None:
    """Add one evaluation's coverage (OPA's report: files -> covered/not_covered ranges)."""
    if into is None:
        return
    for path, entry in (report.get("files") or {}).items():
        covered, not_covered = into.setdefault(path, (set(), set()))
        for key, rows in (("covered", covered), ("not_covered", not_covered)):
            for span in entry.get(key) or ():
                rows.update(range(span["start"]["row"], span["end"]["row"] + 1))
