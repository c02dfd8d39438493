"""Scopes: classified from paths (defaults and `.aiospo.yaml` globs), carried in the input
document, relaxing pinning outside shipped code by the policies' choice, and shown grouped and
filtered in the reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aiospo_ci.errors import ConfigError
from aiospo_ci.scope import ScopeClassifier
from tests.e2e.test_demo import DEMO, TODAY, run


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("src/app.py", "runtime"),
        ("deploy/fetch_models.sh", "runtime"),
        ("tests/test_app.py", "test"),
        ("pkg/sub/tests/helpers.py", "test"),
        ("src/test_loading.py", "test"),
        ("src/loading_test.py", "test"),
        ("conftest.py", "test"),
        ("notebooks/explore.ipynb", "notebook"),
        ("examples/quickstart.py", "example"),
        ("docs/usage.md", "docs"),
        ("scripts/convert.py", "script"),
        ("benchmarks/bench.py", "script"),
        ("testsuite/app.py", "runtime"),
        ("src/latest.py", "runtime"),
    ],
)
def test_default_scopes_are_the_ones_people_expect(path, scope):
    assert ScopeClassifier().scope_of(path) == scope


def test_configured_patterns_come_first_in_the_order_written():
    classifier = ScopeClassifier({"runtime": ["scripts/deploy/"], "example": ["demos/", "*_demo.py"]})
    assert classifier.scope_of("scripts/deploy/pull.py") == "runtime"
    assert classifier.scope_of("scripts/other.py") == "script"
    assert classifier.scope_of("demos/app.py") == "example"
    assert classifier.scope_of("src/chat_demo.py") == "example"


def test_a_bad_pattern_names_the_key():
    with pytest.raises(ConfigError, match="scopes.example"):
        ScopeClassifier({"example": ["demos/\\"]}).scope_of("x.py")


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(DEMO, repo)
    (repo / "tests").mkdir()
    (repo / "tests" / "test_app.py").write_text('from transformers import AutoModel\nm = AutoModel.from_pretrained("microsoft/phi-2")\n')
    (repo / "demos").mkdir()
    (repo / "demos" / "chat.py").write_text('from transformers import pipeline\nchat = pipeline("text-generation", model="microsoft/phi-2")\n')
    (repo / ".aiospo.yaml").write_text("scopes:\n  example: [demos/]\n")
    return repo


def test_scopes_reach_the_input_relax_pinning_and_group_the_report(tmp_path):
    repo = _repo(tmp_path)
    result = run("check", "--offline", "--today", TODAY, "--explain", "--format", "json", str(repo), tmp=tmp_path)
    report = json.loads(result.stdout)
    by_file = {r["file"]: r["scope"] for r in report["references"]}
    assert by_file["tests/test_app.py"] == "test" and by_file["demos/chat.py"] == "example" and by_file["src/app.py"] == "runtime"
    assert '"scope": "example"' in result.stderr  # --explain shows the input document the policies judged
    pins = {(f["file"], f["severity"], f["scope"]) for f in report["findings"] if f["rule"] == "pinning/none" and f["model"] == "microsoft/phi-2"}
    assert pins == {("src/legacy.py", "deny", "runtime"), ("tests/test_app.py", "info", "test"), ("demos/chat.py", "info", "example")}

    text = run("check", "--offline", "--today", TODAY, str(repo), tmp=tmp_path).stdout.splitlines()
    headers = [line for line in text if line.startswith("# scope: ")]
    assert headers == ["# scope: runtime (10 findings)", "# scope: test (1 finding)", "# scope: example (1 finding)"]
    assert text[text.index("# scope: test (1 finding)") + 1].startswith("tests/test_app.py:2: info pinning/none microsoft/phi-2 is loaded without a revision (in test code)")


def test_scope_filter_narrows_the_report_and_says_so(tmp_path):
    repo = _repo(tmp_path)
    (repo / "tests" / "test_app.py").write_text('from transformers import AutoModel\nm = AutoModel.from_pretrained("facebook/nllb-200-distilled-600M")\n')
    only_tests = run("check", "--offline", "--today", TODAY, "--scope", "test", "--format", "json", str(repo), tmp=tmp_path)
    report = json.loads(only_tests.stdout)
    assert only_tests.returncode == 1  # the license denial applies in tests too
    assert {f["scope"] for f in report["findings"]} == {"test"}
    assert any("--scope test: 11 findings in other scopes (example: 1, runtime: 10) were left out of this report and the verdict." == w for w in report["warnings"])
    examples = run("check", "--offline", "--today", TODAY, "--scope", "example", str(repo), tmp=tmp_path)
    assert examples.returncode == 0 and "were left out of this report and the verdict" in examples.stdout
