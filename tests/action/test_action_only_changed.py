"""only_changed: the verdict counts only findings in lines the pull request changed (from
`git diff base...head`, else the PR files API), while the summary lists everything."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from aiospo_ci.action.changed import added_lines, from_api_files, from_git, touched
from aiospo_ci.model import CheckResult, Finding, ModelReference, ScanResult
from tests.action.conftest import RULES, pr_event


def git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path) -> tuple[Path, str, str]:
    """A workspace with a base commit and a PR head that changes line 3 of app.py and adds
    new.py and a binary weights file."""
    ws = tmp_path / "workspace"
    ws.mkdir()
    git(ws, "init", "-q", "-b", "main")
    (ws / "src").mkdir()
    (ws / "src/app.py").write_text("a = load('org/old-1')\nb = 2\nc = load('org/old-2')\nd = 4\n")
    (ws / "src/renamed_from.py").write_text("x = load('org/moved')\n")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "base")
    base = git(ws, "rev-parse", "HEAD")
    (ws / "src/app.py").write_text("a = load('org/old-1')\nb = 2\nc = load('org/new-2')\nd = 4\n")
    (ws / "src/new.py").write_text("m = load('org/brand-new')\n")
    (ws / "model.bin").write_bytes(b"\x00\x01binary\x00")
    git(ws, "mv", "src/renamed_from.py", "src/renamed_to.py")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "head")
    head = git(ws, "rev-parse", "HEAD")
    return ws, base, head


def scoped_result() -> CheckResult:
    refs = (
        ModelReference(file="src/app.py", line=1, id="org/old-1"),  # unchanged line
        ModelReference(file="src/app.py", line=3, id="org/new-2"),  # changed line
        ModelReference(file="src/new.py", line=1, id="org/brand-new"),  # new file
        ModelReference(file="src/renamed_to.py", line=1, id="org/moved"),  # moved, not changed
    )
    findings = (
        Finding(severity="deny", rule="license/category", message="old model denied", ref=0),
        Finding(severity="warn", rule="pinning/unpinned", message="changed line warned", ref=1),
        Finding(severity="info", rule="license/obligations", message="new file noted", ref=2),
        Finding(severity="deny", rule="license/category", message="moved model denied", ref=3),
    )
    return CheckResult(root="/ws", scan=ScanResult(references=refs, files_scanned=3), facts=(None,) * 4, findings=findings, rules=RULES)


def test_added_lines_reads_hunks_with_context():
    patch = "@@ -1,4 +1,5 @@\n a\n-b\n+B\n+B2\n c\n\\ No newline at end of file\n@@ -10,2 +11,2 @@\n x\n+y\n"
    assert added_lines(patch) == frozenset({2, 3, 12})
    assert added_lines("@@ -0,0 +1,3 @@\n+1\n+2\n+3\n") == frozenset({1, 2, 3})


def test_from_git_finds_changed_lines_new_files_binaries_and_pure_renames(repo):
    ws, base, head = repo
    changed = from_git(ws, base, head)
    assert changed == {
        "src/app.py": frozenset({3}),
        "src/new.py": frozenset({1}),
        "model.bin": None,  # binary: the whole file
        "src/renamed_to.py": frozenset(),  # a pure rename changes no line
    }
    assert from_git(ws, "f" * 40, head) is None  # a commit the checkout does not have
    assert from_git(ws, "--output=/tmp/x", head) is None  # not a sha: never passed to git


def test_touched_maps_references_to_changes():
    changed = {"a.py": frozenset({3}), "w.bin": None, "nb.ipynb": frozenset({40})}
    assert touched(ModelReference(file="a.py", line=3, id="m"), changed)
    assert not touched(ModelReference(file="a.py", line=4, id="m"), changed)
    assert not touched(ModelReference(file="b.py", line=3, id="m"), changed)
    assert touched(ModelReference(file="w.bin", line=1, id="w.bin", source="file"), changed)
    assert touched(ModelReference(file="nb.ipynb", line=2, id="m", cell=0), changed)  # notebook: file-level


def _event(base: str, head: str) -> dict:
    event = pr_event()
    event["pull_request"]["base"]["sha"] = base
    event["pull_request"]["head"]["sha"] = head
    return event


def test_only_changed_with_git_fails_only_on_changed_lines(harness, github_server, repo):
    ws, base, head = repo
    run = harness(event=_event(base, head), workspace=ws, inputs={"only_changed": "true", "fail_on": "warn"}).run(scoped_result())
    assert run.code == 1  # the warn on the changed line; the two denies are on untouched lines
    assert run.outputs()["deny_count"] == "0" and run.outputs()["warn_count"] == "1"
    assert "old model denied" in run.summary and "moved model denied" in run.summary  # still listed
    assert "2 of 4 references are in lines this pull request changed" in run.summary
    in_scope = {f["message"]: f["in_scope"] for f in json.loads(run.outputs()["findings"])}
    assert in_scope == {"old model denied": False, "changed line warned": True, "new file noted": True, "moved model denied": False}
    (post,) = github_server.calls("POST", r"/check-runs$")
    assert sorted((a["path"], a["start_line"]) for a in post.body["output"]["annotations"]) == [("src/app.py", 3), ("src/new.py", 1)]
    assert not github_server.calls("GET", r"/pulls/\d+/files$")  # git answered

    passing = harness(event=_event(base, head), workspace=ws, inputs={"only_changed": "true", "fail_on": "deny"}).run(scoped_result())
    assert passing.code == 0
    everything = harness(event=_event(base, head), workspace=ws, inputs={"only_changed": "false", "fail_on": "deny"}).run(scoped_result())
    assert everything.code == 1


def test_only_changed_falls_back_to_the_pull_request_files_api(harness, github_server, tmp_path):
    github_server.set_pull_files(
        7,
        [
            {"sha": "1" * 40, "filename": "src/app.py", "status": "modified", "additions": 1, "deletions": 1, "changes": 2, "patch": "@@ -1,4 +1,4 @@\n a\n b\n-c\n+C\n d"},
            {"sha": "2" * 40, "filename": "src/new.py", "status": "added", "additions": 1, "deletions": 0, "changes": 1, "patch": "@@ -0,0 +1 @@\n+m"},
            {"sha": "3" * 40, "filename": "src/renamed_to.py", "status": "renamed", "additions": 0, "deletions": 0, "changes": 0, "previous_filename": "src/renamed_from.py"},
        ],
    )
    # a shallow checkout: the workspace is no git repository with these commits
    run = harness(inputs={"only_changed": "true", "fail_on": "deny"}).run(scoped_result())
    assert len(github_server.calls("GET", r"/repos/acme/app/pulls/7/files$")) == 1
    assert run.code == 0
    assert "from the pull request's files (API)" in run.stdout


def test_only_changed_judges_everything_when_the_changes_are_unknown(harness, github_server):
    github_server.fail("GET", r"/pulls/\d+/files$", 403, "Resource not accessible by integration")
    run = harness(inputs={"only_changed": "true", "fail_on": "deny"}).run(scoped_result())
    assert run.code == 1  # failing on too much, never passing on a guess
    assert "every reference was judged" in run.summary


def test_from_api_files_treats_missing_patches_as_whole_file_changes():
    class F:
        def __init__(self, filename, status, patch=None, changes=1):
            self.filename, self.status, self.patch, self.changes = filename, status, patch, changes

    changed = from_api_files([F("big.py", "modified"), F("gone.py", "removed"), F("a.py", "modified", "@@ -1 +1 @@\n-x\n+y")])
    assert changed == {"big.py": None, "a.py": frozenset({1})}

