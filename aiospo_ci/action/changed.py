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

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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


# -- the lines a pull request added, in its head commit's numbering ---------------------------
#
# A review comment may only sit on a line of the pull request's diff (GitHub answers 422
# otherwise, for the whole review). The lines are read from `git diff base...head` (the diff
# GitHub shows: from the merge base to the head), else from the `patch` of each file in the
# pull request's files API. Only added lines count, not the context lines around them: a fix
# there is about code the pull request wrote, and context depends on diff settings that need not
# match GitHub's, while an added line is in every diff of the change.

_HUNK = re.compile(rb"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {ord(k): v for k, v in {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}.items()}


def unquote_path(raw: bytes) -> bytes:
    """A name as git writes it in a patch header: C-quoted (`"a\\tb\\"c\\303\\274"`) when it holds
    a control character, a quote or a backslash, else as is, with a tab after it when it holds a
    space (the `+++ b/name\\t` form)."""
    if not raw.startswith(b'"'):
        return raw[:-1] if raw.endswith(b"\t") else raw
    out = bytearray()
    i = 1
    while i < len(raw):
        c = raw[i]
        if c == ord('"'):
            return bytes(out)
        if c != ord("\\"):
            out.append(c)
            i += 1
            continue
        if re.fullmatch(rb"[0-3][0-7]{2}", raw[i + 1 : i + 4]):  # a byte, in octal
            out.append(int(raw[i + 1 : i + 4], 8))
            i += 4
        elif i + 1 < len(raw) and raw[i + 1] in _ESCAPES:
            out.append(_ESCAPES[raw[i + 1]])
            i += 2
        else:
            raise ValueError(f"bad escape in the quoted name {raw!r}")
    raise ValueError(f"unterminated quoted name {raw!r}")


def _hunks(lines: Sequence[bytes], i: int, added: set[int]) -> int:
    """Read the hunks starting at lines[i], adding the head-side numbers of added lines; the
    index after them. Each hunk is read by its header's counts, so no content can end it early."""
    while i < len(lines):
        header = _HUNK.match(lines[i])
        if header is None:
            break
        old_left = int(header.group(1) or 1)
        line = int(header.group(2))
        new_left = int(header.group(3) or 1)
        i += 1
        while old_left > 0 or new_left > 0:
            if i >= len(lines):
                raise ValueError("a hunk ends before its header's line counts")
            tag = lines[i][:1]
            if tag == b"+":
                added.add(line)
                line, new_left = line + 1, new_left - 1
            elif tag == b"-":
                old_left -= 1
            elif tag == b" ":
                line, old_left, new_left = line + 1, old_left - 1, new_left - 1
            elif tag != b"\\":
                raise ValueError(f"a hunk holds the line {lines[i][:80]!r}, which is no diff line")
            i += 1
            if old_left < 0 or new_left < 0:
                raise ValueError("a hunk holds more lines than its header counts")
        while i < len(lines) and lines[i].startswith(b"\\"):  # "\\ No newline at end of file"
            i += 1
    return i


def added_in_patch(patch: str) -> frozenset[int]:
    """The head-side lines one file's patch adds (the API's `patch` field: hunks from the first
    `@@`). Lines end at LF only, as git counts them: a form feed or U+2028 ends no line."""
    added: set[int] = set()
    lines = patch.encode("utf-8").split(b"\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith(b"@@ "):
            i = _hunks(lines, i, added)
        elif lines[i] in (b"", b"\\ No newline at end of file"):
            i += 1
        else:
            raise ValueError(f"unexpected line in a patch: {lines[i][:80]!r}")
    return frozenset(added)


def parse_added_lines(raw: bytes) -> dict[str, frozenset[int]]:
    """`git diff` patch output to {head path: lines added}. A file's head path is read from its
    `+++ b/...` header (absent for deleted, binary and unchanged renamed files, which add no line)."""
    lines = raw.split(b"\n")
    found: dict[str, set[int]] = {}
    path: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(b"diff --git "):
            path = None
        elif line.startswith(b"+++ "):
            name = unquote_path(line[4:])
            path = os.fsdecode(name[2:]) if name.startswith(b"b/") else None  # None: /dev/null
        elif line.startswith(b"@@ "):
            added: set[int] = set()
            i = _hunks(lines, i, added)
            if path is not None:
                found.setdefault(path, set()).update(added)
            continue
        i += 1
    return {p: frozenset(s) for p, s in found.items()}


@dataclass
class AddedLines:
    """For each asked file, the head-side lines the pull request added, or why they are unknown."""

    lines: dict[str, frozenset[int]] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)  # path -> why
    source: str = ""


def added_from_git(git: Git, base: str, head: str, paths: Iterable[str], changes: Sequence[Change] | None) -> AddedLines | None:
    """From `git diff base...head` for `paths` (with the names renamed files had, so a rename
    is diffed against its old self as GitHub shows it); None when git cannot tell (a commit or
    the merge base is not in the checkout)."""
    if not (is_sha(base) and is_sha(head)):
        return None
    wanted = sorted(set(paths))
    old = {c.path: c.old_path for c in changes or () if c.old_path}
    spec = sorted({*wanted, *(old[p] for p in wanted if p in old)})
    try:
        raw = git.run(
            "diff", "-U0", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative", "--diff-algorithm=myers",
            "--src-prefix=a/", "--dst-prefix=b/", f"{base}...{head}", "--", *(":(literal)" + p for p in spec),
        )
        found = parse_added_lines(raw)
    except (GitError, ValueError):
        return None
    return AddedLines({p: found.get(p, frozenset()) for p in wanted}, source="git diff base...head")


def added_from_api(files: Iterable[Any], expected: int | None, paths: Iterable[str]) -> AddedLines:
    """From the `patch` of each file in the pull request's files API (PyGithub File objects).
    GitHub leaves `patch` out for large and binary diffs and lists at most 3,000 files."""
    listed = {f.filename: f for f in files}
    complete = expected is None or len(listed) >= expected
    out = AddedLines(source="the pull request's files (API)")
    for path in sorted(set(paths)):
        entry = listed.get(path)
        if entry is None:
            if complete:
                out.lines[path] = frozenset()
            else:
                out.unknown[path] = "the API lists fewer files than the pull request changes (GitHub stops at 3,000)"
            continue
        patch = getattr(entry, "patch", None)
        if not patch:
            out.unknown[path] = "the API gives no diff for it (GitHub leaves out large and binary diffs)"
            continue
        try:
            out.lines[path] = added_in_patch(patch)
        except ValueError as exc:
            out.unknown[path] = f"its diff from the API could not be read ({exc})"
    return out
