"""Decision records end to end: `aiospo-ci check` as a process on the demo repository (offline,
from its aiospo.lock), writing OPA-shaped events to a file and POSTing them to a local collector
that speaks OPA's decision-log API. Records validate against the schema, are reproducible but
for decision_id and timestamp, never carry a token, and never change the verdict."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from aiospo_ci.decision_log import batches, upload
from aiospo_ci.report.decision_log import canonical_json
from tests.support.collector_server import CollectorServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
SCHEMAS = ROOT / "aiospo_ci" / "schemas"
HF_TOKEN = "hf_DecisionLogTestToken0123456789abc"
LOG_TOKEN = "collector-token-0123456789-abcdefXYZ"
VARYING = ("decision_id", "timestamp")


def _validator() -> jsonschema.Draft202012Validator:
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.schema.json")}
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    schema = schemas["decision-log.schema.json"]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("decisions") / "demo"
    shutil.copytree(DEMO, repo)
    return repo


def _check(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(repo.parent), "AIOSPO_CACHE_DIR": str(repo.parent / "cache"), "HF_TOKEN": HF_TOKEN}
    return subprocess.run(
        [sys.executable, "-m", "aiospo_ci", "check", "--offline", "--engine", "embedded", "--today", "2026-11-26", *args, "."],
        cwd=repo, capture_output=True, text=True, timeout=300, env={**base, **(env or {})},
    )


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/logs"


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_record_has_opas_shape_and_the_checks_decision(demo: Path, tmp_path: Path):
    log = tmp_path / "decisions.jsonl"
    run = _check(demo, "--decision-log", str(log), "--format", "json", "--decision-log-label", "team=platform")
    assert run.returncode == 1, run.stderr  # the demo uses models the default policy denies
    (record,) = _records(log)
    _validator().validate(record)
    assert record["path"] == "aiospo/main/findings"
    report = json.loads(run.stdout)
    assert [(f["rule"], f["severity"], f["ref"]) for f in record["result"]] == [(f["rule"], f["severity"], f["ref"]) for f in report["findings"]]
    assert [r["id"] for r in record["input"]["references"]] == [r["id"] for r in report["references"]]
    assert record["labels"]["input_sha256"] == hashlib.sha256(canonical_json(record["input"])).hexdigest()
    assert record["labels"]["verdict"] == "fail" and record["labels"]["repository"] == "demo" and record["labels"]["team"] == "platform"
    (revision,) = record["bundles"].values()
    assert revision["revision"].startswith("0.1.0+sha256:") and len(revision["revision"]) == len("0.1.0+sha256:") + 64


def test_the_schema_refuses_what_opa_would_not_read(demo: Path, tmp_path: Path):
    log = tmp_path / "decisions.jsonl"
    _check(demo, "--decision-log", str(log))
    (record,) = _records(log)
    validator = _validator()
    for broken in (
        {**record, "verdict": "fail"},  # a field OPA does not document
        {k: v for k, v in record.items() if k != "decision_id"},
        {**record, "timestamp": "yesterday"},
        {**record, "bundles": {"aiospo-ci": "0.1.0"}},  # a revision is an object
        {k: v for k, v in record.items() if k != "input"},  # neither input nor erased /input
    ):
        assert not validator.is_valid(broken), sorted(set(broken) ^ set(record))


def test_records_differ_only_in_id_and_time_and_the_hash_mode_keeps_the_hash(demo: Path, tmp_path: Path):
    log = tmp_path / "decisions.jsonl"
    assert _check(demo, "--decision-log", str(log)).returncode == 1
    assert _check(demo, "--decision-log", str(log), "--jobs", "1").returncode == 1
    assert _check(demo, "--decision-log", str(log), env={"AIOSPO_DECISION_LOG_INPUT": "hash"}).returncode == 1
    first, second, hashed = _records(log)
    assert first["decision_id"] != second["decision_id"]
    assert {k: v for k, v in first.items() if k not in VARYING} == {k: v for k, v in second.items() if k not in VARYING}
    _validator().validate(hashed)
    assert "input" not in hashed and hashed["erased"] == ["/input"]
    assert hashed["labels"] == first["labels"] and hashed["result"] == first["result"]


def test_a_custom_policy_folder_is_its_own_revision(demo: Path, tmp_path: Path):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "org.rego").write_text('package aiospo.rules.org\n\nfindings contains {"rule": "org/never", "severity": "info", "message": "m", "ref": null} if false\n')
    log = tmp_path / "decisions.jsonl"
    _check(demo, "--decision-log", str(log))
    _check(demo, "--decision-log", str(log), "--policy", str(policies))
    plain, custom = _records(log)
    assert set(plain["bundles"]) == {"aiospo-ci"}
    assert set(custom["bundles"]) == {"aiospo-ci", "policies"}
    assert custom["bundles"]["aiospo-ci"] == plain["bundles"]["aiospo-ci"]


def test_the_collector_gets_gzip_json_with_the_token_and_no_token_is_in_the_record(demo: Path, tmp_path: Path):
    log = tmp_path / "decisions.jsonl"
    with CollectorServer() as collector:
        collector.state.token = LOG_TOKEN
        run = _check(demo, "--decision-log", str(log), "--decision-log-url", collector.url, env={"AIOSPO_DECISION_LOG_TOKEN": LOG_TOKEN})
    assert run.returncode == 1, run.stderr
    (post,) = collector.state.posts
    assert post.accepted and post.path == "/logs"
    assert post.headers["Content-Encoding"] == "gzip" and post.headers["Content-Type"] == "application/json"
    assert post.headers["Authorization"] == f"Bearer {LOG_TOKEN}"
    (event,) = post.events or []
    assert event == _records(log)[0]
    for text in (gzip.decompress(post.body).decode(), log.read_text(), run.stdout, run.stderr):
        assert HF_TOKEN not in text and LOG_TOKEN not in text


def test_retries_then_delivers_and_the_verdict_is_the_same(demo: Path):
    with CollectorServer() as collector:
        collector.state.fail_first = 2
        run = _check(demo, "--decision-log-url", collector.url)
    assert run.returncode == 1, run.stderr
    assert len(collector.state.posts) == 3 and len(collector.state.events) == 1
    assert "warning" not in run.stderr


@pytest.mark.parametrize("fault", ["down", "500", "401", "redirect"])
def test_a_collector_that_fails_is_a_warning_and_the_verdict_stands(demo: Path, fault: str):
    with CollectorServer() as collector, CollectorServer() as elsewhere:
        url = _closed_port_url() if fault == "down" else collector.url
        if fault == "500":
            collector.state.fail_first = 99
        elif fault == "401":
            collector.state.token = "another-token-entirely"
        else:
            collector.state.redirect_to = elsewhere.url
        run = _check(demo, "--decision-log-url", url, env={"AIOSPO_DECISION_LOG_TOKEN": LOG_TOKEN})
    assert run.returncode == 1, run.stderr
    assert "warning: the decision record was not sent:" in run.stderr and "the verdict stands" in run.stderr
    assert "/logs" not in run.stderr.split("warning:", 1)[1]  # the URL's path (which may hold a key) is not logged
    assert not elsewhere.state.posts  # a redirect is not followed: the records go where the workflow said
    assert LOG_TOKEN not in run.stderr
    expected = {"down": 0, "500": 3, "401": 1, "redirect": 1}[fault]  # 401 and redirects are final, no retry
    assert len(collector.state.posts) == expected


def test_a_passing_check_says_pass_and_an_unwritable_file_is_a_warning(tmp_path: Path):
    repo = tmp_path / "clean"
    repo.mkdir()
    (repo / "app.py").write_text("print('no models here')\n")
    run = _check(repo, "--decision-log", str(tmp_path / "missing-folder" / "log.jsonl"))
    assert run.returncode == 0, run.stderr
    assert "warning: the decision record could not be written to" in run.stderr
    log = tmp_path / "log.jsonl"
    assert _check(repo, "--decision-log", str(log)).returncode == 0
    (record,) = _records(log)
    assert record["labels"]["verdict"] == "pass" and record["result"] == []


def test_the_url_comes_from_the_workflow_never_from_the_repository(demo: Path, tmp_path: Path):
    repo = tmp_path / "hostile"
    shutil.copytree(demo, repo)
    with CollectorServer() as collector:
        (repo / ".aiospo.yaml").write_text(f"decision_log_url: {collector.url}\n")
        run = _check(repo)
    assert run.returncode == 2 and "decision_log_url" in run.stderr
    assert not collector.state.posts


@pytest.mark.parametrize(
    ("url", "token", "why"),
    [
        ("http://collector.example/logs", LOG_TOKEN, "plain http"),
        ("https://user:secret@collector.example/logs", "", "carries credentials"),
        ("ftp://collector.example/logs", "", "not an http(s) URL"),
    ],
)
def test_a_url_that_would_leak_is_refused_before_the_check(demo: Path, url: str, token: str, why: str):
    run = _check(demo, "--decision-log-url", url, env={"AIOSPO_DECISION_LOG_TOKEN": token})
    assert run.returncode == 2
    assert why in run.stderr and run.stderr.count("\n") == 1 and "secret" not in run.stderr


def test_labels_come_from_the_github_event(demo: Path, tmp_path: Path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42, "head": {"sha": "a" * 40}}, "repository": {"full_name": "acme/app"}}))
    log = tmp_path / "decisions.jsonl"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/app", "GITHUB_SHA": "c" * 40}
    _check(demo, "--decision-log", str(log), env=env)
    labels = _records(log)[0]["labels"]
    assert (labels["repository"], labels["commit"], labels["pull_request"], labels["event"]) == ("acme/app", "a" * 40, "42", "pull_request")


def test_upload_batches_under_the_size_limit_in_order():
    records = [json.dumps({"decision_id": str(i), "input": {"padding": os.urandom(600).hex()}}).encode() for i in range(40)]
    groups = batches(records, limit=4096)
    assert len(groups) > 1 and [r for g in groups for r in g] == records
    with CollectorServer() as collector:
        outcome = upload(records, collector.url, limit=4096)
    assert outcome.sent == 40 and not outcome.errors and outcome.posts == len(groups)
    assert all(len(p.body) <= 4096 for p in collector.state.posts)
    assert [e["decision_id"] for e in collector.state.events] == [str(i) for i in range(40)]


def test_upload_honours_429_and_gives_up_after_the_attempts():
    slept: list[float] = []
    with CollectorServer() as collector:
        collector.state.fail_first, collector.state.fail_status = 1, 429
        assert upload([b"{}"], collector.url, sleep=slept.append).sent == 1
        collector.state.fail_first = 99
        outcome = upload([b"{}"], collector.url, attempts=4, backoff=0.25, sleep=slept.append)
    assert outcome.sent == 0 and outcome.posts == 4
    assert slept == [0.5, 0.25, 0.5, 1.0]
    assert outcome.errors == [f"{collector.url.rsplit('/', 1)[0]} answered HTTP 429 for 1 record(s) after 4 attempts"]


def _checkout(tmp_path: Path, demo: Path) -> tuple[Path, dict]:
    """A pull request that adds the demo, checked out as GitHub's merge commit after the base
    moved on (so the Action judges a private copy of the head's files, and the record must
    still land in the real workspace); the event names the real base and head."""
    from tests.action.conftest import make_pr_repo

    files = {p.relative_to(demo).as_posix(): p.read_bytes() for p in sorted(demo.rglob("*")) if p.is_file()}
    repo = make_pr_repo(tmp_path / "repo", {"README.md": "app\n"}, files, base_moves={"README.md": "app, moved on\n"})
    event = {"pull_request": {"number": 7, "head": {"sha": repo.head}, "base": {"sha": repo.base}}, "repository": {"full_name": "acme/app"}}
    return repo.clone(tmp_path / "workspace", repo.merge), event


def _action(tmp_path: Path, workspace: Path, event: dict, **env: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """The Action's entrypoint as a process on a pull_request event, offline, without GitHub's API."""
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event))
    outputs = tmp_path / "output.txt"
    outputs.unlink(missing_ok=True)
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event_path), "GITHUB_REPOSITORY": "acme/app", "GITHUB_SHA": "c" * 40, "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(outputs), "AIOSPO_TODAY": "2026-11-26", "AIOSPO_CACHE_DIR": str(tmp_path / "cache"), "INPUT_OFFLINE": "true",
        "INPUT_ENGINE": "embedded", "INPUT_ANNOTATIONS": "none", "INPUT_COMMENT": "never", "INPUT_HF_TOKEN": HF_TOKEN,
    }
    run = subprocess.run([sys.executable, "-m", "aiospo_ci.action"], env={**base, **env}, capture_output=True, text=True, timeout=300)
    text = outputs.read_text() if outputs.exists() else ""
    found = {}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            found[name] = "\n".join(lines[i + 1 : lines.index(delimiter, i + 1)])
    return run, found


def test_the_action_leaves_the_record_in_the_workspace_and_sends_it(demo: Path, tmp_path: Path):
    workspace, event = _checkout(tmp_path, demo)
    with CollectorServer() as collector:
        run, outputs = _action(
            tmp_path, workspace, event, INPUT_DECISION_LOG="audit/decision.jsonl", AIOSPO_DECISION_LOG_URL=collector.url, AIOSPO_DECISION_LOG_TOKEN=LOG_TOKEN
        )
    assert run.returncode == 1, run.stdout + run.stderr
    assert outputs["decision_log"] == "audit/decision.jsonl"
    (record,) = _records(workspace / "audit" / "decision.jsonl")
    _validator().validate(record)
    labels = record["labels"]
    head = event["pull_request"]["head"]["sha"]
    assert (labels["repository"], labels["commit"], labels["pull_request"], labels["verdict"]) == ("acme/app", head, "7", "fail")
    assert collector.state.events == [record]
    assert LOG_TOKEN not in run.stdout and HF_TOKEN not in run.stdout and HF_TOKEN not in json.dumps(record)


def test_the_action_refuses_a_record_outside_the_workspace_with_a_warning(demo: Path, tmp_path: Path):
    workspace, event = _checkout(tmp_path, demo)
    run, outputs = _action(tmp_path, workspace, event, INPUT_DECISION_LOG="../outside.jsonl")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "decision_log" not in outputs and not (tmp_path / "outside.jsonl").exists()
    assert "::warning title=aiospo-ci::no decision record: input decision_log ../outside.jsonl: outside the workspace" in run.stdout
