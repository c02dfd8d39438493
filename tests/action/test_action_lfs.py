"""Git LFS weights in the tree the Action judges: the head commit's files come from git's object
store, where an LFS file is its pointer. With the objects fetched (actions/checkout `lfs: true`)
the Action writes the weights themselves, verified against the pointer, so the weight scanner
reads what a loader would load; without them the pointer stays and is reported unread."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiospo_ci.action.git import Git
from aiospo_ci.scan.runner import scan_paths
from tests.action.conftest import git

# A pickle whose loading would run `touch pwned` (never loaded here).
EVIL = b"\x80\x04cposix\nsystem\n\x8c\x0btouch pwned\x85R."


def _pointer(content: bytes) -> bytes:
    oid = hashlib.sha256(content).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n".encode()


def _repo(tmp_path: Path, fetched: dict[str, bytes]) -> tuple[Path, str]:
    """A repository whose commit holds LFS pointers for weights.pt and other.pt, and whose LFS
    store holds the objects given (as git-lfs lays them out: lfs/objects/ab/cd/<oid>)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitattributes").write_text("*.pt filter=lfs diff=lfs merge=lfs -text\n")
    (repo / "weights.pt").write_bytes(_pointer(EVIL))
    (repo / "other.pt").write_bytes(_pointer(b"\x80\x04K\x01."))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "weights in LFS")
    for oid, content in fetched.items():
        path = repo / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return repo, git(repo, "rev-parse", "HEAD")


def _judge(repo: Path, head: str, dest: Path):
    dest.mkdir()
    Git(repo).materialize(head, dest)
    return dest, scan_paths(dest, cache_dir=dest.parent / "cache")


def test_fetched_lfs_objects_are_judged_as_the_weights(tmp_path):
    repo, head = _repo(tmp_path, {hashlib.sha256(EVIL).hexdigest(): EVIL})
    tree, result = _judge(repo, head, tmp_path / "tree")
    assert (tree / "weights.pt").read_bytes() == EVIL
    details = {r.file: dict(r.detail) for r in result.references}
    assert details["weights.pt"]["scan"] == "dangerous" and details["weights.pt"]["dangerous_globals"] == "posix.system"
    # other.pt's object was not fetched: its pointer is written and reported unread, never clean
    assert details["other.pt"]["format"] == "git-lfs-pointer"
    assert [(u.file, u.cause) for u in result.unread] == [("other.pt", "weights-error")]
    assert not (tmp_path / "pwned").exists()


def test_an_lfs_object_that_does_not_match_its_pointer_is_not_used(tmp_path):
    """A store object whose content is not the pointer's sha256 (tampered, truncated) is refused."""
    repo, head = _repo(tmp_path, {hashlib.sha256(EVIL).hexdigest(): b"\x80\x04K\x02."})
    tree, result = _judge(repo, head, tmp_path / "tree")
    assert (tree / "weights.pt").read_bytes() == _pointer(EVIL)
    assert sorted(u.file for u in result.unread) == ["other.pt", "weights.pt"]
