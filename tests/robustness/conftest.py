"""Fixtures for the whole-process robustness tests (the harness is in harness.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.robustness.harness import APP_PY, TRAIN_YAML, Cli, write_tree
from tests.support.hub_server import hub_server  # noqa: F401 - the shared fixture, used here
from tests.support.opa_server import FakeOpaServer


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """Runs `python -m aiospo_ci` with a clean environment and a private HOME and cache."""
    home = tmp_path / "home"
    home.mkdir()
    return Cli(home)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project whose references are all recorded in tests/fixtures/hub; no config."""
    return write_tree(tmp_path / "project", {"src/app.py": APP_PY, "configs/train.yaml": TRAIN_YAML})


@pytest.fixture
def opa_server() -> Iterator[FakeOpaServer]:
    """A local OPA Data API server (the default embedded engine behind it), recording every request."""
    with FakeOpaServer() as server:
        yield server
