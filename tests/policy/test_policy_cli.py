"""`aiospo-ci policy test|eval|rules` end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

from aiospo_ci.cli import main

CORPUS = Path(__file__).parent / "corpus"


def test_policy_test_reports_each_test_and_fails_on_a_failure(tmp_path: Path, capsys):
    (tmp_path / "team_test.rego").write_text(
        "package team_test\n\nimport data.aiospo.lib\n\ntest_default_use if { lib.intended_use == \"commercial\" with input.config as {} }\n\ntest_wrong if { lib.intended_use == \"research\" with input.config as {} }\n",
        encoding="utf-8",
    )
    code = main(["policy", "test", "--failures-only", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "data.team_test.test_wrong: FAIL (undefined)" in out
    assert "test_default_use" not in out  # passing tests are hidden with --failures-only
    assert out.rstrip().endswith("passed, 1 failed")


def test_policy_eval_prints_the_sorted_findings(tmp_path: Path, capsys):
    document = json.loads((CORPUS / "32_waivers.json").read_text(encoding="utf-8"))["input"]
    path = tmp_path / "input.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["policy", "eval", "--input", str(path)]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert findings == sorted(findings, key=lambda f: json.dumps(f, sort_keys=True))
    waived = [f for f in findings if f["waived"]]
    assert [(f["rule"], f["ref"], f["waiver"]["approver"]) for f in waived] == [("license/category", 0, "ospo@example.com")]


def test_policy_eval_with_a_query(tmp_path: Path, capsys):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"schema_version": 1, "today": "2026-11-26", "config": {"intended_use": "research"}, "references": []}), encoding="utf-8")
    assert main(["policy", "eval", "--input", str(path), "--query", "data.aiospo.lib.category_action(\"non-commercial\")"]) == 0
    assert json.loads(capsys.readouterr().out) == "info"


def test_policy_eval_bad_input_is_exit_2_with_the_file_named(tmp_path: Path, capsys):
    path = tmp_path / "input.json"
    path.write_text("{not json", encoding="utf-8")
    assert main(["policy", "eval", "--input", str(path)]) == 2
    assert f"--input {path}: not valid JSON" in capsys.readouterr().err


def test_policy_rules_lists_library_and_user_rules(capsys):
    examples = Path(__file__).resolve().parents[2] / "examples" / "policies"
    assert main(["policy", "rules", "--format", "json", "--policy", str(examples)]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert rules["pinning/none"]["severity"] == "deny"
    assert rules["org/not-allowed"]["title"].startswith("Model from an organisation")
