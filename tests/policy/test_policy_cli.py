"""`aiospo-ci policy test|eval|rules` end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

from aiospo_ci.cli import main

CORPUS = Path(__file__).parent / "corpus"


def test_policy_test_reports_failures_and_exits_as_opa_test(tmp_path: Path, capsys):
    (tmp_path / "team_test.rego").write_text(
        "package team_test\n\nimport data.aiospo.lib\n\ntest_default_use if { lib.intended_use == \"commercial\" with input.config as {} }\n\ntest_wrong if { lib.intended_use == \"research\" with input.config as {} }\n",
        encoding="utf-8",
    )
    code = main(["policy", "test", "--no-library", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 2  # opa test: a failed test is exit 2
    assert f"{tmp_path.as_posix()}/team_test.rego:7:\n" in out
    assert "data.team_test.test_wrong: FAIL (" in out
    assert '`lib.intended_use == "research" with input.config as {}` failed; lib.intended_use = "commercial"' in out
    assert "test_default_use" not in out  # quiet by default: only failures
    assert out.endswith("PASS: 1/2\nFAIL: 1/2\n")


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


TESTS = """package team_test

test_passes if {
	print("checking", 1 + 1)
	1 + 1 == 2
}

test_fails if {
	print("about to fail")
	x := [1, 2]
	count(x) == 3
}

todo_test_later if {
	false
}

test_errors if {
	to_number("not a number") == 1
}
"""


def _tests(tmp_path: Path) -> Path:
    (tmp_path / "team_test.rego").write_text(TESTS, encoding="utf-8")
    return tmp_path


def test_verbose_lists_every_test_with_its_print_output_beneath_it(tmp_path: Path, capsys):
    assert main(["policy", "test", "--no-library", "-v", str(_tests(tmp_path))]) == 2
    out = capsys.readouterr().out
    passes = out.index("data.team_test.test_passes: PASS")
    assert out.index("team_test.rego:4: checking 2", passes) > passes
    fails = out.index("data.team_test.test_fails: FAIL (")
    assert "`count(x) == 3` failed; count(x) = 2; x = [1, 2]" in out[fails:]
    assert out.index("team_test.rego:9: about to fail", fails) > fails
    assert "data.team_test.todo_test_later: SKIPPED" in out
    assert 'data.team_test.test_errors: ERROR (' in out
    assert '`to_number("not a number") == 1` errored: could not parse string as number' in out
    assert out.endswith("PASS: 1/4\nFAIL: 1/4\nSKIPPED: 1/4\nERROR: 1/4\n")


def test_run_filter_skipped_tests_and_exit_zero_on_skipped(tmp_path: Path, capsys):
    folder = _tests(tmp_path)
    assert main(["policy", "test", "--no-library", "-r", "test_passes$", str(folder)]) == 0
    assert capsys.readouterr().out == "PASS: 1/1\n"
    assert main(["policy", "test", "--no-library", "-r", "passes|later", str(folder)]) == 2  # a todo_ test fails the run, as in opa test
    capsys.readouterr()
    assert main(["policy", "test", "--no-library", "-z", "-r", "passes|later", str(folder)]) == 0
    assert capsys.readouterr().out.endswith("PASS: 1/2\nSKIPPED: 1/2\n")


def test_load_errors_and_an_empty_run_are_exit_1(tmp_path: Path, capsys):
    (tmp_path / "broken_test.rego").write_text("package broken_test\n\ntest_x if {\n", encoding="utf-8")
    assert main(["policy", "test", "--no-library", str(tmp_path)]) == 1
    assert "broken_test.rego" in capsys.readouterr().err
    (tmp_path / "broken_test.rego").unlink()
    assert main(["policy", "test", "--no-library", str(_tests(tmp_path)), "-r", "nothing-matches"]) == 1
    assert "no test_* rules were found matching --run" in capsys.readouterr().err
    assert main(["policy", "test", "--no-library", "-r", "(", str(tmp_path)]) == 1
    assert "--run '(' is not a regular expression" in capsys.readouterr().err


def test_json_format_and_coverage(tmp_path: Path, capsys):
    (tmp_path / "team.rego").write_text(
        "package aiospo.rules.team\n\nimport data.aiospo.lib\n\nfindings contains lib.finding(\"team/x\", \"warn\", \"m\", r.index) if {\n"
        "\tsome r in input.references\n\tr.id == \"x\"\n}\n\nunused(y) := z if {\n\tz := y * 2\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "team_test.rego").write_text(
        "package aiospo.rules.team_test\n\nimport data.aiospo.rules.team\n\ntest_fires if {\n\trefs := [{\"index\": 0, \"id\": \"x\"}]\n"
        "\tcount(team.findings) == 1 with input.references as refs\n}\n",
        encoding="utf-8",
    )
    assert main(["policy", "test", "--no-library", "--format", "json", "--coverage", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    (engine,) = report["engines"]
    assert engine["engine"] == "regorus"
    assert engine["tests"] == [{"location": {"file": f"{tmp_path.as_posix()}/team_test.rego", "row": 5}, "package": "data.aiospo.rules.team_test", "name": "test_fires"}]
    assert engine["summary"] == {"pass": 1, "fail": 0, "skipped": 0, "error": 0}
    cover = engine["coverage"]["files"][f"{tmp_path.as_posix()}/team.rego"]
    assert any(span["start"]["row"] <= 11 <= span["end"]["row"] for span in cover["not_covered"])  # the body of unused()
    assert cover["rules"]["findings"]["coverage"] == 100.0
    assert cover["rules"]["unused"]["not_covered_lines"] >= 1
    assert 0 < cover["coverage"] < 100
    assert list(engine["coverage"]["files"]) == [f"{tmp_path.as_posix()}/team.rego"]  # --no-library: only yours
    assert main(["policy", "test", "--no-library", "--threshold", "99", str(tmp_path)]) == 2
    assert "below --threshold 99" in capsys.readouterr().err


def test_coverage_is_refused_on_regopy(tmp_path: Path, capsys):
    assert main(["policy", "test", "--no-library", "--engine", "regopy", "--coverage", str(_tests(tmp_path))]) == 1
    assert "regopy cannot measure it" in capsys.readouterr().err


def test_policy_test_on_an_opa_server_leaves_nothing_behind(tmp_path: Path, capsys):
    from tests.support.opa_reference import require_opa_bindings
    from tests.support.opa_server import FakeOpaServer

    require_opa_bindings()
    folder = _tests(tmp_path)
    with FakeOpaServer(backend="opa-golib") as server:
        code = main(["policy", "test", "--no-library", "--engine", "opa", "--opa-url", server.url, str(folder)])
        out = capsys.readouterr().out
        assert code == 2
        assert "data.team_test.test_fails: FAIL (undefined)" in out
        assert "data.team_test.test_errors: ERROR (" in out  # strict builtin errors, as OPA's evaluator in process
        # Uploaded as check uploads: under ids and a namespace of this run, removed afterwards
        # (the dependent modules first, as OPA refuses to delete a module others call).
        uploaded = [r.path for r in server.state.requests if r.method == "PUT" and r.path.startswith("/v1/policies/aiospo-ci/r")]
        deleted = [r.path for r in server.state.requests if r.method == "DELETE"]
        assert uploaded and sorted(uploaded) == sorted(deleted)
        assert server.state.policies == {}
        queries = [r.path for r in server.state.requests if r.method == "POST"]
        assert queries and all("/v1/data/aiospo_ci_runs/r" in q and "strict-builtin-errors=true" in q for q in queries)


def test_policy_test_on_an_opa_server_loads_a_folder_beside_the_library_with_its_data(tmp_path: Path, capsys):
    """The folder sorts before the library (`policies/` < `rego/`) and its rule calls the library:
    uploaded by name, OPA would refuse it. Its data.json goes into the run's namespace too."""
    from tests.support.opa_reference import require_opa_bindings
    from tests.support.opa_server import FakeOpaServer

    require_opa_bindings()
    from tests.robustness.harness import write_tree

    rule = 'findings contains lib.finding("team/banned", "deny", "banned", r.index) if {\n\tsome r in input.references\n\tr.id in data.team.banned\n}\n'
    test = 'test_banned if {\n\tsome f in team.findings with input.references as [{"index": 0, "id": "org/bad"}]\n\tf.rule == "team/banned"\n}\n'
    folder = write_tree(tmp_path / "policies", {
        "team/team.rego": f"package aiospo.rules.team\n\nimport data.aiospo.lib\n\n{rule}",
        "team/data.json": '{"banned": ["org/bad"]}',
        "team/team_test.rego": f"package aiospo.rules.team_test\n\nimport data.aiospo.rules.team\n\n{test}",
    })
    with FakeOpaServer(backend="opa-golib") as server:
        code = main(["policy", "test", "--engine", "opa", "--opa-url", server.url, "-r", "team", str(folder)])
        out = capsys.readouterr()
        assert code == 0, out
        assert out.out == "engine: opa\nPASS: 1/1\n"
        assert server.state.policies == {} and not server.state.data.get("aiospo_ci_runs")
        assert any(r.method == "PUT" and r.path.startswith("/v1/data/aiospo_ci_runs/r") for r in server.state.requests)


def test_policy_eval_options(tmp_path: Path, capsys):
    (tmp_path / "team.rego").write_text(
        "package aiospo.rules.team\n\nimport data.aiospo.lib\n\nfindings contains lib.finding(\"team/late\", \"warn\", msg, null) if {\n"
        "\tprint(\"today is\", input.today)\n\tinput.today > \"2027-01-01\"\n\tmsg := \"late\"\n}\n",
        encoding="utf-8",
    )
    document = {"schema_version": 1, "today": "2026-11-26", "config": {}, "references": []}
    path = tmp_path / "input.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    config = tmp_path / "aiospo.yaml"
    config.write_text("intended_use: research\n", encoding="utf-8")
    assert main(["policy", "eval", "--input", str(path), "--policy", str(tmp_path), "--debug", "--explain"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == []
    assert "print: " in out.err and "today is 2026-11-26" in out.err
    assert "silent aiospo.rules.team: no finding for this input" in out.err
    assert main(["policy", "eval", "--input", str(path), "--policy", str(tmp_path), "--today", "2027-02-01", "--explain", "--engine", "regopy"]) == 0
    out = capsys.readouterr()
    assert [f["rule"] for f in json.loads(out.out)] == ["team/late"]
    assert "fired  team/late (warn): the run" in out.err
    assert main(["policy", "eval", "--input", str(path), "--config", str(config), "--query", "data.aiospo.lib.intended_use"]) == 0
    assert json.loads(capsys.readouterr().out) == "research"
