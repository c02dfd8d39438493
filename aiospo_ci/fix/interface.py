"""What a file fixer receives and answers: edits in, the new text and what was not done out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

# pin: set the revision to a full commit; drop_trust_remote_code: remove trust_remote_code=True;
# use_safetensors: turn use_safetensors=False into True.
Action = Literal["pin", "drop_trust_remote_code", "use_safetensors"]


@dataclass(frozen=True)
class Edit:
    """One change at one reference: where (as the scanner placed it) and what."""

    file: str
    line: int
    column: int | None
    model: str
    action: Action
    sha: str | None = None  # for pin: the 40-character commit
    revision_keyword: str = "revision"  # for pin in Python: the loader's keyword (scan/python_apis.py)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def describe(self) -> str:
        if self.action == "pin":
            return f"pin {self.model} to {self.sha}"
        if self.action == "drop_trust_remote_code":
            return f"remove trust_remote_code=True for {self.model}"
        return f"use_safetensors=True for {self.model}"


@dataclass(frozen=True)
class Skipped:
    edit: Edit
    reason: str


@dataclass(frozen=True)
class FileFix:
    """A fixer's answer for one file: the new text and the edits it could not make."""

    text: str
    applied: tuple[Edit, ...] = ()
    skipped: tuple[Skipped, ...] = field(default_factory=tuple)


class FileFixer(ABC):
    """Applies edits to one kind of file. `fix` must keep every byte it does not change, and
    answer a text that still parses."""

    @abstractmethod
    def handles(self, relpath: str) -> bool: ...

    @abstractmethod
    def fix(self, text: str, edits: Sequence[Edit]) -> FileFix: ...
