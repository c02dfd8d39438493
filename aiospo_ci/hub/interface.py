"""A source of facts about Hub repos."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from aiospo_ci.model import HubFacts, Kind


@dataclass(frozen=True, order=True)
class FactsKey:
    """What one lookup is about: a repo, of a kind, at a revision (None: the default branch)."""

    kind: Kind
    id: str
    revision: str | None = None


class FactsSource(ABC):
    """Answers facts for many repos at once. Failures become facts (status 'error',
    'not_found', 'unknown'), never exceptions, so the policies judge them."""

    @abstractmethod
    def facts(self, keys: list[FactsKey]) -> dict[FactsKey, HubFacts]:
        """Facts for every key; the result has exactly the keys asked for."""


def key_order(key: FactsKey) -> tuple[str, str, int, str]:
    """A total order on keys (the dataclass order fails comparing a None revision with a str)."""
    return (key.kind, key.id, 0 if key.revision is None else 1, key.revision or "")
