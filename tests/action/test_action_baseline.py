"""The baseline in the Action, and the hole it opens closed. A committed baseline lets the
findings it records pass (reported, not annotated, counted in the summary). A baseline relaxes
the gate as a waiver does, so a pull request that adds entries to absorb its own findings is
reported as config/changed with each finding it accepts, whichever file holds them, and with
`config_from: base` the base branch's baseline judges it. Real repositories (base, head, merge
commit with the base moved on), the real pipeline offline from the demo's aiospo.lock, the
baselines written by `aiospo-ci baseline` as an author would write them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.action.conftest import make_pr_repo
from tests.e2e.test_demo import TODAY, run

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
DEMO_FILES = {p.relative_to(DEMO).as_posix(): p.read_bytes() for p in sorted(DEMO.rglob("*")) if p.is_file()}
LEGACY = DEMO_FILES["src/legacy.py"]
WITHOUT_LEGACY = {k: v for k, v in DEMO_FILES.items() if k != "src/legacy.py"}
ACCEPTS_PHI2 = "the baseline accepts 1 more finding(s), which then do not fail the check: microsoft/phi-2 for pinning/none in src/legacy.py"


def baseline_of(tmp_path: Path, files: dict[str, bytes]) -> bytes:
    """`aiospo-ci baseline` on a tree holding `files`: the file its author would commit."""
    tree = tmp_path / f"tree-{len(list(tmp_path.glob('tree-*')))}"
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    written = run("baseline", "--offline", "--today", TODAY, str(tree), tmp=tmp_path)
    assert written.returncode == 0, written.stderr
    return (tree / ".aiospo-baseline.json").read_bytes()


def _findings(action) -> list[dict]:
    return json.loads(action.outputs()["findings"])


def _config_changed(action) -> dict:
    (changed,) = [f for f in _findings(action) if f["rule"] == "config/changed"]
    return changed


def test_the_action_honours_the_committed_baseline_and_says_what_it_absorbed(harness, github_server, tmp_path):
    base = {**DEMO_FILES, ".aiospo-baseline.json": baseline_of(tmp_path, DEMO_FILES)}
    repo = make_pr_repo(tmp_path / "repo", base, {"README.md": b"docs\n"}, base_moves={"CHANGELOG.md": "moved on\n"})
    action = harness(repo=repo).run_real()
    assert action.code == 0, action.stdout
    assert "0 denied, 0 warnings, 2 notes, 0 waived, 8 baselined" in action.summary
    assert "Baselined (accepted findings" in action.summary and "8 findings recorded there did not fail the check" in action.summary
    (run_id,) = github_server.state.check_runs
    assert github_server.state.check_runs[run_id]["conclusion"] == "success"
    assert len(github_server.state.annotations[run_id]) == 2  # the two notes; baselined findings are not annotated
    assert "config/changed" not in {f["rule"] for f in _findings(action)}  # the pull request left the baseline alone


def _absorbing(tmp_path: Path, base_config: bytes | None = None):
    """The base branch adopted aiospo-ci with a baseline of its findings; the pull request adds
    src/legacy.py (an unpinned phi-2: a deny) and a baseline regenerated to absorb it."""
    base = {**WITHOUT_LEGACY, **({".aiospo.yaml": base_config} if base_config else {})}
    base[".aiospo-baseline.json"] = baseline_of(tmp_path, base)
    absorbing = baseline_of(tmp_path, {**base, "src/legacy.py": LEGACY})
    head = {"src/legacy.py": LEGACY, ".aiospo-baseline.json": absorbing}
    return make_pr_repo(tmp_path / "repo", base, head, base_moves={"CHANGELOG.md": "moved on\n"})


def test_a_pull_request_that_baselines_its_own_finding_is_reported_with_what_it_accepts(harness, github_server, tmp_path):
    repo = _absorbing(tmp_path)
    action = harness(repo=repo, inputs={"only_changed": "true"}).run_real()
    changed = _config_changed(action)
    assert changed["severity"] == "warn" and changed["in_scope"]
    assert "baseline .aiospo-baseline.json (modified)" in changed["message"] and ACCEPTS_PHI2 in changed["message"]
    (phi2,) = [f for f in _findings(action) if f["model"] == "microsoft/phi-2" and f["rule"] == "pinning/none"]
    assert phi2["baselined"] is True  # judged with the pull request's baseline: seen, but absorbed
    # a change to the baseline decides every finding, so only_changed narrows nothing
    assert "every reference is in scope because this change touches .aiospo-baseline.json" in action.stdout
    assert action.code == 0  # the default config_changed is warn, and fail_on deny: a visible warning


def test_the_base_branch_can_make_that_fail(harness, github_server, tmp_path):
    repo = _absorbing(tmp_path, base_config=b"version: 1\nconfig_changed: deny\n")
    action = harness(repo=repo).run_real()
    assert action.code == 1
    changed = _config_changed(action)
    assert changed["severity"] == "deny" and ACCEPTS_PHI2 in changed["message"]


def test_config_from_base_judges_with_the_base_branchs_baseline(harness, github_server, tmp_path):
    repo = _absorbing(tmp_path)
    h = harness(repo=repo, inputs={"config_from": "base"})
    action = h.run_real()
    assert action.code == 1, action.stdout
    (phi2,) = [f for f in _findings(action) if f["model"] == "microsoft/phi-2" and f["rule"] == "pinning/none"]
    assert phi2["severity"] == "deny" and phi2["baselined"] is False
    assert all(f["baselined"] for f in _findings(action) if f["severity"] in ("deny", "warn") and f["file"] != "src/legacy.py" and f["file"])
    changed = _config_changed(action)
    assert changed["severity"] == "info" and ACCEPTS_PHI2 in changed["message"] and "did not apply to this run" in changed["message"]
    assert "phi-2" in (h.workspace / ".aiospo-baseline.json").read_text()  # the checkout keeps the pull request's file


def test_a_baseline_the_pull_requests_configuration_moves_elsewhere_is_caught_too(harness, github_server, tmp_path):
    """The attacker leaves .aiospo-baseline.json alone and points the configuration at a new
    file holding the absorbing baseline."""
    base = {**WITHOUT_LEGACY, ".aiospo-baseline.json": baseline_of(tmp_path, WITHOUT_LEGACY)}
    absorbing = baseline_of(tmp_path, {**base, "src/legacy.py": LEGACY})
    head = {"src/legacy.py": LEGACY, ".aiospo.yaml": b"version: 1\nbaseline: accepted.json\n", "accepted.json": absorbing}
    repo = make_pr_repo(tmp_path / "repo", base, head, base_moves={"CHANGELOG.md": "moved on\n"})

    action = harness(repo=repo).run_real()
    message = _config_changed(action)["message"]
    assert "baseline changed" in message and "baseline accepted.json (added)" in message and ACCEPTS_PHI2 in message

    judged_by_base = harness(repo=repo, inputs={"config_from": "base"}).run_real()
    assert judged_by_base.code == 1
    phi2 = [f for f in _findings(judged_by_base) if f["model"] == "microsoft/phi-2" and f["rule"] == "pinning/none" and f["file"] == "src/legacy.py"]
    assert [f["baselined"] for f in phi2] == [False]


def test_an_unreadable_base_baseline_is_said_so(harness, github_server, tmp_path):
    base = {**WITHOUT_LEGACY, ".aiospo-baseline.json": b"{not json"}
    absorbing = baseline_of(tmp_path, {**WITHOUT_LEGACY, "src/legacy.py": LEGACY})
    repo = make_pr_repo(tmp_path / "repo", base, {"src/legacy.py": LEGACY, ".aiospo-baseline.json": absorbing})
    action = harness(repo=repo).run_real()
    assert "could not be compared with the base branch's" in _config_changed(action)["message"]
