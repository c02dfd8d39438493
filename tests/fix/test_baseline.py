"""The baseline as a team adopts it: record today's findings, fail only on new ones, stay put
when unrelated lines move, shrink as findings are fixed, and never relax the gate unseen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from aiospo_ci.fingerprint import fingerprints
from aiospo_ci.model import ModelReference
from tests.e2e.test_demo import DEMO, TODAY, run


def _demo(tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(DEMO, copy)
    return copy


def _check(demo: Path, tmp_path: Path, *extra: str):
    return run("check", "--offline", "--today", TODAY, *extra, str(demo), tmp=tmp_path)


def _baseline(demo: Path, tmp_path: Path, *extra: str):
    result = run("baseline", "--offline", "--today", TODAY, *extra, str(demo), tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    return result


def test_baseline_absorbs_todays_findings_and_says_so(tmp_path):
    demo = _demo(tmp_path)
    assert _check(demo, tmp_path).returncode == 1
    written = _baseline(demo, tmp_path)
    assert "wrote .aiospo-baseline.json with 8 findings (6 deny, 2 warn)" in written.stderr
    document = json.loads((demo / ".aiospo-baseline.json").read_text())
    assert document["aiospo_baseline_version"] == 1 and len(document["findings"]) == 8
    assert _baseline(demo, tmp_path) and json.loads((demo / ".aiospo-baseline.json").read_text()) == document  # deterministic

    result = _check(demo, tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("aiospo-ci: 0 denied, 0 warnings, 2 notes, 0 waived, 8 baselined")
    assert "warning: baseline .aiospo-baseline.json: 8 findings recorded there did not fail the check (6 deny, 2 warn); it holds 8 entries." in result.stdout
    assert "src/app.py:27: baselined license/category" in result.stdout
    assert _check(demo, tmp_path, "--no-baseline").returncode == 1


def test_unrelated_lines_moving_keep_the_baseline_and_a_new_finding_fails(tmp_path):
    demo = _demo(tmp_path)
    _baseline(demo, tmp_path)
    app = demo / "src" / "app.py"
    app.write_text('"""Moved down by a new docstring."""\n\n\n' + app.read_text())
    assert _check(demo, tmp_path).returncode == 0
    # the same model and rule on another line is another finding
    app.write_text(app.read_text() + '\n\ndef second():\n    return pipeline("summarization", model="facebook/nllb-200-distilled-600M")\n')
    result = _check(demo, tmp_path, "--format", "json")
    assert result.returncode == 1
    counted = [(f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"] if not f["baselined"] and f["severity"] == "deny"]
    assert counted == [(38, "license/category"), (38, "pinning/none")]


def test_prune_removes_fixed_entries_and_never_adds(tmp_path):
    demo = _demo(tmp_path)
    _baseline(demo, tmp_path)
    legacy = demo / "src" / "legacy.py"
    legacy.write_text(legacy.read_text().replace('"microsoft/phi-2", trust_remote_code=True', '"microsoft/phi-2", revision="ef382358ec9e382308935a992d908de099b64c23"'))
    (demo / "src" / "new.py").write_text('from transformers import AutoModel\nm = AutoModel.from_pretrained("google/gemma-2-2b")\n')
    result = _check(demo, tmp_path)
    assert "it holds 8 entries, 1 of them fixed: run `aiospo-ci baseline --prune` to remove them." in result.stdout
    pruned = _baseline(demo, tmp_path, "--prune")
    assert "with 7 findings" in pruned.stderr and "1 fixed entries removed" in pruned.stderr
    models = {e["model"] for e in json.loads((demo / ".aiospo-baseline.json").read_text())["findings"]}
    assert "microsoft/phi-2" not in models and "google/gemma-2-2b" not in models
    assert _check(demo, tmp_path).returncode == 1  # the new model still fails


def test_a_configured_baseline_must_stay_inside_the_repository(tmp_path):
    demo = _demo(tmp_path)
    _baseline(demo, tmp_path)
    shutil.copy(demo / ".aiospo-baseline.json", tmp_path / "elsewhere.json")
    (demo / ".aiospo-baseline.json").unlink()
    (demo / ".aiospo.yaml").write_text("baseline: ../elsewhere.json\n")
    result = _check(demo, tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "outside the repository" in result.stderr and result.stderr.count("\n") == 1


def test_a_malformed_baseline_is_no_verdict(tmp_path):
    demo = _demo(tmp_path)
    (demo / ".aiospo-baseline.json").write_text('{"findings": "all of them"}')
    result = _check(demo, tmp_path)
    assert result.returncode == 2 and "not an aiospo-ci baseline" in result.stderr


def test_the_pre_commit_hook_honours_the_baseline(tmp_path):
    demo = _demo(tmp_path)
    _baseline(demo, tmp_path)
    hook = run("check", "--offline", "--today", TODAY, "--format", "text", "src/app.py", cwd=demo, tmp=tmp_path)
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert "baselined" in hook.stdout


def test_sarif_marks_baselined_results_and_keeps_fingerprints_per_line(tmp_path):
    demo = _demo(tmp_path)
    _baseline(demo, tmp_path)
    out = tmp_path / "a.sarif"
    run("check", "--offline", "--today", TODAY, "--format", "sarif", "-o", str(out), str(demo), tmp=tmp_path)
    results = json.loads(out.read_text())["runs"][0]["results"]
    states = {r.get("baselineState") for r in results if r["level"] != "note"}
    assert states == {"unchanged"}
    keys = [r["partialFingerprints"]["aiospoFinding/v2"] for r in results]
    assert len(set(keys)) == len(keys)


def test_fingerprints_tell_lines_apart_and_ignore_lines_moving(tmp_path):
    body = 'pipeline("summarization", model="org/m")\n'
    (tmp_path / "a.py").write_text(body + body + "x = 1\n")
    refs = [ModelReference(file="a.py", line=n, id="org/m") for n in (1, 2)]
    first = fingerprints(tmp_path, [("pinning/none", r, "msg 1") for r in refs])
    assert first[0] != first[1]  # identical lines are two findings
    (tmp_path / "a.py").write_text("import os\n\n" + body + body + "x = 1\n")
    moved = [ModelReference(file="a.py", line=n, id="org/m") for n in (3, 4)]
    assert fingerprints(tmp_path, [("pinning/none", r, "msg 2, facts changed") for r in moved]) == first
    assert fingerprints(tmp_path, [("license/category", moved[0], "")])[0] not in first



def test_a_file_named_as_the_baseline_is_still_scanned_unless_it_is_only_a_baseline(tmp_path):
    """The scan skips the baseline (its entries name models it judged). A pull request that
    points `baseline:` at a config holding a model, with the baseline's keys added so it loads,
    must not hide that model: a file holding anything a baseline does not is scanned, and
    refused as a baseline."""
    demo = _demo(tmp_path)
    (demo / "configs" / "adapter_config.json").write_text(json.dumps({
        "aiospo_baseline_version": 1, "findings": [],
        "base_model_name_or_path": "facebook/nllb-200-distilled-600M",
    }))
    (demo / ".aiospo.yaml").write_text("baseline: configs/adapter_config.json\n")
    result = _check(demo, tmp_path, "--no-baseline", "--format", "json")
    found = {(r["file"], r["id"]) for r in json.loads(result.stdout)["references"]}
    assert ("configs/adapter_config.json", "facebook/nllb-200-distilled-600M") in found
    refused = _check(demo, tmp_path)
    assert refused.returncode == 2
    assert "configs/adapter_config.json: it holds keys a baseline does not (base_model_name_or_path)" in refused.stderr

    # exactly a baseline: skipped by the scan, its model entries are not references
    (demo / ".aiospo.yaml").write_text("")
    (demo / "configs" / "adapter_config.json").unlink()
    _baseline(demo, tmp_path)
    scanned = _check(demo, tmp_path, "--format", "json")
    assert not any(r["file"] == ".aiospo-baseline.json" for r in json.loads(scanned.stdout)["references"])
