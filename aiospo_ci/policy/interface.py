"""A Rego engine: loads the policy library and evaluates the one input document."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

#: The single query every engine answers: the aggregated, waiver-aware list of findings.
DECISION_PACKAGE = "aiospo.main"
DECISION_RULE = "findings"
DECISION_QUERY = f"data.{DECISION_PACKAGE}.{DECISION_RULE}"


class PolicyEngine(ABC):
    """Evaluates the policies once for the whole run (never once per reference)."""

    name: str = ""

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
