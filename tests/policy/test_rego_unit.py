"""The library's *_test.rego under the embedded engine, through aiospo_ci.policy.testing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import testing


def test_library_tests_pass_under_regopy():
    results = testing.run_tests()
    assert len(results) > 100
    failed = [f"{r.case.query}: {r.status} {r.detail}" for r in results if not r.passed]
    assert failed == []


def test_a_failing_test_is_reported_like_opa_test(tmp_path: Path):
    (tmp_path / "mine_test.rego").write_text(
        "package mine_test\n\ntest_passes if { 1 == 1 }\n\ntest_fails if { 1 == 2 }\n", encoding="utf-8"
    )
    results = [r for r in testing.run_tests([tmp_path]) if r.case.package == "mine_test"]
    assert [(r.case.name, r.status) for r in results] == [("test_passes", "PASS"), ("test_fails", "FAIL")]
    out = io.StringIO()
    testing.render(results, out)
    text = out.getvalue()
    assert f"{tmp_path.as_posix()}/mine_test.rego:\n" in text
    assert "data.mine_test.test_passes: PASS\n" in text
    assert "data.mine_test.test_fails: FAIL (undefined)\n" in text
    assert text.endswith("1 passed, 1 failed\n")


def test_whole_input_replacement_is_refused_before_it_crashes_the_engine(tmp_path: Path):
    (tmp_path / "bad_test.rego").write_text(
        "package bad_test\n\ntest_x if {\n\tdata.aiospo.main.findings with input as {}\n}\n", encoding="utf-8"
    )
    with pytest.raises(PolicyError, match=r"bad_test.rego:4: `with input as`"):
        testing.run_tests([tmp_path])


def test_functions_of_one_name_and_two_arities_are_refused(tmp_path: Path):
    (tmp_path / "clash.rego").write_text("package clash\n\n_hub(a, b) := a + b\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"function _hub takes .*clash.rego:3"):
        testing.run_tests([tmp_path])
