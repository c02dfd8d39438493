"""Which files a scan reads.

In a git checkout: the files git tracks plus the untracked files it does not ignore (`git
ls-files`), so a .gitignore never hides a tracked file and a tracked file inside a vendored
folder is still read; only the configuration's `exclude` leaves a tracked file out. Untracked
content of vendored folders (an unignored `.venv`) is skipped with a note. A checked-out
submodule is listed the same way; one that is not checked out is noted.

Elsewhere (an unpacked archive, a folder that git ignores): the tree under the root minus
.gitignore files (gitignore.py), .git/info/exclude, the configuration's `exclude` and vendored
folders.

Symlinks are never followed: one that points inside the root names a file or folder read at its
real place anyway, and one that points outside must not be read. Each is noted in `skipped`.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiospo_ci.model import SKIPPED_FOLDER, ScanError, Unread
from aiospo_ci.scan.gitignore import IgnoreFile

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
_SKIPPED_NOTE = f"{SKIPPED_FOLDER}, skipped by default"
_GIT_TIMEOUT = 120
_SUBMODULE_DEPTH = 8


@dataclass(frozen=True)
class FileEntry:
    relpath: str  # '/'-separated, relative to the root
    path: str  # absolute path to read
    size: int
    mtime_ns: int
    inode: int


@dataclass
class Listing:
    files: list[FileEntry] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)  # about the run: a path outside the root
    skipped: list[ScanError] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)  # a folder that cannot be listed, git failing


def _is_vendored(name: str) -> bool:
    return name in VENDORED_DIRS or name.endswith(".egg-info")


class _Exclude:
    """The configuration's `exclude`: gitignore patterns relative to the root. A path is out when
    it, or a folder above it, matches."""

    def __init__(self, patterns: Sequence[str]):
        self._spec = IgnoreFile(list(patterns)) if patterns else None

    def __bool__(self) -> bool:
        return self._spec is not None and not self._spec.empty

    def matches(self, relpath: str, is_dir: bool) -> bool:
        if self._spec is None:
            return False
        return bool(self._spec.verdict(relpath, 0, relpath.rfind("/") + 1, is_dir))

    def excludes(self, relpath: str) -> bool:
        if not self:
            return False
        at = relpath.find("/")
        while at >= 0:
            if self.matches(relpath[:at], True):
                return True
            at = relpath.find("/", at + 1)
        return self.matches(relpath, False)


class _Ignore:
    """.gitignore files (each applying below its own folder) and .git/info/exclude, evaluated as
    git does: the deepest file's last matching pattern wins, and an ignored folder is not
    entered (so nothing below it can be re-included)."""

    def __init__(self, root: str):
        self._root = root
        self._files: dict[str, IgnoreFile | None] = {}
        try:
            with open(os.path.join(root, ".git", "info", "exclude"), encoding="utf-8", errors="replace") as f:
                self._info = IgnoreFile(f.read().splitlines())
        except OSError:
            self._info = IgnoreFile([])

    def file_in(self, reldir: str) -> IgnoreFile | None:
        if reldir not in self._files:
            path = os.path.join(self._root, reldir, ".gitignore") if reldir else os.path.join(self._root, ".gitignore")
            spec = None
            try:
                st = os.lstat(path)
                if stat.S_ISREG(st.st_mode):
                    with open(path, encoding="utf-8", errors="replace") as f:
                        spec = IgnoreFile(f.read().splitlines())
                        spec = None if spec.empty else spec
            except OSError:
                spec = None
            self._files[reldir] = spec
        return self._files[reldir]

    def ignored(self, relpath: str, is_dir: bool, stack: tuple) -> bool:
        """`stack`: the .gitignore files of the folders above, deepest first, as nested pairs
        ((base offset, IgnoreFile), parent)."""
        name = relpath.rfind("/") + 1
        node = stack
        while node:
            (base, spec), node = node
            verdict = spec.verdict(relpath, base, name, is_dir)
            if verdict is not None:
                return verdict
        return bool(self._info.verdict(relpath, 0, name, is_dir))

    def push(self, stack: tuple, reldir: str) -> tuple:
        spec = self.file_in(reldir)
        if spec is None:
            return stack
        return ((len(reldir) + 1 if reldir else 0, spec), stack)

    def stack_for(self, reldir: str) -> tuple:
        """The stack for a folder reached directly (an explicit path): every folder above it."""
        stack: tuple = self.push((), "")
        parts = reldir.split("/") if reldir else []
        for i in range(len(parts)):
            stack = self.push(stack, "/".join(parts[: i + 1]))
        return stack


def walk(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    exclude: Sequence[str] = (),
    wanted: Callable[[str], bool] = lambda rel: True,
) -> Listing:
    """The files to read, with what was skipped and what could not be listed. `wanted(relpath)`
    says whether any scanner reads a file of that name; other files are not even stat'ed."""
    root_str = os.path.realpath(str(root))
    listing = Listing()
    excl = _Exclude(exclude)
    given: list[str] | None = None
    if paths is not None:
        given = []
        for p in paths:
            full = _absolute(root_str, p)
            rel = _rel(root_str, full)
            if rel.startswith("../") or rel == ".." or os.path.isabs(rel):
                listing.errors.append(ScanError(str(p), f"is outside the scanned root {root_str}; give paths inside it"))
                continue
            given.append("" if rel == "." else rel)
    if not _from_git(root_str, given, excl, wanted, listing):
        _from_tree(root_str, given, excl, wanted, listing)
    files = {f.relpath: f for f in listing.files}
    listing.files = [files[k] for k in sorted(files)]
    listing.errors = sorted(set(listing.errors))
    listing.skipped = sorted(set(listing.skipped))
    listing.unread = sorted(set(listing.unread))
    return listing


# -- git ---------------------------------------------------------------------------------------

def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """git with the checkout's own hooks and monitors disabled (`ls-files` runs none, and
    core.fsmonitor, which would run a command, is switched off) and with the ownership check
    waived for this one read-only listing (a container's checkout belongs to another user)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # never write the index
    try:
        return subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "-c", "safe.directory=*",
             "-C", cwd, *args],
            capture_output=True, env=env, timeout=_GIT_TIMEOUT, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _git_root(root: str) -> str | None:
    """The work tree's top folder when `root` is inside a git checkout that does not ignore it."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return None
    toplevel = os.path.realpath(top.stdout.decode("utf-8", "surrogateescape").strip())
    if toplevel != root:
        # a folder the outer repository ignores (a home directory kept in git with `*`): its
        # content is not the repository's, so the checkout's listing says nothing about it
        rel = os.path.relpath(root, toplevel)
        ignored = _git(toplevel, "check-ignore", "-q", "--", rel + "/")
        if ignored is None or ignored.returncode == 0:
            return None
    return toplevel


def _git_entries(cwd: str) -> tuple[list[tuple[str, bool]], list[str]] | None:
    """([(path, tracked)], submodule paths) relative to `cwd`, or None when git cannot list."""
    staged = _git(cwd, "ls-files", "-z", "--stage")
    others = _git(cwd, "ls-files", "-z", "--others", "--exclude-standard")
    if staged is None or others is None or staged.returncode != 0 or others.returncode != 0:
        return None
    entries: dict[str, bool] = {}
    submodules: list[str] = []
    for record in staged.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        path = name.decode("utf-8", "surrogateescape")
        if meta.startswith(b"160000"):
            submodules.append(path)
        else:
            entries[path] = True
    for record in others.stdout.split(b"\0"):
        if record:
            entries.setdefault(record.decode("utf-8", "surrogateescape"), False)
    return sorted(entries.items()), submodules


def _from_git(root: str, given: list[str] | None, excl: _Exclude, wanted: Callable[[str], bool], listing: Listing) -> bool:
    top = _git_root(root)
    if top is None:
        return False
    return _list_checkout(root, root, "", given, excl, wanted, listing, 0)


def _list_checkout(root: str, folder: str, prefix: str, given: list[str] | None, excl: _Exclude,
                   wanted: Callable[[str], bool], listing: Listing, depth: int) -> bool:
    found = _git_entries(folder)
    if found is None:
        if depth == 0:
            # a checkout git cannot list (a damaged index): the walk below reads the tree, but
            # its .gitignore may hide tracked files, so the run says so and is judged
            listing.unread.append(Unread(".git", "read", "a git checkout whose files git could not list; the folder was "
                                                         "walked instead, and its .gitignore may hide tracked files"))
            return False
        listing.unread.append(Unread(prefix.rstrip("/"), "read", "a git submodule whose files git could not list"))
        return True
    entries, submodules = found
    vendored: set[str] = set()
    for path, tracked in entries:
        rel = prefix + path
        if given is not None and not _under_any(rel, given):
            continue
        parts = rel.split("/")[:-1]
        if not tracked and not wanted(rel) and not any(_is_vendored(p) for p in parts):
            continue  # the common case, decided without a pattern match
        if excl.excludes(rel):
            continue
        if not tracked:
            top_vendored = next((i for i, p in enumerate(parts) if _is_vendored(p)), None)
            if top_vendored is not None:
                vendored.add("/".join(parts[: top_vendored + 1]))
                continue
            if any(p in QUIET_DIRS for p in parts):
                continue
        if not wanted(rel):
            continue
        full = os.path.join(folder, path)
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            continue  # deleted in the work tree: not part of what is judged
        except OSError as e:
            listing.unread.append(Unread(rel, "read", f"cannot be read: {e.strerror or e}"))
            continue
        if stat.S_ISLNK(st.st_mode):
            listing.skipped.append(ScanError(rel, _symlink_note(root, full)))
        elif stat.S_ISREG(st.st_mode):
            listing.files.append(FileEntry(rel, full, st.st_size, st.st_mtime_ns, st.st_ino))
    listing.skipped.extend(ScanError(v, _SKIPPED_NOTE) for v in vendored)
    for sub in submodules:
        rel = prefix + sub
        if given is not None and not _under_any(rel, given) and not any(g.startswith(rel + "/") for g in given):
            continue
        if excl.excludes(rel + "/x"):
            continue
        full = os.path.join(folder, sub)
        if depth >= _SUBMODULE_DEPTH or not os.path.exists(os.path.join(full, ".git")):
            listing.skipped.append(ScanError(rel, "git submodule that is not checked out; not scanned"))
            continue
        _list_checkout(root, full, rel + "/", given, excl, wanted, listing, depth + 1)
    return True


def _under_any(rel: str, given: list[str]) -> bool:
    return any(g == "" or rel == g or rel.startswith(g + "/") for g in given)


# -- a plain folder ------------------------------------------------------------------------------

def _from_tree(root: str, given: list[str] | None, excl: _Exclude, wanted: Callable[[str], bool], listing: Listing) -> None:
    ignore = _Ignore(root)

    def consider_file(rel: str, full: str, st: os.stat_result, stack: tuple) -> None:
        if wanted(rel) and not excl.matches(rel, False) and not ignore.ignored(rel, False, stack):
            listing.files.append(FileEntry(rel, full, st.st_size, st.st_mtime_ns, st.st_ino))

    def walk_dir(rel_dir: str, full_dir: str, stack: tuple) -> None:
        todo = [(rel_dir, full_dir, ignore.push(stack, rel_dir) if rel_dir else stack)]
        while todo:
            rd, fd, here = todo.pop()
            try:
                with os.scandir(fd) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as e:
                listing.unread.append(Unread(rd or ".", "read", f"a folder that cannot be listed: {e.strerror or e}"))
                continue
            for entry in entries:
                rel = f"{rd}/{entry.name}" if rd else entry.name
                try:
                    if entry.is_symlink():
                        listing.skipped.append(ScanError(rel, _symlink_note(root, entry.path)))
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name in QUIET_DIRS:
                            continue
                        if excl.matches(rel, True) or ignore.ignored(rel, True, here):
                            continue
                        if _is_vendored(entry.name):
                            listing.skipped.append(ScanError(rel, _SKIPPED_NOTE))
                            continue
                        todo.append((rel, entry.path, ignore.push(here, rel)))
                    elif entry.is_file(follow_symlinks=False):
                        if not wanted(rel):
                            continue
                        consider_file(rel, entry.path, entry.stat(follow_symlinks=False), here)
                except OSError as e:  # vanished between listing and stat
                    listing.unread.append(Unread(rel, "read", f"cannot be read: {e.strerror or e}"))

    if given is None:
        walk_dir("", root, ignore.push((), ""))
        return
    for rel in given:
        if rel == "":
            walk_dir("", root, ignore.push((), ""))
            continue
        parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if _under_ignored(ignore, excl, rel):
            continue
        full = os.path.join(root, rel)
        try:
            st = os.lstat(full)
        except OSError as e:
            listing.unread.append(Unread(rel, "read", f"cannot be read: {e.strerror or e}"))
            continue
        parts = rel.split("/")
        if stat.S_ISLNK(st.st_mode):
            listing.skipped.append(ScanError(rel, _symlink_note(root, full)))
        elif stat.S_ISDIR(st.st_mode):
            if any(_is_vendored(p) or p in QUIET_DIRS for p in parts):
                listing.skipped.append(ScanError(rel, _SKIPPED_NOTE))
            else:
                walk_dir(rel, full, ignore.stack_for(parent))
        elif stat.S_ISREG(st.st_mode):
            if any(_is_vendored(p) or p in QUIET_DIRS for p in parts[:-1]):
                continue
            consider_file(rel, full, st, ignore.stack_for(parent))


def _rel(root: str, path: str) -> str:
    rel = os.path.relpath(path, root)
    return rel.replace(os.sep, "/")


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


def _under_ignored(ignore: _Ignore, excl: _Exclude, rel: str) -> bool:
    if excl.excludes(rel):
        return True
    parts = rel.split("/")
    stack = ignore.push((), "")
    for i in range(1, len(parts)):
        folder = "/".join(parts[:i])
        if ignore.ignored(folder, True, stack):
            return True
        stack = ignore.push(stack, folder)
    return ignore.ignored(rel, False, stack)


def _symlink_note(root: str, link: str) -> str:
    try:
        target = os.path.realpath(link)
    except (OSError, RuntimeError):
        return "symlink not followed (its target cannot be resolved)"
    if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
        return "symlink not followed (its target inside the root is scanned where it is)"
    return "symlink not followed (it points outside the scanned root)"
