"""The lines a pull request added, read from real `git diff base...head` output and from patches
in the API's shape: every name git can hold, renames, and content that looks like diff syntax."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aiospo_ci.action.changed import added_from_api, added_from_git, added_in_patch, from_git, parse_added_lines, unquote_path
from aiospo_ci.action.git import Git
from tests.action.conftest import git, make_pr_repo, pull_files

NAMES = [
    "plain.py",
    "with space.py",
    "trailing space .py",
    "tab\there.py",
    'quote"d.py',
    "back\\slash.py",
    "new\nline.py",
    "ünïcødé/名前.py",
    "b/looks like a prefix.py",
    "-starts-with-dash.py",
    ":(glob)*.py",
]
BODY = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n"
# Added content that a line-by-line reader could take for diff syntax.
TRICKY = "one\n++ b/other.py\n@@ -1 +1 @@\ndiff --git a/x b/x\nfive\nsix\nseven\neight\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff-lines")
    base = {n: BODY for n in NAMES} | {"moved/old name.py": BODY * 3, "binary.bin": b"\0\1\2", "gone.py": BODY}
    head = {n: BODY.replace("three\n", "three\nTHREE-AND-A-HALF\n").replace("eight\n", "EIGHT\n") for n in NAMES}
    head |= {"tricky.py": TRICKY, "binary.bin": b"\0\1\3", "gone.py": None, "moved/new name.py": (BODY * 3).replace("six\n", "SIX\n", 1)}
    return make_pr_repo(root, base, head, renames={"moved/old name.py": "moved/new name.py"}, base_moves={"plain.py": "zero\n" + BODY})


def _added(repo, paths, changes="git"):
    g = Git(repo.origin)
    known = from_git(g, repo.base, repo.head) if changes == "git" else None
    return added_from_git(g, repo.base, repo.head, paths, known)


def test_every_name_and_a_rename_get_the_heads_added_lines(repo):
    paths = [*NAMES, "tricky.py", "moved/new name.py", "binary.bin", "unchanged.py"]
    found = _added(repo, paths)
    assert found is not None and not found.unknown
    for name in NAMES:
        assert found.lines[name] == {4, 9}, name  # the base branch's new first line of plain.py is not the pull request's
    assert found.lines["tricky.py"] == set(range(1, 9))
    assert found.lines["moved/new name.py"] == {6}  # diffed against its old name, as GitHub shows a rename
    assert found.lines["binary.bin"] == frozenset() and found.lines["unchanged.py"] == frozenset()


def test_without_the_old_name_a_rename_looks_added_whole(repo):
    """Why the rename's old name goes into the pathspec: without it git shows a new file."""
    found = _added(repo, ["moved/new name.py"], changes=None)
    assert found is not None and found.lines["moved/new name.py"] == set(range(1, 25))


def test_the_api_patches_give_the_same_lines_as_git(repo):
    files = pull_files(repo.origin, repo.base, repo.head)
    as_api = [type("File", (), f) for f in files]
    paths = [*NAMES, "tricky.py", "moved/new name.py", "binary.bin"]
    api = added_from_api(as_api, len(files), paths)
    assert api.unknown == {"binary.bin": "the API gives no diff for it (GitHub leaves out large and binary diffs)"}
    assert {p: api.lines[p] for p in api.lines} == {p: s for p, s in _added(repo, paths).lines.items() if p != "binary.bin"}


def test_a_cut_file_list_leaves_unlisted_files_unknown(repo):
    files = [type("File", (), f) for f in pull_files(repo.origin, repo.base, repo.head)[:2]]
    api = added_from_api(files, 20, ["plain.py", "tricky.py"])
    assert "tricky.py" in api.unknown and "GitHub stops at 3,000" in api.unknown["tricky.py"]


def test_git_without_the_merge_base_says_it_cannot_tell(tmp_path, repo):
    shallow = repo.clone(tmp_path / "shallow", repo.merge, depth=2)
    assert added_from_git(Git(shallow), repo.base, repo.head, ["plain.py"], None) is None


def test_names_as_git_quotes_them():
    assert unquote_path(b"b/with space.py\t") == b"b/with space.py"
    assert unquote_path(b'"b/tab\\there \\"q\\" back\\\\slash\\nline\\303\\274"') == b'b/tab\there "q" back\\slash\nline\xc3\xbc'
    for bad in (b'"b/unterminated', b'"b/bad\\q"'):
        with pytest.raises(ValueError):
            unquote_path(bad)


def test_a_patch_is_read_by_its_counts():
    patch = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+++ c\n \n@@ -9 +10,2 @@ def f():\n x\n+y\n\\ No newline at end of file"
    assert added_in_patch(patch) == {2, 3, 11}
    assert added_in_patch("@@ -1 +1 @@\n-a\u2028b\f\n+a\u2028B\f") == {1}  # only LF ends a line
    with pytest.raises(ValueError):
        added_in_patch("@@ -1,2 +1,2 @@\n a\n")  # shorter than its header says
    with pytest.raises(ValueError):
        added_in_patch("not a patch")


def test_deleted_and_binary_files_add_nothing():
    raw = (
        b"diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
        b"diff --git a/x.bin b/x.bin\nBinary files a/x.bin and b/x.bin differ\n"
        b"diff --git a/\xff.py b/\xff.py\n--- a/\xff.py\n+++ b/\xff.py\n@@ -0,0 +1 @@\n+new\n"
    )
    assert parse_added_lines(raw) == {os.fsdecode(b"\xff.py"): {1}}


def test_the_names_in_the_repository_are_the_ones_asked_for(repo):
    """The fixture really holds these names (the file system and git kept them as written)."""
    listed = git(repo.origin, "-c", "core.quotePath=false", "ls-tree", "-r", "-z", "--name-only", repo.head).split("\0")
    assert set(NAMES) <= set(listed) and Path(repo.origin).exists()
