"""Facts that cannot be trusted are not trusted (issue 11 §3).

Each test is an attack or a careless state that used to end in exit 0 with a model the policy
denies: a gated repository whose license nobody could read, an answer that was an access error
kept in the cache or the lockfile, a lockfile or cache file with facts of the wrong shape, a
stray HF_HUB_OFFLINE, a model whose facts are unknown in CI. The real CLI runs as a subprocess
against the local Hub (tests/support/hub_server.py) over HTTP; nothing is mocked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.robustness.harness import CLEAN_PY, DENIED_PY, NLLB_SHA, QUIET_CONFIG, closed_port_url, write_tree

GATED = "example-org/restricted-model"
GATED_SHA = "a" * 40
GATED_PY = f'''from transformers import AutoModel
model = AutoModel.from_pretrained("{GATED}", revision="{GATED_SHA}")
'''


def hub(server) -> list[str]:
    return ["--hub-endpoint", server.url]


def findings(run) -> list[tuple[str, str, str]]:
    return sorted((f["rule"], f["severity"], f["model"] or "") for f in json.loads(run.stdout)["findings"])


@pytest.fixture
def clean(tmp_path) -> Path:
    return write_tree(tmp_path / "clean", {"src/app.py": CLEAN_PY, ".aiospo.yaml": QUIET_CONFIG})


def test_the_clean_project_passes(cli, clean, hub_server):
    """Guards every test below: the project passes until the attack is added."""
    run = cli("check", str(clean), "--format", "json", "--engine", "embedded", *hub(hub_server))
    assert run.rc == 0, run
    assert findings(run) == []


# -- a Hub answer that gives no license -----------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_a_gated_repository_without_access_has_an_unknown_license_and_is_denied(cli, clean, hub_server, status):
    hub_server.put_repo({"kind": "model", "id": GATED, "error": {"status": status, "code": "GatedRepo", "message": "Access restricted"}})
    write_tree(clean, {"src/gated.py": GATED_PY})
    run = cli("check", str(clean), "--format", "json", "--engine", "embedded", *hub(hub_server))
    assert run.rc == 1, run
    assert ("license/category", "deny", GATED) in findings(run)
    message = next(f["message"] for f in json.loads(run.stdout)["findings"] if f["rule"] == "license/category")
    assert "declares no license" in message or "unknown" in message


def test_a_gated_answer_is_not_cached(cli, clean, hub_server):
    """An access error depends on the token in use: asked again next run, not kept for a day."""
    write_tree(clean, {"src/gated.py": GATED_PY})
    for _ in range(2):
        hub_server.clear()
        run = cli("check", str(clean), "--format", "json", "--engine", "embedded", *hub(hub_server))
        assert run.rc == 1, run
        assert hub_server.count(f"/api/models/{GATED}") >= 1, "the gated answer came from the cache"


def test_lock_does_not_record_a_gated_answer(cli, clean, hub_server):
    write_tree(clean, {"src/gated.py": GATED_PY})
    run = cli("lock", str(clean), *hub(hub_server))
    assert run.rc == 2, run
    assert GATED in run.stderr and "lockfile was not written" in run.stderr, run
    assert not (clean / "aiospo.lock").exists()


def test_lock_does_not_record_an_ancestor_the_hub_failed_to_answer(cli, tmp_path, hub_server):
    """A fine-tune whose base model answered 503: the lineage would record an error as vetted."""
    root = write_tree(tmp_path / "ft", {"src/app.py": 'from transformers import AutoModel\nm = AutoModel.from_pretrained("example-org/llama-3.1-8b-support-ft")\n'})
    hub_server.inject("status", "/api/models/meta-llama/Llama-3.1-8B-Instruct", status=503, headers={"Retry-After": "0"})
    run = cli("lock", str(root), *hub(hub_server))
    assert run.rc == 2, run
    assert "meta-llama/Llama-3.1-8B-Instruct" in run.stderr, run
    assert not (root / "aiospo.lock").exists()


# -- the lockfile and the cache are checked on load -------------------------------------------


def locked_project(tmp_path: Path, entry_changes: dict, drop: tuple[str, ...] = ()) -> Path:
    """The denied model in a lockfile whose entry was edited: the facts a pull request wrote."""
    entry = {
        "kind": "model", "id": "facebook/nllb-200-distilled-600M", "revision": NLLB_SHA, "status": "ok",
        "canonical_id": "facebook/nllb-200-distilled-600M", "sha": NLLB_SHA, "revision_kind": "commit",
        "revision_status": "ok", "resolved_commit": NLLB_SHA, "license": "cc-by-nc-4.0", "license_name": None,
        "license_link": None, "gated": "false", "private": False, "disabled": False,
        "last_modified": "2026-09-01T00:00:00Z", "created_at": "2022-07-08T10:06:00Z", "library": "transformers",
        "pipeline_tag": "translation", "has_safetensors": True, "has_pickle": False, "has_gguf": False,
        "has_onnx": False, "has_custom_code": False, "security_status": "safe", "card_present": True,
        "datasets": ["flores-200"], "dataset_facts": [], "base_models": [], "lineage": [],
    }
    entry.update(entry_changes)
    for key in drop:
        entry.pop(key)
    lock = {"aiospo_lock_version": 1, "comment": "edited", "entries": [entry]}
    return write_tree(tmp_path / "locked", {
        "src/app.py": DENIED_PY, ".aiospo.yaml": QUIET_CONFIG, "aiospo.lock": json.dumps(lock, indent=2),
    })


def test_an_honest_lockfile_denies_the_model_offline(cli, tmp_path):
    """Guards the tests below: the lockfile as `lock` writes it reaches a verdict offline."""
    root = locked_project(tmp_path, {})
    run = cli("check", str(root), "--offline", "--format", "json", "--engine", "embedded")
    assert run.rc == 1, run
    assert ("license/category", "deny", "facebook/nllb-200-distilled-600M") in findings(run)


@pytest.mark.parametrize(
    "changes, drop, words",
    [
        ({"status": "vetted"}, (), "status"),
        ({"status": "error"}, (), "status"),
        ({"status": "unknown"}, (), "status"),
        ({"license": ["cc-by-nc-4.0", "mit"]}, (), "license"),
        ({"gated": "no"}, (), "gated"),
        ({"has_pickle": "false"}, (), "has_pickle"),
        ({"lineage": [{"id": "x/y", "depth": "one", "license": None, "status": "ok"}]}, (), "lineage"),
        ({"licence": "mit"}, (), "licence"),
        ({}, ("status",), "status"),
    ],
    ids=["unknown-status", "error-status", "unknown-facts-status", "license-list", "gated-word", "bool-as-text",
         "lineage-depth-text", "unknown-key", "no-status"],
)
def test_a_malformed_lockfile_entry_stops_the_run_naming_the_file(cli, tmp_path, changes, drop, words):
    root = locked_project(tmp_path, changes, drop)
    run = cli("check", str(root), "--offline", "--format", "json", "--engine", "embedded")
    assert run.rc == 2, run
    assert str(root / "aiospo.lock") in run.stderr and words in run.stderr, run
    assert run.stdout == "", run


def warm_cache_file(cli, tmp_path: Path, hub_server) -> tuple[Path, Path, dict[str, str]]:
    """A project checked once online, and the Hub cache file holding its model's facts."""
    root = write_tree(tmp_path / "cached", {"src/app.py": DENIED_PY, ".aiospo.yaml": QUIET_CONFIG})
    env = {"AIOSPO_CACHE_DIR": str(tmp_path / "hub-cache")}
    first = cli("check", str(root), "--format", "json", "--engine", "embedded", *hub(hub_server), env=env)
    assert first.rc == 1, first
    files = [p for p in (tmp_path / "hub-cache" / "hub-v1").rglob("*.json") if "facebook/nllb" in p.read_text(encoding="utf-8")]
    assert len(files) == 1, files
    return root, files[0], env


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda doc: doc["facts"].update(status="vetted"), "status"),
        (lambda doc: doc["facts"].update(license={"id": "mit"}), "license"),
        (lambda doc: doc["facts"].update(has_pickle=1), "has_pickle"),
        (lambda doc: doc.update(stored_at="yesterday"), "stored_at"),
        (lambda doc: doc["key"].update(id="someone/else"), "key"),
        (lambda doc: doc.pop("facts"), "facts"),
    ],
    ids=["unknown-status", "license-object", "int-as-bool", "stored-at-text", "wrong-key", "no-facts"],
)
@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_a_malformed_cache_file_stops_the_run_naming_the_file(cli, tmp_path, hub_server, edit, words, offline):
    root, file, env = warm_cache_file(cli, tmp_path, hub_server)
    doc = json.loads(file.read_text(encoding="utf-8"))
    edit(doc)
    file.write_text(json.dumps(doc), encoding="utf-8")
    extra = ["--offline", *hub(hub_server)] if offline else hub(hub_server)  # the cache is keyed by endpoint
    run = cli("check", str(root), "--format", "json", "--engine", "embedded", *extra, env=env)
    assert run.rc == 2, run
    assert str(file) in run.stderr and words in run.stderr, run


def test_a_cache_file_that_is_not_json_stops_the_run(cli, tmp_path, hub_server):
    root, file, env = warm_cache_file(cli, tmp_path, hub_server)
    file.write_text('{"format": 1, "key": ', encoding="utf-8")
    run = cli("check", str(root), "--format", "json", "--engine", "embedded", *hub(hub_server), env=env)
    assert run.rc == 2, run
    assert str(file) in run.stderr, run


# -- offline runs say that they trust the lockfile ---------------------------------------------


def test_an_offline_run_says_it_trusts_the_lockfile(cli, tmp_path):
    root = locked_project(tmp_path, {"license": "apache-2.0"})  # a lockfile that lies
    run = cli("check", str(root), "--offline", "--format", "json", "--engine", "embedded")
    assert run.rc == 0, run
    warnings = " ".join(json.loads(run.stdout)["warnings"])
    assert "offline" in warnings and "aiospo.lock" in warnings and "not compared with the Hub" in warnings, run
    text = cli("check", str(root), "--offline", "--engine", "embedded")
    assert "not compared with the Hub" in text.stdout, text


# -- HF_HUB_OFFLINE does not switch a check offline ----------------------------------------


def test_hf_hub_offline_does_not_silently_trust_a_lying_lockfile(cli, tmp_path, hub_server):
    """The pull request's lockfile says the model is apache-2.0; the Hub says cc-by-nc-4.0. A
    stray HF_HUB_OFFLINE in the job's environment used to make the check trust the lockfile."""
    root = locked_project(tmp_path, {"license": "apache-2.0"})
    run = cli("check", str(root), "--format", "json", "--engine", "embedded", *hub(hub_server), env={"HF_HUB_OFFLINE": "1"})
    assert run.rc == 2, run
    assert "HF_HUB_OFFLINE" in run.stderr and "--offline" in run.stderr, run
    # without it the Hub is asked and the model is denied (the lockfile's claim is drift)
    online = cli("check", str(root), "--format", "json", "--engine", "embedded", *hub(hub_server))
    assert online.rc == 1, online
    assert ("license/category", "deny", "facebook/nllb-200-distilled-600M") in findings(online)
    # --offline is the operator's choice, and the run says what it trusted
    chosen = cli("check", str(root), "--offline", "--format", "json", "--engine", "embedded", env={"HF_HUB_OFFLINE": "1"})
    assert chosen.rc == 0, chosen
    assert "not compared with the Hub" in " ".join(json.loads(chosen.stdout)["warnings"])


def test_lock_with_hf_hub_offline_names_the_variable(cli, clean, hub_server):
    run = cli("lock", str(clean), *hub(hub_server), env={"HF_HUB_OFFLINE": "1"})
    assert run.rc == 2, run
    assert "HF_HUB_OFFLINE" in run.stderr, run
    assert not (clean / "aiospo.lock").exists()


# -- unknown facts: deny in CI, warn elsewhere ---------------------------------------------


@pytest.fixture
def unknown(tmp_path) -> Path:
    """An offline check of a model neither the lockfile nor the cache knows."""
    return write_tree(tmp_path / "unknown", {"src/app.py": DENIED_PY, ".aiospo.yaml": QUIET_CONFIG})


@pytest.mark.parametrize("ci_env", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}, {"CI": "1"}], ids=["CI", "GITHUB_ACTIONS", "CI=1"])
def test_unknown_facts_are_denied_in_ci(cli, unknown, ci_env):
    run = cli("check", str(unknown), "--offline", "--format", "json", "--engine", "embedded", env=ci_env)
    assert run.rc == 1, run
    assert ("hub/unknown", "deny", "facebook/nllb-200-distilled-600M") in findings(run)


def test_unknown_facts_warn_on_a_developer_machine(cli, unknown):
    run = cli("check", str(unknown), "--offline", "--format", "json", "--engine", "embedded", env={"CI": "false"})
    assert run.rc == 0, run
    assert ("hub/unknown", "warn", "facebook/nllb-200-distilled-600M") in findings(run)


def test_the_configuration_still_decides_unknown_facts_in_ci(cli, unknown):
    (unknown / ".aiospo.yaml").write_text(QUIET_CONFIG.replace("vetting:\n", "vetting:\n  unknown_facts: warn\n"), encoding="utf-8")
    run = cli("check", str(unknown), "--offline", "--format", "json", "--engine", "embedded", env={"CI": "true"})
    assert run.rc == 0, run
    assert ("hub/unknown", "warn", "facebook/nllb-200-distilled-600M") in findings(run)


def test_hub_errors_judged_fail_open_are_denied_in_ci(cli, clean, hub_server):
    (clean / ".aiospo.yaml").write_text(QUIET_CONFIG + "hub:\n  on_error: fail_open\n", encoding="utf-8")
    hub_server.inject("status", status=503, headers={"Retry-After": "0"})
    run = cli("check", str(clean), "--format", "json", "--engine", "embedded", *hub(hub_server), env={"GITHUB_ACTIONS": "true"})
    assert run.rc == 1, run
    assert ("hub/error", "deny", "google-bert/bert-base-uncased") in findings(run)


# -- the pre-commit path: lockfile, cache, then the Hub within a budget --------------------


def test_hub_budget_asks_the_hub_about_what_nobody_knows(cli, unknown, hub_server):
    run = cli("check", str(unknown), "--hub-budget", "5", "--format", "json", "--engine", "embedded", *hub(hub_server))
    assert run.rc == 1, run
    assert ("license/category", "deny", "facebook/nllb-200-distilled-600M") in findings(run)
    assert hub_server.count("/api/models/facebook/nllb-200-distilled-600M") >= 1


def test_hub_budget_trusts_the_lockfile_without_asking(cli, tmp_path, hub_server):
    root = locked_project(tmp_path, {})
    run = cli("check", str(root), "--hub-budget", "5", "--format", "json", "--engine", "embedded", *hub(hub_server))
    assert run.rc == 1, run
    assert hub_server.count() == 0
    assert "not compared with the Hub" in " ".join(json.loads(run.stdout)["warnings"])


def test_hub_budget_with_the_hub_unreachable_warns_instead_of_passing_silently(cli, unknown):
    run = cli("check", str(unknown), "--hub-budget", "3", "--format", "json", "--engine", "embedded",
              "--hub-endpoint", closed_port_url(), env={"CI": ""})
    assert run.rc == 0, run
    assert ("hub/unknown", "warn", "facebook/nllb-200-distilled-600M") in findings(run)
    in_ci = cli("check", str(unknown), "--hub-budget", "3", "--format", "json", "--engine", "embedded",
                "--hub-endpoint", closed_port_url(), env={"CI": "true"})
    assert in_ci.rc == 1, in_ci


def test_hub_budget_is_a_bound_on_a_stalled_hub(cli, unknown, hub_server):
    import time

    hub_server.inject("timeout", delay=20)
    started = time.monotonic()
    run = cli("check", str(unknown), "--hub-budget", "2", "--format", "json", "--engine", "embedded", *hub(hub_server))
    took = time.monotonic() - started
    assert run.rc == 0, run
    assert ("hub/unknown", "warn", "facebook/nllb-200-distilled-600M") in findings(run)
    assert took < 15, f"the 2 s budget took {took:.1f} s"

