"""The README's commands, run, so they cannot rot.

Every command in a ```sh block of README.md is either run here (against a copy of examples/
in a temporary folder, with the exit code the README promises) or listed in COVERED_ELSEWHERE
with the test that exercises it; a command in neither place fails the test, so nothing is
skipped silently. `$ command` lines of ```text blocks are run too and the output lines shown
under them (up to a `...`) must match the real output's start. The YAML blocks must parse and
name hooks and actions that exist.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: Commands run here -> the exit code the README promises.
RUN_HERE = {
    "aiospo-ci check --offline examples/demo": 1,  # "exits 1: the demo uses models the default policy denies"
    "aiospo-ci init": 0,
    "aiospo-ci scan examples/demo": 0,
    "aiospo-ci inventory --offline examples/demo": 0,
    "aiospo-ci inventory --offline --format markdown examples/demo": 0,
    "aiospo-ci fix --offline --dry-run examples/demo": 0,  # prints the diff, writes nothing
}

#: Commands that need the network or a new virtualenv, and where they are exercised instead.
COVERED_ELSEWHERE = {
    "python3 -m venv .venv": "creates the virtualenv the next commands use; pre-commit does the same in tests/precommit",
    ".venv/bin/pip install .": "tests/precommit/test_precommit_hook.py: pre-commit pip-installs this repository",
    ".venv/bin/pip install -e '.[test]'": "installs the test dependencies this suite runs with",
    ".venv/bin/pip install --ignore-requires-python opa-golib-python-bindings": "installs OPA's evaluator used by tests/engines",
    ".venv/bin/python -m pytest": "this test suite itself",
    "aiospo-ci baseline --offline": "tests/fix/test_baseline.py (run here it would absorb the demo's findings for the other commands)",
}


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def _commands() -> list[str]:
    commands = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if line:
                commands.extend(part.strip() for part in line.split("&&"))
    return commands


def _normalise(command: str) -> str:
    return command.replace(".venv/bin/aiospo-ci", "aiospo-ci")


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    args = command.split()
    assert args[0] == "aiospo-ci"
    return subprocess.run(
        [sys.executable, "-m", "aiospo_ci", *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "AIOSPO_CACHE_DIR": str(cwd / ".cache"), "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", work / "examples")
    return work


def test_every_readme_command_is_exercised():
    commands = [_normalise(c) for c in _commands()]
    assert commands, "README.md has no ```sh blocks"
    missing = [c for c in commands if c not in RUN_HERE and c not in COVERED_ELSEWHERE]
    assert not missing, f"README commands not exercised by any test: {missing}; add them to tests/test_readme_commands.py"
    stale = [c for c in list(RUN_HERE) + list(COVERED_ELSEWHERE) if c not in commands]
    assert not stale, f"commands listed here but no longer in README.md: {stale}"


@pytest.mark.parametrize("command", sorted(RUN_HERE))
def test_readme_command_runs_with_the_promised_exit_code(command: str, workdir: Path):
    run = _run(command, workdir)
    assert run.returncode == RUN_HERE[command], f"{command}\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert "internal error" not in run.stderr


def test_shown_output_matches_the_real_output(workdir: Path):
    shown = 0
    for block in _blocks("text"):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("$ aiospo-ci "):
                continue
            shown += 1
            run = _run(line[2:], workdir)
            expected = [l for l in lines[i + 1 :] if not l.startswith("$ ")]
            actual = run.stdout.splitlines()
            for want in expected:
                if want.strip() == "...":
                    continue
                prefix = want.split("...", 1)[0]
                assert any(got.startswith(prefix) for got in actual), f"README shows {want!r} but `{line[2:]}` printed:\n{run.stdout}"
    assert shown, "README.md shows no example run"


def test_yaml_blocks_name_real_hooks_and_the_action():
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    blocks = [yaml.safe_load(b) for b in _blocks("yaml")]
    precommit = [b for b in blocks if isinstance(b, dict) and "repos" in b]
    workflows = [b for b in blocks if isinstance(b, dict) and "jobs" in b]
    assert precommit and workflows
    for config in precommit:
        for repo in config["repos"]:
            for hook in repo["hooks"]:
                assert hook["id"] in hooks
    uses = [s.get("uses", "") for w in workflows for job in w["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("aiospo-ci/aiospo-ci@") for u in uses)
    assert (ROOT / "action.yml").is_file()
    # The workflow shown is the one `aiospo-ci init` writes.
    from aiospo_ci.init import template

    assert yaml.safe_load(template("workflow.yml")) in workflows
