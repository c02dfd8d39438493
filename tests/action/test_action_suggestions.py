"""Review suggestions: the Action posts `aiospo-ci fix`'s changes as ```suggestion blocks on the
lines a pull request changed, against the local server's pull-request review API (which refuses
lines outside the diff, as GitHub does), once per change however often it runs."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

from aiospo_ci.action.main import run
from aiospo_ci.action.suggestions import MARKER, suggestions_for
from aiospo_ci.fix.interface import Edit
from tests.action.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
PHI2 = "ef382358ec9e382308935a992d908de099b64c23"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin", "HOME": str(repo)})
    return done.stdout.strip()


def _pull_request(tmp_path: Path, github_server) -> tuple[Path, str, str]:
    """The demo on main without src/legacy.py; the pull request adds it (unpinned phi-2 with
    trust_remote_code, which ships no custom code). The workspace is the head commit."""
    repo = tmp_path / "workspace"
    shutil.copytree(DEMO, repo)
    legacy = (repo / "src" / "legacy.py").read_text()
    (repo / "src" / "legacy.py").unlink()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "src" / "legacy.py").write_text(legacy)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "add the legacy loader")
    head = _git(repo, "rev-parse", "HEAD")
    patch = _git(repo, "diff", base, head, "--", "src/legacy.py").split("\n", 4)[4]  # from the first @@, as the API gives it
    github_server.set_pull_files(7, [{"filename": "src/legacy.py", "status": "added", "changes": 6, "patch": patch}])
    return repo, base, head


def _env(tmp_path: Path, repo: Path, base: str, head: str, server_url: str, **inputs: str) -> dict[str, str]:
    event = {
        "action": "synchronize", "number": 7,
        "pull_request": {"number": 7, "head": {"sha": head, "ref": "feature", "repo": {"full_name": "acme/app"}},
                         "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/app"}}},
        "repository": {"full_name": "acme/app"},
    }
    (tmp_path / "event.json").write_text(json.dumps(event))
    env = {
        "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_REPOSITORY": "acme/app", "GITHUB_SHA": head, "GITHUB_WORKSPACE": str(repo), "GITHUB_API_URL": server_url,
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "AIOSPO_GITHUB_PACE": "0", "AIOSPO_TODAY": "2026-11-26", "AIOSPO_CACHE_DIR": str(tmp_path / "cache"),
        "INPUT_GITHUB_TOKEN": TOKEN, "INPUT_OFFLINE": "true", "INPUT_ENGINE": "embedded", "INPUT_FAIL_ON": "deny",
        "INPUT_ANNOTATIONS": "none", "INPUT_COMMENT": "never",
    }
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env


def test_fixes_on_changed_lines_become_one_click_suggestions_once(tmp_path, github_server, monkeypatch):
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", TOKEN)
    repo, base, head = _pull_request(tmp_path, github_server)
    env = _env(tmp_path, repo, base, head, github_server.url)
    out = io.StringIO()
    code = run(env, out)
    assert code == 1  # the suggestions change nothing about the verdict
    (review,) = github_server.state.reviews.values()
    assert review["state"] == "COMMENTED" and review["commit_id"] == head and MARKER in review["body"]
    (comment,) = github_server.state.review_comments.values()
    assert (comment["path"], comment["line"], comment["start_line"]) == ("src/legacy.py", 4, None)
    suggestion = re.search(r"```suggestion\n(.*?)```", comment["body"], re.S).group(1)
    assert suggestion == f'model = AutoModel.from_pretrained("microsoft/phi-2", revision="{PHI2}")\n'
    assert "pin microsoft/phi-2 to " + PHI2 in comment["body"] and "remove trust_remote_code=True" in comment["body"]
    summary = (tmp_path / "summary.md").read_text()
    assert "touch lines this pull request did not change" in summary  # app.py and train.yaml are not in the diff
    assert (repo / "src" / "legacy.py").read_text() == _git(repo, "show", f"{head}:src/legacy.py") + "\n"  # nothing written

    assert run(env, io.StringIO()) == 1
    assert len(github_server.state.review_comments) == 1  # a re-run posts no duplicate
    assert len(github_server.calls("POST", r"/pulls/7/reviews$")) == 1


def test_a_read_only_token_is_a_note_not_a_failure(tmp_path, github_server, monkeypatch):
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", TOKEN)
    repo, base, head = _pull_request(tmp_path, github_server)
    github_server.fail("POST", r"/pulls/7/reviews$", 403, "Resource not accessible by integration")
    code = run(_env(tmp_path, repo, base, head, github_server.url), io.StringIO())
    assert code == 1
    summary = (tmp_path / "summary.md").read_text()
    assert "could not be posted as review suggestions (HTTP 403" in summary and "Resource not accessible by integration" in summary


def test_suggestions_can_be_turned_off(tmp_path, github_server, monkeypatch):
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", TOKEN)
    repo, base, head = _pull_request(tmp_path, github_server)
    run(_env(tmp_path, repo, base, head, github_server.url, suggestions="false"), io.StringIO())
    assert github_server.calls("POST", r"/reviews$") == []


def test_the_server_refuses_lines_outside_the_diff(tmp_path, github_server):
    """The local API holds the Action to GitHub's rule, so the test above proves the filtering."""
    from github import Auth, Github, GithubException

    _pull_request(tmp_path, github_server)
    pull = Github(auth=Auth.Token(TOKEN), base_url=github_server.url, lazy=True).get_repo("acme/app").get_pull(7)
    try:
        pull.create_review(body="x", event="COMMENT", comments=[{"path": "src/app.py", "line": 17, "side": "RIGHT", "body": "y"}])
    except GithubException as exc:
        assert exc.status == 422 and "must be part of the diff" in json.dumps(exc.data)
    else:
        raise AssertionError("a comment outside the diff was accepted")


def test_an_inserted_line_is_suggested_with_the_line_above():
    old = "base_model: org/m\nmodel_type: x\n"
    new = f"base_model: org/m\nrevision: {PHI2}\nmodel_type: x\n"
    (s,) = suggestions_for("train.yaml", old, new, [Edit("train.yaml", 1, 13, "org/m", "pin", PHI2)])
    assert (s.start_line, s.line, s.replacement) == (1, 1, ["base_model: org/m", f"revision: {PHI2}"])
    assert s.comment() == {"path": "train.yaml", "line": 1, "side": "RIGHT", "body": s.body()}
