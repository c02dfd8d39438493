"""OPA's own Go evaluator (opa-golib-python-bindings) as the reference engine for tests.

It is a test-only dependency: `pip install --ignore-requires-python opa-golib-python-bindings`
(its metadata asks for Python >= 3.14 but it loads on 3.10+). Tests that need it fail with that
command in the message rather than skip, so CI never passes without the reference."""

from __future__ import annotations

from typing import Any

import pytest

INSTALL = "pip install --ignore-requires-python opa-golib-python-bindings"


def require_opa_bindings():
    """The opa_bindings.engine module, or a test failure naming the install command."""
    try:
        from opa_bindings import engine
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(f"OPA's reference evaluator is not importable ({exc}); install it with: {INSTALL}")
    return engine


def opa_engine(modules: dict[str, str], data: dict[str, Any] | None = None):
    try:
        from opa_bindings.engine import OpaEngine
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(f"OPA's reference evaluator is not importable ({exc}); install it with: {INSTALL}")
    engine = OpaEngine()
    for name, source in modules.items():
        engine.add_policy(name, source)
    if data:
        engine.add_data(data)
    return engine


def opa_evaluator(engine):
    """An evaluator for aiospo_ci.policy.testing.run_tests backed by OPA."""
    from aiospo_ci.policy.testing import UNDEFINED

    def evaluate(query: str) -> Any:
        rows = engine.eval_query(f"x := {query}")
        return rows[0]["x"] if rows else UNDEFINED

    return evaluate


def opa_decision(engine, document: dict[str, Any]) -> list[dict[str, Any]]:
    rows = engine.eval_query("x := data.aiospo.main.findings", document)
    assert rows, "OPA found data.aiospo.main.findings undefined"
    return rows[0]["x"]


def opa_passing_tests(engine, package: str) -> set[str]:
    """The names of the test_* rules of one package that are true, in one OPA query
    (one query per test costs OPA a fresh prepare each time)."""
    rows = engine.eval_query(f'x := {{name | some name; data.{package}[name] == true; startswith(name, "test_")}}')
    return set(rows[0]["x"]) if rows else set()
