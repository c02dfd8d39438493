"""A pull request cannot relax the gate unseen: changes to .aiospo.yaml (waivers included),
aiospo.lock and the policy folders are reported as config/changed with what they relax, and
`config_from: base` judges the pull request with the base branch's files instead."""

from __future__ import annotations

import json

from tests.action.conftest import make_pr_repo

LOAD = "from transformers import AutoModel\n"
APP = LOAD + 'AutoModel.from_pretrained("org/copyleft-model", revision="0123456789abcdef0123456789abcdef01234567")\n'
LOCK_ENTRY = {
    "kind": "model", "id": "org/copyleft-model", "revision": "0123456789abcdef0123456789abcdef01234567", "status": "ok",
    "canonical_id": "org/copyleft-model", "sha": "0123456789abcdef0123456789abcdef01234567", "revision_kind": "commit", "revision_status": "ok",
    "resolved_commit": "0123456789abcdef0123456789abcdef01234567", "license": "gpl-3.0", "license_name": None, "license_link": None,
    "gated": "false", "private": False, "disabled": False, "last_modified": "2026-10-01T00:00:00Z", "created_at": "2024-01-01T00:00:00Z",
    "library": "transformers", "pipeline_tag": None, "has_safetensors": True, "has_pickle": False, "has_gguf": False, "has_onnx": False,
    "has_custom_code": False, "security_status": "safe", "card_present": True, "datasets": [], "dataset_facts": [], "base_models": [], "lineage": [],
}
BASE_CONFIG = "version: 1\nlicenses:\n  categories:\n    copyleft: deny\npolicy_dirs: [policies]\nconfig_changed: deny\n"
BASE_POLICY = "package aiospo.rules.org\n"
RELAXED_CONFIG = (
    "version: 1\nlicenses:\n  categories:\n    copyleft: allow\npolicy_dirs: [policies]\nconfig_changed: allow\n"
    "waivers:\n  - model: org/*\n    rule: '*'\n    justification: trust me\n    expires: '2027-01-31'\n"
)


def lock(**changes) -> str:
    return json.dumps({"aiospo_lock_version": 1, "comment": "test", "entries": [{**LOCK_ENTRY, **changes}]}, indent=2, sort_keys=True) + "\n"


def gate_repo(tmp_path, head_changes):
    return make_pr_repo(
        tmp_path / "repo",
        {"src/app.py": APP, ".aiospo.yaml": BASE_CONFIG, "aiospo.lock": lock(), "policies/org.rego": BASE_POLICY, "policies/keep.rego": "package aiospo.rules.keep\n"},
        head_changes,
        base_moves={"CHANGELOG.md": "moved on\n"},
    )


def _findings(run) -> list[dict]:
    return json.loads(run.outputs()["findings"])


def test_an_unchanged_gate_reports_nothing_and_a_copyleft_model_is_denied(harness, github_server, tmp_path):
    repo = gate_repo(tmp_path, {"README.md": "docs only\n"})
    run = harness(repo=repo).run_real()
    assert run.code == 1
    rules = {f["rule"] for f in _findings(run)}
    assert "license/category" in rules and "config/changed" not in rules


def test_a_relaxing_pull_request_is_reported_and_the_base_setting_decides_its_severity(harness, github_server, tmp_path):
    repo = gate_repo(tmp_path, {".aiospo.yaml": RELAXED_CONFIG, "policies/org.rego": None, "aiospo.lock": lock(license="mit")})
    run = harness(repo=repo).run_real()
    assert run.code == 1, run.stdout
    (changed,) = [f for f in _findings(run) if f["rule"] == "config/changed"]
    assert changed["severity"] == "deny"  # the base says deny; the pull request's `allow` does not count
    message = changed["message"]
    for part in (
        ".aiospo.yaml (modified; relaxes: licenses.categories.copyleft deny → allow",
        "config_changed deny → allow",
        "waivers adds org/* for *",
        "policy policies/org.rego (deleted)",
        "aiospo.lock (modified; recorded facts changed for org/copyleft-model: modified license)",
        "set `config_from: base`",
    ):
        assert part in message, part
    # judged with the pull request's own files, the copyleft model passes: only config/changed fails it
    assert not [f for f in _findings(run) if f["rule"] == "license/category" and not f["waived"]]
    assert run.code == 1


def test_config_from_base_judges_with_the_base_branchs_files(harness, github_server, tmp_path):
    repo = gate_repo(tmp_path, {".aiospo.yaml": RELAXED_CONFIG, "policies/org.rego": None, "aiospo.lock": lock(license="mit")})
    h = harness(repo=repo, inputs={"config_from": "base"})
    run = h.run_real()
    assert run.code == 1
    findings = _findings(run)
    denied = [f for f in findings if f["rule"] == "license/category"]
    assert denied and all(f["severity"] == "deny" and not f["waived"] for f in denied)  # base lockfile: gpl-3.0, no waiver
    (changed,) = [f for f in findings if f["rule"] == "config/changed"]
    assert changed["severity"] == "info" and "did not apply to this run" in changed["message"]
    assert "judged with the configuration, lockfile, policies and baseline of the base branch" in run.summary
    # the checkout itself is untouched: the pull request's files are still there
    assert "copyleft: allow" in (h.workspace / ".aiospo.yaml").read_text()


def test_config_from_base_without_the_base_commit_is_no_verdict(harness, github_server, tmp_path):
    repo = gate_repo(tmp_path, {".aiospo.yaml": RELAXED_CONFIG})
    h = harness(repo=repo, workspace=repo.clone(tmp_path / "head-only", repo.head, depth=1), inputs={"config_from": "base"})
    run = h.run_real()
    assert run.code == 2 and "config_from: base could not read the base branch's configuration" in run.stdout


def test_config_from_base_is_refused_outside_pull_requests(harness, github_server, tmp_path):
    repo = gate_repo(tmp_path, {"README.md": "x\n"})
    push = {"before": repo.fork_point, "after": repo.base, "repository": {"full_name": "acme/app"}}
    run = harness(repo=repo, event=push, event_name="push", workspace=repo.clone(tmp_path / "push", repo.base), inputs={"config_from": "base"}).run_real()
    assert run.code == 2 and "needs a pull request" in run.stdout


def test_a_pull_request_that_adds_a_configuration_cannot_lower_the_default(harness, github_server, tmp_path):
    repo = make_pr_repo(tmp_path / "repo", {"src/app.py": "x = 1\n"}, {".aiospo.yaml": "version: 1\nconfig_changed: allow\npinning:\n  none: allow\n"})
    run = harness(repo=repo).run_real()
    (changed,) = [f for f in _findings(run) if f["rule"] == "config/changed"]
    assert changed["severity"] == "warn" and "pinning.none deny → allow" in changed["message"]
    assert changed["message"].startswith("This pull request changes files that decide the gate: .aiospo.yaml (added;")


def test_config_from_base_still_scans_what_the_pull_requests_configuration_names(harness, github_server, tmp_path):
    """The base's configuration replaces the pull request's, but a folder, lockfile or baseline
    path only the pull request's configuration names is still an ordinary part of the tree:
    naming `src` a policy folder (or its lockfile or baseline) must not hide `src` from the scan."""
    head_config = "version: 1\npolicy_dirs: [src]\nbaseline: src/models.py\nhub:\n  lockfile: src/lock/aiospo.lock\n"
    repo = gate_repo(tmp_path, {".aiospo.yaml": head_config, "src/models.py": LOAD + 'AutoModel.from_pretrained("org/unpinned")\n'})
    run = harness(repo=repo, inputs={"config_from": "base"}).run_real()
    assert run.code == 1, run.stdout
    assert {f["file"] for f in _findings(run) if f["file"]} == {"src/app.py", "src/models.py"}
