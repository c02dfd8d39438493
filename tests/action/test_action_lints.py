"""The Action's files pass the linters GitHub users run: hadolint (Dockerfile),
check-jsonschema (action.yml, example workflows) and zizmor (workflow security), and keep
GitHub's container-action rules."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
PROJECT_WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed; run `pip install -e .[test]`.")
    return path


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_dockerfile_passes_hadolint():
    done = run(tool("hadolint"), "Dockerfile")
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_follows_container_action_rules():
    lines = [l for l in (ROOT / "Dockerfile").read_text().splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert lines[0].startswith("FROM python:3.12-slim@sha256:")
    assert not [l for l in lines if re.match(r"\s*(USER|WORKDIR)\b", l)]
    assert re.search(r"^COPY --from=openpolicyagent/opa:[0-9.]+-static@sha256:[0-9a-f]{64} /opa /usr/local/bin/opa$", "\n".join(lines), re.M)
    assert 'ENTRYPOINT ["/usr/bin/tini", "--", "aiospo-ci-action"]' in lines


def test_action_yml_passes_the_github_action_schema():
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", "action.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_inputs_match_what_the_entrypoint_reads():
    from aiospo_ci.action.inputs import ActionInputs

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    fields = set(ActionInputs.__dataclass_fields__)
    assert set(action["inputs"]) == fields
    assert all(re.fullmatch(r"[a-z][a-z_]*", name) for name in action["inputs"])  # snake_case
    assert set(action["outputs"]) == {"findings", "deny_count", "warn_count", "sarif_file", "decision_log", "sha"}
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert action["inputs"]["github_token"]["default"] == "${{ github.token }}"


@pytest.mark.parametrize("workflow", WORKFLOWS + PROJECT_WORKFLOWS, ids=lambda p: p.name)
def test_example_workflow_passes_the_workflow_schema(workflow):
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow))
    assert done.returncode == 0, done.stdout + done.stderr


def test_example_workflows_pass_zizmor():
    assert len(WORKFLOWS) >= 3
    assert PROJECT_WORKFLOWS, "the release workflow is linted too"
    done = run(tool("zizmor"), "--offline", "--persona", "pedantic", *map(str, WORKFLOWS + PROJECT_WORKFLOWS), "action.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_example_workflows_pin_actions_and_keep_permissions_minimal():
    for workflow in WORKFLOWS:
        doc = yaml.safe_load(workflow.read_text())
        assert doc["permissions"] == {}, workflow.name
        for job in doc["jobs"].values():
            allowed = {"contents": "read", "checks": "write", "pull-requests": "write", "security-events": "write"}
            assert set(job["permissions"]) <= set(allowed) and all(allowed[k] == v for k, v in job["permissions"].items())
            for step in job["steps"]:
                if "uses" in step:
                    assert re.search(r"@[0-9a-f]{40}$", step["uses"]), step["uses"]
    sarif = yaml.safe_load((ROOT / "examples/workflows/aiospo-ci-sarif.yml").read_text())
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in sarif["jobs"]["sarif"]["steps"])
    central = (ROOT / "examples/workflows/aiospo-ci-central-opa.yml").read_text()
    assert "opa_url:" in central


def test_the_entrypoint_is_a_console_script():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'aiospo-ci-action = "aiospo_ci.action.main:main"' in text
    done = subprocess.run([sys.executable, "-m", "aiospo_ci.action"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "INPUT_FAIL_ON": "bogus", "HOME": str(ROOT)})
    assert done.returncode == 2 and "input fail_on: 'bogus' is not one of deny, warn, never" in done.stdout


def test_action_yml_defaults_leave_the_configuration_in_charge():
    """GitHub sets INPUT_<NAME> to each default; those must mean 'as configured'."""
    from aiospo_ci.action.inputs import ActionInputs

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    env = {f"INPUT_{name.upper()}": str(spec.get("default", "")).replace("${{ github.token }}", "ghs_default") for name, spec in action["inputs"].items()}
    inputs = ActionInputs.from_env(env)
    assert (inputs.fail_on, inputs.engine, inputs.offline, inputs.config, inputs.opa_url) == (None, None, None, None, None)
    assert (inputs.paths, inputs.policy_dirs, inputs.sarif_file) == ((), (), None)
    assert (inputs.annotations, inputs.comment, inputs.only_changed, inputs.github_token) == ("checks", "always", False, "ghs_default")
