"""A source of model references: one implementation per kind of file."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import NamedTuple

from aiospo_ci.model import ModelReference


class Gap(NamedTuple):
    """A part of a file a scanner could not read (a cell or a block that does not parse, a
    resolution that ran out of budget): it becomes an Unread entry for the file."""

    cause: str  # one of model.UNREAD_CAUSES
    reason: str  # one sentence
    line: int | None = None


class ScanFailure(Exception):
    """This file could not be read at all; the message becomes an Unread entry and the scan goes on."""

    def __init__(self, message: str, cause: str = "parse", line: int | None = None):
        super().__init__(message)
        self.cause, self.line = cause, line


class Scanner(ABC):
    """Finds model references in one kind of file.

    Scanners are pure functions of (relative path, bytes): they never import, execute or
    unpickle what they read, and never touch the network, so results can be cached by
    content hash and computed in worker processes.
    """

    #: short name shown in errors and `--verbose`, e.g. 'python'
    name: str = ""
    #: bump when the scanner's output for the same bytes changes: it is part of the cache key
    version: str = "1"
    #: whether the scanner reads binary files (committed weights); text scanners never see a
    #: file whose first bytes hold a NUL
    binary: bool = False

    @abstractmethod
    def handles(self, relpath: str) -> bool:
        """Whether this scanner reads files at this '/'-separated relative path."""

    def may_contain(self, data: bytes) -> bool:
        """A cheap byte-level prefilter: False means the file cannot hold a reference
        and is not parsed at all. The default parses everything."""
        return True

    @abstractmethod
    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        """The references in this file. Raise ScanFailure for a file that cannot be read."""

    def scan_with_notes(self, relpath: str, data: bytes) -> tuple[list[ModelReference], list[Gap]]:
        """The references plus the parts that could not be read (a notebook cell with a syntax
        error, a block written in newer syntax) while the rest of the file was."""
        return self.scan(relpath, data), []
