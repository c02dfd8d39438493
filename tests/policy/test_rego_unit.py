"""The library's *_test.rego under each embedded engine, through aiospo_ci.policy.testing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import testing
from aiospo_ci.policy.embedded import EMBEDDED_ENGINES


@pytest.mark.parametrize("engine", EMBEDDED_ENGINES)
def test_library_tests_pass_under_each_embedded_engine(engine):
    results = testing.run_tests(engine=engine)
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
    assert f"{tmp_path.as_posix()}/mine_test.rego:3:\ndata.mine_test.test_passes: PASS\n" in text
    assert f"{tmp_path.as_posix()}/mine_test.rego:5:\ndata.mine_test.test_fails: FAIL (undefined)\n" in text
    assert text.endswith("PASS: 1/2\nFAIL: 1/2\n")


WHOLE_INPUT_TEST = "package bad_test\n\ntest_x if {\n\tcount(data.aiospo.main.findings) == 0 with input as {\"references\": [], \"config\": {}, \"today\": \"2026-01-01\"}\n}\n"
CLASHING_ARITY = "package clash\n\n_hub(a, b) := a + b\n\ntest_clash if _hub(1, 2) == 3\n"


def test_whole_input_replacement_is_refused_before_it_crashes_regopy(tmp_path: Path):
    (tmp_path / "bad_test.rego").write_text(WHOLE_INPUT_TEST, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"bad_test.rego:4: `with input as`"):
        testing.run_tests([tmp_path], engine="regopy")


def test_functions_of_one_name_and_two_arities_are_refused_on_regopy(tmp_path: Path):
    (tmp_path / "clash.rego").write_text(CLASHING_ARITY, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"function _hub takes .*clash.rego:3"):
        testing.run_tests([tmp_path], engine="regopy")


def test_the_regopy_refusals_do_not_apply_to_regorus(tmp_path: Path):
    """The refusals exist only for rego-cpp's crashes; regorus (the default) runs both."""
    (tmp_path / "bad_test.rego").write_text(WHOLE_INPUT_TEST, encoding="utf-8")
    (tmp_path / "clash_test.rego").write_text(CLASHING_ARITY.replace("package clash", "package clash_test"), encoding="utf-8")
    results = [r for r in testing.run_tests([tmp_path]) if r.case.package in ("bad_test", "clash_test")]
    assert [(r.case.name, r.status) for r in results] == [("test_x", "PASS"), ("test_clash", "PASS")]
