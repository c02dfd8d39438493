"""`aiospo-ci init`: the files it writes, never replacing without --force, and a configuration
that `check` accepts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aiospo_ci.cli import main
from aiospo_ci.config import load_config

WRITTEN = (".aiospo.yaml", ".github/workflows/aiospo-ci.yml", ".pre-commit-config.yaml")


def test_init_writes_the_three_files(tmp_path: Path):
    assert main(["init", str(tmp_path)]) == 0
    for name in WRITTEN:
        assert (tmp_path / name).is_file(), name
    config = load_config(tmp_path / ".aiospo.yaml")  # validates against the schema
    assert config["licenses"]["categories"] == {
        "permissive": "allow", "rail": "warn", "community": "warn", "non-commercial": "deny", "unknown": "deny",
    }
    assert "# " in (tmp_path / ".aiospo.yaml").read_text()  # commented for people
    workflow = yaml.safe_load((tmp_path / ".github/workflows/aiospo-ci.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(str(s.get("uses", "")).startswith("aiospo-ci/aiospo-ci@") for s in steps)
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert [h["id"] for r in hooks["repos"] for h in r["hooks"]] == ["aiospo-ci"]


def test_existing_files_are_kept_without_force(tmp_path: Path, capsys):
    (tmp_path / ".aiospo.yaml").write_text("fail_on: warn\n")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos:\n  - repo: local\n    hooks: []\n")
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / ".aiospo.yaml").read_text() == "fail_on: warn\n"
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == "repos:\n  - repo: local\n    hooks: []\n"
    err = capsys.readouterr().err
    assert "skipped .aiospo.yaml (exists; run with --force to replace it)" in err
    assert "id: aiospo-ci" in err  # the entry to paste is shown


def test_force_replaces_and_adds_the_hook_keeping_other_hooks(tmp_path: Path):
    (tmp_path / ".aiospo.yaml").write_text("fail_on: warn\n")
    original = "# my hooks\nrepos:\n  - repo: local\n    hooks:\n      - id: mine\n        name: mine\n        entry: true\n        language: system\n"
    (tmp_path / ".pre-commit-config.yaml").write_text(original)
    assert main(["init", "--force", str(tmp_path)]) == 0
    assert "intended_use: commercial" in (tmp_path / ".aiospo.yaml").read_text()
    text = (tmp_path / ".pre-commit-config.yaml").read_text()
    assert text.startswith(original)  # appended as text: comments and layout survive
    hooks = yaml.safe_load(text)
    assert [h["id"] for r in hooks["repos"] for h in r["hooks"]] == ["mine", "aiospo-ci"]
    # A second --force adds nothing more.
    assert main(["init", "--force", str(tmp_path)]) == 0
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == text


def test_force_on_a_config_where_repos_is_not_last(tmp_path: Path):
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\ndefault_stages: [pre-commit]\n")
    assert main(["init", "--force", str(tmp_path)]) == 0
    data = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert data["default_stages"] == ["pre-commit"]
    assert data["repos"][0]["hooks"][0]["id"] == "aiospo-ci"


def test_init_on_a_missing_folder_is_one_sentence_and_exit_2(tmp_path: Path, capsys):
    assert main(["init", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("aiospo-ci: error: ") and "not a directory" in err and err.count("\n") == 0


@pytest.mark.parametrize("ci", [False, True], ids=["laptop", "ci"])
def test_check_accepts_the_generated_configuration(tmp_path: Path, ci: bool):
    """The real command on a small repository initialised by `init`: a verdict (0 or 1), never
    the 'no verdict' exit 2 a rejected configuration would give. Under CI the facts nobody could
    fetch (offline, no lockfile) are denied as well, on a laptop they are a warning."""
    assert main(["init", str(tmp_path)]) == 0
    (tmp_path / "app.py").write_text('from transformers import AutoModel\nm = AutoModel.from_pretrained("google-bert/bert-base-uncased")\n')
    env = dict(os.environ) | ({"CI": "true"} if ci else {})
    run = subprocess.run(
        [sys.executable, "-m", "aiospo_ci", "check", "--offline", "--cache-dir", str(tmp_path / "cache"), str(tmp_path)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert run.returncode in (0, 1), run.stderr
    # The generated policy denies an unpinned Hub model (pinning.none: deny), so the verdict is 1.
    assert run.returncode == 1, run.stdout
    assert "app.py:2: deny pinning/none" in run.stdout
    unknown = "deny" if ci else "warn"
    assert f"app.py:2: {unknown} hub/unknown" in run.stdout
    summary = "2 denied, 0 warnings" if ci else "1 denied, 1 warnings"
    assert run.stdout.splitlines()[-1].startswith(f"aiospo-ci: {summary}")


ROOT = Path(__file__).resolve().parents[2]


def test_the_workflow_is_the_maintained_example():
    """init writes examples/workflows/aiospo-ci-pr.yml (pinned actions, minimal permissions,
    linted by tests/action); the copy in the package must not drift from it."""
    from aiospo_ci.init import template

    assert template("workflow.yml") == (ROOT / "examples" / "workflows" / "aiospo-ci-pr.yml").read_text()


def test_written_workflow_passes_the_schema_and_zizmor(tmp_path: Path):
    assert main(["init", "--quiet", str(tmp_path)]) == 0
    workflow = tmp_path / ".github" / "workflows" / "aiospo-ci.yml"
    bindir = Path(sys.executable).parent
    schema = subprocess.run([str(bindir / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)], capture_output=True, text=True, timeout=60)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    zizmor = subprocess.run([str(bindir / "zizmor"), "--offline", "--persona", "pedantic", str(workflow)], capture_output=True, text=True, timeout=60)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
