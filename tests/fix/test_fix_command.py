"""`aiospo-ci fix` and `check --fix` as a user runs them, on a copy of the demo (offline, facts
from its aiospo.lock)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.test_demo import DEMO, TODAY, run

REPO = Path(__file__).resolve().parents[2]
FIXED_RULES = {"pinning/none", "pinning/mutable", "security/safetensors-disabled", "security/trust-remote-code-unneeded"}


def _demo(tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(DEMO, copy)
    return copy


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_dry_run_prints_the_readme_diff_and_writes_nothing(tmp_path):
    demo = _demo(tmp_path)
    before = _snapshot(demo)
    result = run("fix", "--offline", "--dry-run", str(demo), tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _snapshot(demo) == before
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```diff\n$ aiospo-ci fix --offline --dry-run examples/demo\n") + len("```diff\n$ aiospo-ci fix --offline --dry-run examples/demo\n")
    assert result.stdout == readme[start : readme.index("```", start)]
    assert "aiospo-ci: fixed src/app.py (4 changes)" in result.stderr


def test_fix_then_check_leaves_no_pinning_or_safetensors_findings(tmp_path):
    demo = _demo(tmp_path)
    before = _snapshot(demo)
    fixed = run("fix", "--offline", str(demo), tmp=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    after = _snapshot(demo)
    assert {path for path in before if before[path] != after[path]} == {"configs/train.yaml", "src/app.py", "src/legacy.py"}
    check = run("check", "--offline", "--today", TODAY, "--format", "json", str(demo), tmp=tmp_path)
    report = json.loads(check.stdout)
    rules = {f["rule"] for f in report["findings"]}
    assert rules & FIXED_RULES == set(), rules
    assert not any(f["rule"].startswith("hub/") for f in report["findings"])  # the pinned commits are the locked ones
    assert {(f["rule"], f["model"]) for f in report["findings"]} == {
        ("license/category", "facebook/nllb-200-distilled-600M"),
        ("license/category", "stanfordnlp/imdb"),
        ("license/category", "meta-llama/Llama-3.1-8B-Instruct"),
        ("provenance/undeclared-datasets", "mistralai/Mistral-7B-v0.1"),
    }
    again = run("fix", "--offline", str(demo), tmp=tmp_path)
    assert _snapshot(demo) == after and "nothing to fix" in again.stderr


def test_check_fix_fixes_first_and_reports_on_the_fixed_files(tmp_path):
    demo = _demo(tmp_path)
    result = run("check", "--fix", "--offline", "--today", TODAY, "--format", "json", str(demo), tmp=tmp_path)
    assert result.returncode == 1  # the license denials remain: a fix never waves a model through
    assert not {f["rule"] for f in json.loads(result.stdout)["findings"]} & FIXED_RULES
    assert 'revision="ef382358ec9e382308935a992d908de099b64c23"' in (demo / "src" / "legacy.py").read_text()


def test_dry_run_without_fix_is_a_usage_error(tmp_path):
    result = run("check", "--dry-run", "--offline", str(_demo(tmp_path)), tmp=tmp_path)
    assert result.returncode == 2 and "--dry-run goes with --fix" in result.stderr


def test_a_symlinked_file_is_never_written_through(tmp_path):
    demo = _demo(tmp_path)
    outside = tmp_path / "outside.py"
    shutil.move(demo / "src" / "legacy.py", outside)
    (demo / "src" / "legacy.py").symlink_to(outside)
    before = outside.read_bytes()
    result = run("fix", "--offline", str(demo), tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    assert outside.read_bytes() == before
    assert "src/legacy.py" not in {line.split()[2] for line in result.stderr.splitlines() if line.startswith("aiospo-ci: fixed")}
