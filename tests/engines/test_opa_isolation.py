"""Policies on a real OPA REST API load as one unit and stay apart between runs.

The server is tests/support/opa_server.py with OPA's own Go evaluator behind it (the opa-golib
backend): it compiles every module it holds on each upload, as OPA does, refuses a module with
OPA's error list, holds bundles with their roots, and records every request. Two ways to use a
server are tested: upload (each run's policies in a namespace of its own, deleted afterwards)
and query (a preloaded bundle that aiospo-ci only asks)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import bundle, library
from aiospo_ci.policy.opa import OpaServerEngine
from tests.robustness.harness import Cli, write_tree
from tests.support.opa_reference import require_opa_bindings
from tests.support.opa_server import FakeOpaServer
from tests.support.org_policies import flag_rule, write_acme, write_project

DOCUMENT = {
    "schema_version": 1,
    "today": "2026-11-26",
    "config": {},
    "references": [{"index": 0, "id": "org/model", "kind": "model", "source": "huggingface", "file": "a.py", "line": 1, "pin": "none", "flags": []}],
}
FOREIGN = 'package aiospo.rules.foreign\n\nfindings contains {"rule": "foreign/x", "severity": "deny", "message": "m", "ref": 0} if true\n'


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """`python -m aiospo_ci` in a clean environment, with tmp_path as its HOME (tests/robustness/harness.py)."""
    return Cli(tmp_path)


@pytest.fixture
def opa() -> FakeOpaServer:
    require_opa_bindings()
    with FakeOpaServer(backend="opa-golib") as server:
        yield server


def _rules(run) -> set[str]:
    return {f["rule"] for f in json.loads(run.stdout)["findings"]}


def _aiospo_leftovers(server: FakeOpaServer) -> list[str]:
    return [policy_id for policy_id in server.state.policies if policy_id.startswith("aiospo-ci/")] + [key for key in server.state.data if key == "aiospo_ci_runs" and server.state.data[key]]


def test_custom_policies_that_import_the_library_load_on_opa_from_any_folder(tmp_path, cli, opa):
    """The rule sorts before the library and its helper after it: uploaded one by one by name,
    OPA refuses the rule (its `lib.finding` is not there yet). Uploaded as one unit, it loads."""
    acme = write_acme(tmp_path / "acme")
    project = write_project(tmp_path / "project")
    via_opa = cli("check", "--offline", str(project), "--engine", "opa", "--opa-url", opa.url, "--policy", str(acme), "--format", "json")
    embedded = cli("check", "--offline", str(project), "--engine", "embedded", "--policy", str(acme), "--format", "json")
    assert via_opa.rc == 1, via_opa
    assert json.loads(via_opa.stdout)["findings"] == json.loads(embedded.stdout)["findings"]
    assert [f["model"] for f in json.loads(via_opa.stdout)["findings"] if f["rule"] == "acme/not-allowed"] == ["facebook/nllb-200-distilled-600M"]
    assert _aiospo_leftovers(opa) == []


def test_a_refused_module_shows_opas_error_list_and_the_run_leaves_nothing(tmp_path, cli, opa):
    policies = write_tree(
        tmp_path / "bad",
        {"rules/bad.rego": "package aiospo.rules.bad\n\nimport data.aiospo.lib\n\nx := lib.no_such_helper(1)\n\ny := missing_function(2)\n"},
    )
    run = cli("check", "--offline", str(write_project(tmp_path / "project")), "--engine", "opa", "--opa-url", opa.url, "--policy", str(policies))
    assert run.rc == 2, run
    # OPA's own errors, each with its code, the author's file and row, and OPA's message.
    assert "rego_type_error at " in run.stderr and "bad.rego:5: undefined function data.aiospo.lib.no_such_helper" in run.stderr, run
    assert "bad.rego:7: undefined function missing_function" in run.stderr, run
    assert "aiospo_ci_runs" not in run.stderr  # the run's namespace is an implementation detail
    assert _aiospo_leftovers(opa) == []
    assert any(r.method == "DELETE" for r in opa.requests)


def _engine_for(server: FakeOpaServer, extra: dict[str, str]) -> OpaServerEngine:
    engine = OpaServerEngine(server.url)
    engine.load({**library.load_modules([]), **extra}, {})
    return engine


def test_two_repositories_on_one_shared_server_keep_their_decisions_apart(opa):
    """Runs of two repositories overlap on one server: each is judged by its own policies only,
    nobody's module is overwritten, and the server's own policies are neither judged nor touched."""
    opa.state.policies["team-x/foreign.rego"] = FOREIGN  # someone else's module, uploaded before
    first = _engine_for(opa, {"repo-a/flag.rego": flag_rule("repo_a", "repo-a/flag")})
    second = _engine_for(opa, {"repo-b/flag.rego": flag_rule("repo_b", "repo-b/flag")})
    try:
        rules_a = {f["rule"] for f in first.evaluate(DOCUMENT)}
        rules_b = {f["rule"] for f in second.evaluate(DOCUMENT)}
    finally:
        first.close()
        second.close()
    assert "repo-a/flag" in rules_a and "repo-b/flag" not in rules_a and "foreign/x" not in rules_a
    assert "repo-b/flag" in rules_b and "repo-a/flag" not in rules_b and "foreign/x" not in rules_b
    assert rules_a - {"repo-a/flag"} == rules_b - {"repo-b/flag"}  # the same library judged both
    assert opa.state.policies == {"team-x/foreign.rego": FOREIGN}
    assert _aiospo_leftovers(opa) == []
    puts = {r.path for r in opa.requests if r.method == "PUT"}
    assert len(puts) == 2 * (len(library.load_modules([])) + 1)  # no id was written twice


def test_concurrent_checks_of_two_repositories_on_one_server(tmp_path, cli, opa):
    """The whole CLI, two processes at once against one server."""
    runs = {}
    policies = {name: write_tree(tmp_path / f"{name}-policies", {"flag.rego": flag_rule(name, f"{name}/flag")}) for name in ("repo_a", "repo_b")}

    def check(name: str) -> None:
        project = write_project(tmp_path / name)
        runs[name] = cli("check", "--offline", str(project), "--opa-url", opa.url, "--policy", str(policies[name]), "--format", "json")

    threads = [threading.Thread(target=check, args=(name,)) for name in policies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "repo_a/flag" in _rules(runs["repo_a"]) and "repo_b/flag" not in _rules(runs["repo_a"]), runs["repo_a"]
    assert "repo_b/flag" in _rules(runs["repo_b"]) and "repo_a/flag" not in _rules(runs["repo_b"]), runs["repo_b"]
    assert _aiospo_leftovers(opa) == []


@pytest.fixture
def central(tmp_path: Path, opa: FakeOpaServer) -> tuple[FakeOpaServer, bytes]:
    """A central OPA that holds the organisation's bundle, as `opa run --server --bundle` would."""
    raw, _ = bundle.build([write_acme(tmp_path / "acme")], revision="central-42")
    opa.activate_bundle("acme", raw)
    return opa, raw


def test_a_central_opa_is_only_queried(tmp_path, cli, central):
    opa, raw = central
    path = tmp_path / "acme.tar.gz"
    path.write_bytes(raw)
    project = write_project(tmp_path / "project")
    queried = cli("check", "--offline", str(project), "--opa-url", opa.url, "--opa-mode", "query", "--format", "json")
    locally = cli("check", "--offline", str(project), "--bundle", str(path), "--format", "json")
    assert queried.rc == 1, queried
    report = json.loads(queried.stdout)
    assert report["findings"] == json.loads(locally.stdout)["findings"]  # the same bundle, the same decision
    assert report["bundles"] == {"acme": "central-42"}  # the revision OPA says decided
    assert opa.writes() == []  # nothing uploaded, nothing deleted
    asked = [(r.method, r.path) for r in opa.requests if r.path.startswith("/v1")]
    assert asked == [("GET", "/v1/data/aiospo/bundle"), ("POST", "/v1/data/aiospo/main/findings?strict-builtin-errors=true&provenance=true")]
    # The titles come from the bundle the server holds, not from this aiospo-ci's library.
    sarif = cli("check", "--offline", str(project), "--opa-url", opa.url, "--opa-mode", "query", "--format", "sarif")
    titles = {r["id"]: r["shortDescription"]["text"] for r in json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert titles["acme/not-allowed"] == "Model outside ACME's allow-list"


def test_a_central_opa_without_the_aiospo_bundle_is_no_verdict(tmp_path, cli, opa):
    run = cli("check", "--offline", str(write_project(tmp_path / "project")), "--opa-url", opa.url, "--opa-mode", "query")
    assert run.rc == 2 and opa.url in run.stderr and "data.aiospo.bundle is undefined" in run.stderr, run
    assert opa.writes() == []


def test_a_central_opa_refusing_the_token_is_no_verdict_that_says_why(tmp_path, cli, central):
    opa, _ = central
    opa.state.token = "the-central-token"
    project = write_project(tmp_path / "project")
    run = cli("check", "--offline", str(project), "--opa-url", opa.url, "--opa-mode", "query", env={"OPA_TOKEN": "a-wrong-token"})
    assert run.rc == 2 and "unauthorized" in run.stderr and "a-wrong-token" not in run.stderr, run
    ok = cli("check", "--offline", str(project), "--opa-url", opa.url, "--opa-mode", "query", env={"OPA_TOKEN": "the-central-token"})
    assert ok.rc == 1, ok


def test_a_central_opa_with_a_bundle_from_a_newer_aiospo_ci_is_no_verdict(tmp_path, cli, opa, monkeypatch):
    monkeypatch.setattr(bundle, "__version__", "0.7.0")
    opa.activate_bundle("acme", bundle.build([], revision="r")[0])
    run = cli("check", "--offline", str(write_project(tmp_path / "project")), "--opa-url", opa.url, "--opa-mode", "query")
    assert run.rc == 2 and "built by aiospo-ci 0.7.0" in run.stderr, run


def test_repository_policies_cannot_be_dropped_silently_on_a_central_opa(tmp_path, cli, central):
    opa, _ = central
    acme = write_acme(tmp_path / "mine")
    project = write_project(tmp_path / "project", {".aiospo.yaml": "policy_dirs: [policies]\n"})
    write_tree(project / "policies", {"flag.rego": flag_rule("mine", "mine/flag")})
    for args in (("--policy", str(acme)), ()):
        run = cli("check", "--offline", str(project), "--opa-url", opa.url, "--opa-mode", "query", *args)
        assert run.rc == 2 and "--opa-mode query judges with the bundle the OPA server holds" in run.stderr, run
    assert opa.requests == []


def test_the_configuration_cannot_route_around_the_workflows_opa(tmp_path, cli, central):
    opa, _ = central
    project = write_project(tmp_path / "project", {".aiospo.yaml": "engine: embedded\n"})
    run = cli("check", "--offline", str(project), "--opa-url", opa.url, "--opa-mode", "query", "--format", "json")
    assert run.rc == 1 and json.loads(run.stdout)["bundles"] == {"acme": "central-42"}, run
    # Nor choose the server that decides: a query-only run takes its server from the workflow.
    elsewhere = write_project(tmp_path / "elsewhere", {".aiospo.yaml": f"opa_url: {opa.url}\n"})
    run = cli("check", "--offline", str(elsewhere), "--opa-mode", "query")
    assert run.rc == 2 and "cannot choose the server that decides" in run.stderr, run


def test_an_upload_run_on_a_server_holding_a_bundle_leaves_the_bundle_alone(tmp_path, cli, central):
    opa, _ = central
    before = json.dumps(opa.state.bundles["acme"].data, sort_keys=True)
    run = cli("check", "--offline", str(write_project(tmp_path / "project")), "--opa-url", opa.url, "--format", "json")
    assert run.rc == 1, run
    assert "acme/not-allowed" not in _rules(run)  # this run uploaded and was judged by its own library
    assert all("/aiospo_ci_runs/" in r.path or r.path.startswith("/v1/policies/aiospo-ci/") for r in opa.writes())
    assert json.dumps(opa.state.bundles["acme"].data, sort_keys=True) == before and _aiospo_leftovers(opa) == []


def test_query_mode_refuses_policies_handed_to_it():
    with FakeOpaServer() as server:
        engine = OpaServerEngine(server.url, mode="query")
        with pytest.raises(PolicyError, match="only queried"):
            engine.load({"x.rego": "package x\n"}, {})
        engine.close()
        assert server.writes() == []
