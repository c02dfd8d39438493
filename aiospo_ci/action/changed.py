"""What a pull request (or a push) changed, and which findings that puts in scope for
`only_changed`.

The changed files come from `git diff --name-status -z base...head` (exact names whatever
they hold: spaces, tabs, quotes, newlines, any Unicode; needs the merge base, so
`fetch-depth: 0`), else from the pull request's files in the API (names arrive as JSON). When
neither answers, the caller judges everything: failing on too much is safer than passing on a
guess.

A finding is in scope when the change touched anything that decides it. The scanners resolve a
reference's value (a constant, an f-string part, an environment default, a `revision=` or
`trust_remote_code=` argument) from anywhere in the same file, above or below the call, so a
change anywhere in a file puts every reference of that file in scope; a renamed file is
changed too (rules may depend on the path). A change to the configuration, the lockfile or the
policies decides every finding: then everything is in scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiospo_ci.action.git import Git, GitError, is_sha
from aiospo_ci.model import ModelReference

_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied", "T": "modified", "U": "modified"}
_API_STATUS = {"added": "added", "modified": "modified", "removed": "deleted", "renamed": "renamed", "copied": "copied", "changed": "modified", "unchanged": "modified"}


@dataclass(frozen=True)
class Change:
    """One changed file: its path in the new tree (the old one for a deletion)."""

    path: str
    status: str  # added | modified | deleted | renamed | copied
    old_path: str | None = None  # renamed and copied files

    def paths(self) -> tuple[str, ...]:
        return (self.path,) + ((self.old_path,) if self.old_path else ())


def parse_name_status(raw: bytes) -> list[Change]:
    """`git diff --name-status -z` output: STATUS NUL path NUL, or for renames and copies
    STATUS NUL old NUL new NUL. Names are bytes on disk; decoded as the file system does."""
    import os

    fields = raw.split(b"\0")
    changes: list[Change] = []
    i = 0
    while i < len(fields) and fields[i]:
        code = fields[i].decode("ascii", "replace")
        kind = _STATUS.get(code[:1])
        if kind is None:
            raise ValueError(f"unknown git status {code!r}")
        if code[:1] in "RC":
            old, new = os.fsdecode(fields[i + 1]), os.fsdecode(fields[i + 2])
            changes.append(Change(new, kind, old))
            i += 3
        else:
            changes.append(Change(os.fsdecode(fields[i + 1]), kind))
            i += 2
    return changes


def from_git(git: Git, base: str, head: str) -> list[Change] | None:
    """The changes from `base...head` (from their merge base), or None when git cannot tell
    (a commit or the merge base is not in the checkout)."""
    if not (is_sha(base) and is_sha(head)):
        return None
    try:
        raw = git.run("diff", "--name-status", "-z", "-M", "--no-color", "--no-ext-diff", "--no-textconv", f"{base}...{head}", "--")
        return parse_name_status(raw)
    except (GitError, ValueError, IndexError):
        return None


def from_api_files(files: Iterable[Any], expected: int | None = None) -> list[Change] | None:
    """From the pull request's files (`GET /repos/{o}/{r}/pulls/{n}/files`, PyGithub File
    objects). GitHub lists at most 3,000 files: a shorter list than the pull request's
    `changed_files` is incomplete, and None says the changes are unknown."""
    changes = []
    for f in files:
        status = _API_STATUS.get(f.status, "modified")
        changes.append(Change(f.filename, status, getattr(f, "previous_filename", None) if status in ("renamed", "copied") else None))
    if expected is not None and len(changes) < expected:
        return None
    return changes


@dataclass(frozen=True)
class Scope:
    """Which references decide the verdict under only_changed, and why the rest do not."""

    refs: frozenset[int]
    total: int
    everything: str | None = None  # why every reference is in scope, when it is

    def contains(self, ref: int | None) -> bool:
        return ref is None or ref in self.refs


def scope_of(references: Sequence[ModelReference], changes: Sequence[Change], decisive: Sequence[Change] = ()) -> Scope:
    """References in scope: all of them when a change decides every finding (`decisive`:
    configuration, lockfile, policies), else those in files the change touched."""
    if decisive:
        names = ", ".join(sorted({c.path for c in decisive}))
        return Scope(frozenset(range(len(references))), len(references), f"this change touches {names}, which decide every finding")
    touched = {c.path for c in changes if c.status != "deleted"}
    return Scope(frozenset(i for i, ref in enumerate(references) if ref.file in touched), len(references))
