"""Read-only git access to the checked-out workspace, for the Action.

Everything here reads commits and writes only into folders this program created: the
workspace's `.git` is never written (files written there as the container's root would belong
to root on the runner). Each call runs with settings that keep the repository's own
configuration from running anything (fsmonitor, hooks, diff drivers), no prompt, no lazy fetch
from a partial clone's remote, and `safe.directory` for the mounted workspace, whose owner
differs from the container's user.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aiospo_ci.scan.weights import LFS_POINTER

SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_OVERRIDES = {
    "safe.directory": "*",
    "core.fsmonitor": "false",
    "core.hooksPath": os.devnull,
    "diff.external": "",
    "core.quotePath": "false",
}
#: Tree entry modes: regular file, executable, symlink (gitlinks, 160000, are submodules).
_FILE_MODES = {"100644", "100755"}
_LINK_MODE = "120000"


class GitError(Exception):
    """A git command failed; the message names the command and git's own first line."""


def is_sha(value: object) -> bool:
    return isinstance(value, str) and SHA.fullmatch(value) is not None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    env["GIT_CONFIG_COUNT"] = str(len(_OVERRIDES))
    for i, (key, value) in enumerate(_OVERRIDES.items()):
        env[f"GIT_CONFIG_KEY_{i}"], env[f"GIT_CONFIG_VALUE_{i}"] = key, value
    return env


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    oid: str
    path: str  # '/'-separated, relative to the tree


class Git:
    """One repository (the workspace). Methods return None or raise GitError; none writes."""

    def __init__(self, workspace: Path, timeout: float = 300) -> None:
        self.workspace = workspace
        self.timeout = timeout
        self._env = _env()

    def run(self, *args: str) -> bytes:
        try:
            done = subprocess.run(
                ["git", "-C", str(self.workspace), *args],
                capture_output=True, env=self._env, timeout=self.timeout, check=False, stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise GitError("git is not installed") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"`git {args[0]}` took longer than {self.timeout:.0f}s") from None
        if done.returncode != 0:
            first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise GitError(f"`git {args[0]}` failed ({first[0] if first else f'exit {done.returncode}'})")
        return done.stdout

    def try_run(self, *args: str) -> bytes | None:
        try:
            return self.run(*args)
        except GitError:
            return None

    def head(self) -> str | None:
        """The checked-out commit, or None when the workspace is no git checkout."""
        out = self.try_run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        sha = out.decode().strip() if out else ""
        return sha if is_sha(sha) else None

    def has_tree(self, sha: str) -> bool:
        """The commit and its tree are in the object store (not just named by a shallow child)."""
        return is_sha(sha) and self.try_run("cat-file", "-e", f"{sha}^{{tree}}") is not None

    def parents(self, sha: str) -> list[str]:
        """A commit's parents as its object records them (also in a shallow clone, whose
        boundary commits have their parents' ids but not the parents)."""
        out = self.try_run("cat-file", "commit", sha) if is_sha(sha) else None
        if out is None:
            return []
        header = out.split(b"\n\n", 1)[0].decode("utf-8", "replace")
        return [line.split()[1] for line in header.splitlines() if line.startswith("parent ") and len(line.split()) == 2]

    def show(self, sha: str, path: str) -> bytes | None:
        """A file's bytes at a commit; None when the commit has no such file."""
        if not is_sha(sha) or path.startswith("-"):
            return None
        return self.try_run("cat-file", "blob", f"{sha}:{path}")

    def tree(self, sha: str, paths: Iterable[str] = ()) -> list[TreeEntry]:
        """Every entry of a commit's tree (or under `paths`), raw names decoded as the file
        system will hold them."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", sha, "--", *paths)
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, _kind, oid = meta.decode().split()
            entries.append(TreeEntry(mode, oid, os.fsdecode(raw_path)))
        return entries

    def blobs(self, oids: list[str]) -> Iterator[bytes]:
        """The contents of `oids`, in order, streamed through one `git cat-file --batch`."""
        proc = subprocess.Popen(
            ["git", "-C", str(self.workspace), "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self._env,
        )
        assert proc.stdin is not None and proc.stdout is not None

        def feed() -> None:
            try:
                for oid in oids:
                    proc.stdin.write(oid.encode() + b"\n")  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for oid in oids:
                header = proc.stdout.readline().split()
                if len(header) != 3 or header[0].decode() != oid:
                    raise GitError(f"`git cat-file` has no object {oid} (a partial or shallow clone?)")
                size = int(header[2])
                data = proc.stdout.read(size)
                proc.stdout.read(1)
                yield data
        finally:
            proc.kill()
            proc.wait()
            writer.join(timeout=5)
            proc.stdout.close()

    def materialize(self, sha: str, dest: Path, paths: Iterable[str] = ()) -> int:
        """Write a commit's files (or those under `paths`) into `dest` as a checkout would,
        without git's attributes (no export-ignore can hide a file, no filter runs). Symlinks
        stay symlinks (the scanner notes them and never follows them); submodules are left out
        as a default checkout leaves them. Returns the number of files written."""
        entries = [e for e in self.tree(sha, paths) if e.mode in _FILE_MODES or e.mode == _LINK_MODE]
        for entry in entries:
            if not safe_relative(entry.path):
                raise GitError(f"commit {sha[:12]} holds the path {entry.path!r}, which no checkout would write")
        written = 0
        lfs_objects: Path | None = None
        for entry, data in zip(entries, self.blobs([e.oid for e in entries])):
            target = dest.joinpath(*PurePosixPath(entry.path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            written += 1
            if entry.mode == _LINK_MODE:
                os.symlink(os.fsdecode(data), target)
                continue
            if data.startswith(LFS_POINTER):
                if lfs_objects is None:
                    common = self.run("rev-parse", "--path-format=absolute", "--git-common-dir").strip()
                    lfs_objects = Path(os.fsdecode(common)) / "lfs" / "objects"
                if write_lfs_object(data, lfs_objects, target):
                    continue
            target.write_bytes(data)
        return written


def write_lfs_object(pointer: bytes, objects: Path, target: Path) -> bool:
    """Write what a checkout with `lfs: true` writes for a Git LFS pointer: the object from git's
    LFS store, copied in chunks, when it is there and its size and sha256 match the pointer. False
    (nothing written) otherwise: the caller writes the pointer, which the weight scanner reports
    unread."""
    fields = dict(line.split(b" ", 1) for line in pointer.splitlines() if b" " in line)
    oid = fields.get(b"oid", b"").removeprefix(b"sha256:").decode("ascii", "replace")
    size = fields.get(b"size", b"")
    if not re.fullmatch(r"[0-9a-f]{64}", oid) or not size.isdigit():
        return False
    digest = hashlib.sha256()
    try:
        with open(objects / oid[:2] / oid[2:4] / oid, "rb") as src, open(target, "wb") as out:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
            copied = out.tell()
    except OSError:  # not fetched (FileNotFoundError) or unreadable: the pointer stands
        target.unlink(missing_ok=True)
        return False
    if copied == int(size) and digest.hexdigest() == oid:
        return True
    target.unlink(missing_ok=True)
    return False


def safe_relative(path: str) -> bool:
    """A tree path git itself would check out: relative, no '.', '..' or '.git' component."""
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") and p.lower() != ".git" for p in parts)
