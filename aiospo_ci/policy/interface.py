"""A Rego engine: loads the policy library and evaluates the one input document."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from aiospo_ci.errors import PolicyError

#: The single query every engine answers: the aggregated, waiver-aware list of findings.
DECISION_PACKAGE = "aiospo.main"
DECISION_RULE = "findings"
DECISION_QUERY = f"data.{DECISION_PACKAGE}.{DECISION_RULE}"


class PolicyEngine(ABC):
    """Evaluates the policies once for the whole run (never once per reference)."""

    name: str = ""
    #: Sentences a run should show as warnings (for example that a fallback engine was used).
    notes: tuple[str, ...] = ()

    @abstractmethod
    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        """Load Rego modules (name -> source) and the base data document.
        Raise PolicyError naming the module when one does not compile."""

    @abstractmethod
    def evaluate(self, input_document: dict[str, Any]) -> list[dict[str, Any]]:
        """The raw findings (objects with rule, severity, message, ref, ...) for this input.
        Raise PolicyError when the decision is undefined or the engine fails: an absent
        decision must never read as 'no findings'."""

    def close(self) -> None:  # noqa: B027 - optional: most engines hold nothing
        """Release whatever the engine holds (a server process, a connection)."""

    def bundles(self) -> dict[str, str]:
        """The policy bundles (name -> revision) that decided the last evaluation, where the
        engine learns them itself (a central OPA's provenance); {} otherwise."""
        return {}

    def rule_metadata(self) -> dict[str, dict[str, Any]] | None:
        """The rules' titles and severities, when the engine judges with policies aiospo-ci did
        not load (a central OPA's bundle); None when they come from the loaded modules."""
        return None


class _Undefined:
    """A query without a value (Rego's undefined), distinct from every JSON value."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()


class InProcessEngine(PolicyEngine):
    """An engine inside this process (regorus, regopy). Its seams serve `check` and the policy
    author's tools alike: load modules and data once, then evaluate any query on an input
    (`policy eval`, the Rego unit tests of `policy test`, one test rule at a time)."""

    @abstractmethod
    def query_value(self, query: str, input_document: Any = None) -> Any:
        """The value of `query` (a Rego reference or expression) for this input, or UNDEFINED.
        Raise PolicyError with the engine's own message when evaluation fails."""

    def query(self, query: str, input_document: Any = None) -> Any:
        """The value of `query`; PolicyError when it is undefined."""
        value = self.query_value(query, input_document)
        if value is UNDEFINED:
            raise PolicyError(f"the decision {query} is undefined: a policy module failed to compile or a rule errored; run 'aiospo-ci policy test' to find it.")
        return value

    def evaluate(self, input_document: dict[str, Any]) -> list[dict[str, Any]]:
        return self.query(DECISION_QUERY, input_document)

    # What a policy author's tools observe (policy test, policy eval --debug); engines that
    # cannot observe keep these defaults and the tools say so.
    def set_observing(self, *, prints: bool = False, coverage: bool = False) -> None:
        """Collect `print` output and/or line coverage from the following evaluations."""

    def take_prints(self) -> list[str]:
        """The `print` lines (`file:row: message`) since the last call."""
        return []

    def coverage_lines(self) -> dict[str, tuple[set[int], set[int]]] | None:
        """file -> (covered rows, not covered rows) since coverage was turned on; None when the
        engine cannot measure coverage."""
        return None
