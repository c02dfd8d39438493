"""Which files a scan reads: the tree under the root minus .gitignore, the configuration's
`exclude` and vendored folders, never following a symlink (so no loop and nothing outside the
root is ever read).

Symlinks are not followed at all: one that points inside the root names a file or folder the walk
reaches at its real place anyway, and one that points outside must not be read. Each is noted in
`skipped` with the reason.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiospo_ci.model import ScanError

# Third-party code copied into a repository: not this repository's model use.
VENDORED_DIRS = frozenset({
    "node_modules", ".venv", "venv", "site-packages", "third_party", "third-party", "vendor",
    "bower_components", "dist-packages",
})
# Tool state: never source, not worth a note.
QUIET_DIRS = frozenset({
    ".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox",
    ".nox", ".eggs", ".ipynb_checkpoints", ".hypothesis", ".cache",
})


@dataclass(frozen=True)
class FileEntry:
    relpath: str  # '/'-separated, relative to the root
    path: str  # absolute path to read
    size: int
    mtime_ns: int
    inode: int


class _Ignore:
    """.gitignore files (each applying below its own folder), .git/info/exclude and the
    configuration's `exclude`, evaluated as git does: the last matching pattern wins, and a
    folder that is ignored is not entered."""

    def __init__(self, root: Path, exclude: Sequence[str]):
        import pathspec

        self._pathspec = pathspec
        self._specs: dict[str, object | None] = {}
        lines: list[str] = []
        info = root / ".git" / "info" / "exclude"
        try:
            lines += info.read_text("utf-8", "replace").splitlines()
        except OSError:
            pass
        self._root_extra = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        self._exclude = pathspec.GitIgnoreSpec.from_lines(list(exclude)) if exclude else None
        self._root = root

    def _spec_for(self, reldir: str) -> object | None:
        if reldir not in self._specs:
            path = self._root / reldir / ".gitignore" if reldir else self._root / ".gitignore"
            spec = None
            try:
                if path.is_file() and not path.is_symlink():
                    spec = self._pathspec.GitIgnoreSpec.from_lines(path.read_text("utf-8", "replace").splitlines())
            except (OSError, ValueError):
                spec = None
            self._specs[reldir] = spec
        return self._specs[reldir]

    def ignored(self, relpath: str, is_dir: bool) -> bool:
        probe = relpath + "/" if is_dir else relpath
        if self._exclude is not None and self._exclude.match_file(probe):
            return True
        verdict: bool | None = None
        if self._root_extra is not None:
            r = self._root_extra.check_file(probe)  # type: ignore[attr-defined]
            if r.include is not None:
                verdict = r.include
        parts = relpath.split("/")
        for depth in range(len(parts)):
            reldir = "/".join(parts[:depth])
            spec = self._spec_for(reldir)
            if spec is None:
                continue
            sub = "/".join(parts[depth:]) + ("/" if is_dir else "")
            r = spec.check_file(sub)  # type: ignore[attr-defined]
            if r.include is not None:
                verdict = r.include
        return bool(verdict)


def _rel(root: str, path: str) -> str:
    rel = os.path.relpath(path, root)
    return rel.replace(os.sep, "/")


def walk(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    exclude: Sequence[str] = (),
    wanted: Callable[[str], bool] = lambda rel: True,
) -> tuple[list[FileEntry], list[ScanError], list[ScanError]]:
    """(files to read, errors, skipped). `wanted(relpath)` says whether any scanner reads a file
    of that name; other files are not even stat'ed twice."""
    root_str = os.path.realpath(str(root))
    ignore = _Ignore(Path(root_str), exclude)
    files: dict[str, FileEntry] = {}
    errors: list[ScanError] = []
    skipped: list[ScanError] = []

    def consider_file(rel: str, full: str, st: os.stat_result) -> None:
        if wanted(rel) and not ignore.ignored(rel, False):
            files[rel] = FileEntry(rel, full, st.st_size, st.st_mtime_ns, st.st_ino)

    def walk_dir(rel_dir: str, full_dir: str) -> None:
        stack = [(rel_dir, full_dir)]
        while stack:
            rd, fd = stack.pop()
            try:
                with os.scandir(fd) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as e:
                errors.append(ScanError(rd or ".", f"folder cannot be listed: {e.strerror or e}"))
                continue
            for entry in entries:
                rel = f"{rd}/{entry.name}" if rd else entry.name
                try:
                    if entry.is_symlink():
                        skipped.append(ScanError(rel, _symlink_note(root_str, entry.path)))
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name in QUIET_DIRS:
                            continue
                        if ignore.ignored(rel, True):
                            continue
                        if entry.name in VENDORED_DIRS or entry.name.endswith(".egg-info"):
                            skipped.append(ScanError(rel, "vendored folder, skipped by default"))
                            continue
                        stack.append((rel, entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        if not wanted(rel):
                            continue
                        consider_file(rel, entry.path, entry.stat(follow_symlinks=False))
                except OSError as e:  # vanished between listing and stat
                    errors.append(ScanError(rel, f"cannot be read: {e.strerror or e}"))

    if paths is None:
        walk_dir("", root_str)
    else:
        for given in paths:
            full = _absolute(root_str, given)
            rel = _rel(root_str, full)
            if rel == ".":
                walk_dir("", root_str)
                continue
            if rel.startswith("../") or rel == ".." or os.path.isabs(rel):
                errors.append(ScanError(str(given), f"is outside the scanned root {root_str}; give paths inside it"))
                continue
            if _under_ignored(ignore, rel):
                continue
            try:
                st = os.lstat(full)
            except OSError as e:
                errors.append(ScanError(rel, f"cannot be read: {e.strerror or e}"))
                continue
            if stat.S_ISLNK(st.st_mode):
                skipped.append(ScanError(rel, _symlink_note(root_str, full)))
            elif stat.S_ISDIR(st.st_mode):
                if any(p in VENDORED_DIRS or p in QUIET_DIRS for p in rel.split("/")):
                    skipped.append(ScanError(rel, "vendored folder, skipped by default"))
                else:
                    walk_dir(rel, full)
            elif stat.S_ISREG(st.st_mode):
                parts = rel.split("/")[:-1]
                if any(p in VENDORED_DIRS or p in QUIET_DIRS for p in parts):
                    continue
                consider_file(rel, full, st)
    return [files[k] for k in sorted(files)], sorted(set(errors)), sorted(set(skipped))


def _absolute(root: str, given: Path) -> str:
    """Absolute paths stay; relative ones are taken from the root (pre-commit runs there), or
    from the current folder when only that names an existing file."""
    p = str(given)
    if os.path.isabs(p):
        full = p
    else:
        full = os.path.join(root, p)
        if not os.path.lexists(full) and os.path.lexists(p):
            full = os.path.abspath(p)
    # Normalise without resolving symlinks in the last part (a link is noted, not followed),
    # but resolve the folders above it so /tmp vs /private/tmp style aliases compare equal.
    head, tail = os.path.split(os.path.normpath(full))
    return os.path.join(os.path.realpath(head), tail) if tail else os.path.realpath(head)


def _under_ignored(ignore: _Ignore, rel: str) -> bool:
    parts = rel.split("/")
    for i in range(1, len(parts)):
        if ignore.ignored("/".join(parts[:i]), True):
            return True
    return ignore.ignored(rel, False)


def _symlink_note(root: str, link: str) -> str:
    try:
        target = os.path.realpath(link)
    except (OSError, RuntimeError):
        return "symlink not followed (its target cannot be resolved)"
    if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
        return "symlink not followed (its target inside the root is scanned where it is)"
    return "symlink not followed (it points outside the scanned root)"

