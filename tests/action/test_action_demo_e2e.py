"""End to end: `python -m aiospo_ci.action` as a process, on the demo repository (offline, from
its aiospo.lock), with the real pipeline and policies, against the local GitHub API. The Action
must reach the same verdict and findings as `aiospo-ci check --format json` on the same tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.action.conftest import TOKEN, make_pr_repo, pr_event, pull_files

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"


def _demo_checkout(tmp_path: Path, github_server=None) -> tuple[Path, dict]:
    """A pull request that adds the demo's code (its aiospo.lock is on the base branch already,
    so the pull request changes no file that decides the gate), checked out as GitHub's test
    merge commit; the local API lists the pull request's files."""
    files = {p.relative_to(DEMO).as_posix(): p.read_bytes() for p in sorted(DEMO.rglob("*")) if p.is_file()}
    lock = {"aiospo.lock": files.pop("aiospo.lock")}
    repo = make_pr_repo(tmp_path / "repo", {"README.md": "app\n", **lock}, files, base_moves={"README.md": "app, moved on\n"})
    if github_server is not None:
        github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    return repo.clone(tmp_path / "workspace", repo.merge), pr_event(head=repo.head, base=repo.base)


def _env(tmp_path: Path, workspace: Path, api_url: str, event_payload: dict) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(event_payload))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_")) and k not in ("HF_TOKEN", "OPA_TOKEN")}
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "acme/app",
            "GITHUB_SHA": "c" * 40,
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_API_URL": api_url,
            "AIOSPO_GITHUB_PACE": "0",
            "AIOSPO_TODAY": "2026-11-26",
            "AIOSPO_CACHE_DIR": str(tmp_path / "cache"),
            "HF_HUB_OFFLINE": "1",
            "INPUT_GITHUB_TOKEN": TOKEN,
            "INPUT_OFFLINE": "true",
            "INPUT_ENGINE": "embedded",
            "INPUT_FAIL_ON": "deny",
            "INPUT_SARIF_FILE": "aiospo.sarif",
            "INPUT_ANNOTATIONS": "checks",
            "INPUT_COMMENT": "always",
        }
    )
    return env


def test_action_on_the_demo_matches_the_cli(tmp_path, github_server):
    workspace, payload = _demo_checkout(tmp_path, github_server)
    env = _env(tmp_path, workspace, github_server.url, payload)

    cli = subprocess.run(
        [sys.executable, "-m", "aiospo_ci", "check", "--offline", "--engine", "embedded", "--format", "json", str(workspace)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert cli.returncode in (0, 1), cli.stderr
    expected = json.loads(cli.stdout)

    action = subprocess.run([sys.executable, "-m", "aiospo_ci.action"], env=env, capture_output=True, text=True, timeout=300)
    assert action.returncode == cli.returncode, action.stdout + action.stderr
    findings = expected["findings"]
    unwaived = [f for f in findings if not f["waived"]]
    assert findings, "the demo is meant to show findings"

    outputs = (tmp_path / "output.txt").read_text()
    assert f"\n{sum(f['severity'] == 'deny' for f in unwaived)}\n" in outputs.split("deny_count<<")[1][:80]
    (post,) = github_server.calls("POST", r"/check-runs$")
    assert post.body["conclusion"] == ("failure" if cli.returncode else "success")
    (run_id,) = github_server.state.check_runs
    annotated = github_server.state.annotations[run_id]
    assert len(annotated) == len([f for f in unwaived if f["file"]])
    assert {(a["path"], a["start_line"]) for a in annotated} == {(f["file"], f["line"]) for f in unwaived if f["file"]}

    (comment,) = github_server.state.comments.values()
    summary = (tmp_path / "summary.md").read_text()
    for body in (comment["body"], summary):
        assert body.startswith("<!-- aiospo-ci -->")
        for model in {f["model"] for f in findings if f["model"]}:
            assert f"`{model}`" in body
    sarif = json.loads((workspace / "aiospo.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(findings)
    # every line of the demo is the pull request's, so each fix of `aiospo-ci fix` is a suggestion on it
    (review,) = github_server.state.reviews.values()
    suggested = sorted((c["path"], c["line"]) for c in github_server.state.review_comments.values())
    assert review["commit_id"] == payload["pull_request"]["head"]["sha"]
    assert suggested == [("configs/train.yaml", 2), ("src/app.py", 17), ("src/app.py", 22), ("src/app.py", 27), ("src/app.py", 31), ("src/legacy.py", 4)]
    assert "### GitHub API" not in summary  # no write failed
    assert TOKEN not in action.stdout + action.stderr + summary + outputs + comment["body"] + json.dumps(github_server.state.review_comments)


OPA_TOKEN = "opa_TestBearerToken1234567890"


def test_action_with_a_central_opa_server_reaches_the_same_verdict(tmp_path, github_server):
    """opa_url/opa_token: the policies are uploaded to and evaluated on the OPA server (here
    tests/support/opa_server.py, OPA's REST API over real HTTP), with the bearer token kept
    out of every output."""
    from tests.support.opa_server import FakeOpaServer

    workspace, payload = _demo_checkout(tmp_path)
    env = _env(tmp_path, workspace, github_server.url, payload)
    embedded = subprocess.run([sys.executable, "-m", "aiospo_ci.action"], env=env, capture_output=True, text=True, timeout=300)
    embedded_counts = (tmp_path / "output.txt").read_text().split("deny_count<<")[1][:200]

    with FakeOpaServer() as opa:
        opa.state.token = OPA_TOKEN
        (tmp_path / "output.txt").unlink()
        env.update({"INPUT_ENGINE": "opa", "INPUT_OPA_URL": opa.url, "INPUT_OPA_TOKEN": OPA_TOKEN})
        central = subprocess.run([sys.executable, "-m", "aiospo_ci.action"], env=env, capture_output=True, text=True, timeout=300)
        queries = [r for r in opa.requests if r.method == "POST" and r.path.partition("?")[0].endswith("/aiospo/main/findings")]
        uploads = [r for r in opa.requests if r.method == "PUT" and r.path.startswith("/v1/policies/")]
    assert central.returncode == embedded.returncode, central.stdout + central.stderr
    assert len(queries) == 1 and uploads  # one query for the whole run
    outputs = (tmp_path / "output.txt").read_text()
    assert outputs.split("deny_count<<")[1][:200].split("\n")[1] == embedded_counts.split("\n")[1]
    summary = (tmp_path / "summary.md").read_text()
    for text in (central.stdout, central.stderr, outputs, summary):
        assert OPA_TOKEN not in text


def test_action_with_an_unreachable_opa_server_has_no_verdict(tmp_path, github_server):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workspace, payload = _demo_checkout(tmp_path)
    env = _env(tmp_path, workspace, github_server.url, payload)
    env.update({"INPUT_ENGINE": "opa", "INPUT_OPA_URL": f"http://127.0.0.1:{port}"})
    done = subprocess.run([sys.executable, "-m", "aiospo_ci.action"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"OPA server at http://127.0.0.1:{port} is not reachable" in done.stdout
    assert "no verdict" in (tmp_path / "summary.md").read_text()
    assert not github_server.calls("POST", r"/check-runs$")  # no check run claims a result
