"""Fixtures shared by the whole suite. Each stage registers its test servers here in one line."""

import os

import pytest

from tests.support.hub_server import hub_server  # noqa: F401  the local Hub (see its docstring)

# Variables the CI machine running this suite may set that change aiospo-ci's behaviour:
# CI/GITHUB_ACTIONS make defaults stricter (input.run.ci), GITHUB_* and RUNNER_* are what the
# Action reads, HF_* steer huggingface_hub. A test that needs one sets it itself.
_RUNNER_VARIABLES = {"CI"}
_RUNNER_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_", "HF_", "HUGGINGFACE_", "AIOSPO_")


@pytest.fixture(autouse=True)
def _clean_runner_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from the environment of a developer's machine, so the suite gives the same
    answers on a laptop and under CI (where CI=true would make unknown facts deny)."""
    for name in list(os.environ):
        if name in _RUNNER_VARIABLES or name.startswith(_RUNNER_PREFIXES):
            monkeypatch.delenv(name, raising=False)
