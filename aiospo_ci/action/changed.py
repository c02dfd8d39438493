"""Which lines a pull request changed, for `only_changed`.

First `git diff base...head` in the workspace (exact, needs both commits: `fetch-depth: 0`),
else the pull request's files from the API (its `patch` per file; GitHub leaves the patch out
for binary and very large files, which then count as changed throughout). When neither answers,
the caller judges everything: failing on too much is safer than passing on a guess.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiospo_ci.model import ModelReference

#: path -> the changed line numbers in the new file, or None for "the whole file".
ChangedLines = dict[str, frozenset[int] | None]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def added_lines(patch: str) -> frozenset[int]:
    """Line numbers (in the new file) that a unified diff adds or changes."""
    lines: set[int] = set()
    new_line = 0
    in_hunk = False
    for text in patch.splitlines():
        match = _HUNK.match(text)
        if match:
            new_line = int(match.group(1))
            in_hunk = True
            continue
        if not in_hunk or text.startswith("\\"):
            continue
        if text.startswith("+"):
            lines.add(new_line)
            new_line += 1
        elif text.startswith(" ") or text == "":
            new_line += 1
        elif text.startswith("-"):
            continue
        else:  # the next file's header in a multi-file diff
            in_hunk = False
    return frozenset(lines)


def _git(workspace: Path, *args: str) -> bytes | None:
    env = dict(os.environ)
    # The workspace is mounted from the runner with another owner; without this git refuses
    # ("dubious ownership"). Only this read-only diff sees the setting.
    env.update({"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*", "GIT_TERMINAL_PROMPT": "0"})
    try:
        done = subprocess.run(
            ["git", "-C", str(workspace), *args], capture_output=True, env=env, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def from_git(workspace: Path, base: str, head: str) -> ChangedLines | None:
    """The PR's changes from `git diff base...head`, or None when git or a commit is missing."""
    if not (re.fullmatch(r"[0-9a-fA-F]{7,64}", base) and re.fullmatch(r"[0-9a-fA-F]{7,64}", head)):
        return None
    common = ("diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", f"{base}...{head}")
    status = _git(workspace, *common, "--name-status", "-z")
    if status is None:
        return None
    changed: ChangedLines = {}
    fields = status.decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(fields) - 1:
        code = fields[i]
        if not code:
            i += 1
            continue
        if code[0] in "RC":  # rename/copy: old path, new path
            path, i = fields[i + 2], i + 3
            changed[path] = frozenset() if code[1:] == "100" else None
        else:
            path, i = fields[i + 1], i + 2
            if code[0] != "D":
                changed[path] = None  # until the hunks say which lines (binary stays whole-file)
    patch = _git(workspace, "-c", "core.quotePath=false", *common, "--unified=0")
    if patch is None:
        return None
    for path, text in _split_by_file(patch.decode("utf-8", "surrogateescape")):
        if path in changed:
            lines = added_lines(text)
            if lines or changed[path] is None:
                changed[path] = lines if lines else changed[path]
    return changed


def _split_by_file(patch: str) -> Iterable[tuple[str, str]]:
    """(new path, its hunks) for each `+++ b/path` section of a multi-file diff."""
    current: str | None = None
    chunk: list[str] = []
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            if current is not None:
                yield current, "\n".join(chunk)
            current, chunk = None, []
            continue
        if line.startswith("+++ "):
            target = line[4:]
            if target.startswith('"'):
                target = target.strip('"').encode("latin-1", "backslashreplace").decode("unicode_escape")
            current = target[2:] if target.startswith("b/") else None
            continue
        chunk.append(line)
    if current is not None:
        yield current, "\n".join(chunk)


def from_api_files(files: Iterable[Any]) -> ChangedLines:
    """From PyGithub File objects (`GET /repos/{o}/{r}/pulls/{n}/files`)."""
    changed: ChangedLines = {}
    for f in files:
        if f.status == "removed":
            continue
        patch = f.patch
        if patch:
            changed[f.filename] = added_lines(patch)
        elif f.status == "renamed" and not f.changes:
            changed[f.filename] = frozenset()
        else:
            changed[f.filename] = None  # binary or too large for a patch: the whole file counts
    return changed


def touched(ref: ModelReference, changed: ChangedLines) -> bool:
    if ref.file not in changed:
        return False
    lines = changed[ref.file]
    if lines is None:
        return True
    # notebooks and weight files: lines in the JSON or a binary do not map to what the PR shows
    if ref.cell is not None or ref.source == "file":
        return bool(lines)
    return ref.line in lines
