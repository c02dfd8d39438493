"""The builtin divergence table (aiospo_ci/policy/divergence.py) is measured, not claimed: every
row's example is evaluated again on OPA's Go evaluator, regorus and regopy, and each answer must
be the one the table records. The day an engine changes, this fails: then the row, its refusal
and docs/policies.md change together. The lists of builtins each engine knows are checked the
same way, and the table in docs/policies.md must be the one the module renders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import builtin_names, divergence
from aiospo_ci.policy.embedded import embedded_engine
from aiospo_ci.policy.interface import UNDEFINED
from aiospo_ci.policy.rego_source import RegoSource
from tests.support.opa_reference import require_opa_bindings

ROOT = Path(__file__).resolve().parents[2]
ROWS = divergence.DIVERGENCES


def _module(row: divergence.Divergence) -> dict[str, str]:
    return {"example.rego": f"package example\n\nx := {row.example}\n"}


def _opa(row) -> object:
    engine = require_opa_bindings().OpaEngine()
    engine.print_handler = lambda message, location: None
    try:
        engine.add_policy("example.rego", _module(row)["example.rego"])
        rows = engine.eval_query("v := data.example.x", row.input or {})
    except Exception:  # noqa: BLE001 - OPA's errors are outcomes here
        return "error"
    finally:
        engine.close()
    return rows[0]["v"] if rows else "undefined"


def _embedded(name: str, row) -> object:
    engine = embedded_engine(name)
    try:
        engine.load(_module(row), {})
        value = engine.query_value("data.example.x", row.input or {})
    except PolicyError:
        return "error"
    return "undefined" if value is UNDEFINED else value


_HANGS = """
import sys
sys.path.insert(0, {root!r})
from aiospo_ci.policy.embedded import embedded_engine
engine = embedded_engine("regopy")
engine.load({{"example.rego": {module!r}}}, {{}})
print(engine.query_value("data.example.x", {{}}))
"""


def _regopy(row) -> object:
    if row.measured["regopy"] != "hangs":
        return _embedded("regopy", row)
    code = _HANGS.format(root=str(ROOT), module=_module(row)["example.rego"])
    try:
        subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=8, check=False)
    except subprocess.TimeoutExpired:
        return "hangs"
    return "finished"


def _agrees(recorded: str, got: object, opa: object) -> bool:
    if recorded in ("undefined", "error", "hangs"):
        return got == recorded
    if recorded == "a random value":
        return got not in ("undefined", "error", "hangs")
    return json.loads(recorded) == got and type(json.loads(recorded)) is type(got) or (
        isinstance(got, (int, float)) and not isinstance(got, bool) and json.loads(recorded) == got
    )


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_each_row_is_what_the_engines_answer_today(row):
    opa = _opa(row)
    assert _agrees(row.measured["opa"], opa, opa), f"{row.id}: OPA answers {opa!r}"
    assert _agrees(row.measured["regorus"], _embedded("regorus", row), opa), f"{row.id}: regorus answers {_embedded('regorus', row)!r}"
    got = _regopy(row)
    assert _agrees(row.measured["regopy"], got, opa), f"{row.id}: regopy answers {got!r}"


@pytest.mark.parametrize("row", [r for r in ROWS if r.detect], ids=lambda r: r.id)
def test_each_refusal_sees_its_example_and_is_refused_only_where_an_engine_differs(row):
    assert list(row.detect(RegoSource("example.rego", _module(row)["example.rego"]))), f"{row.id}: the detector misses its own example"
    if row.refuse_on == divergence.ALL_ENGINES:
        return  # not a divergence: no engine may run it (network, environment, non-determinism)
    differing = {e for e in ("regorus", "regopy") if row.measured[e] != row.measured["opa"]}
    assert set(row.refuse_on) == differing, f"{row.id}: refused on {sorted(row.refuse_on)}, differs on {sorted(differing)}"


def test_rows_on_values_have_no_refusal_and_every_row_has_a_fix():
    for row in ROWS:
        assert row.fix and row.construct and row.example
        if row.detect is None:
            assert not row.refuse_on, row.id
        assert set(row.measured) == {"opa", "regorus", "regopy"}, row.id


def test_the_listed_regorus_builtins_are_the_installed_ones():
    engine = embedded_engine("regorus")
    engine.load({"x.rego": "package x\n\nb := opa.runtime().builtins\n"}, {})
    assert {n for n in engine.query_value("data.x.b") if not n.startswith("__")} == builtin_names.REGORUS


def test_regopy_knows_the_listed_builtins_and_not_trace():
    """A builtin regopy knows is an error when called with eight arguments; a name it does not
    know is silently undefined (why the loader refuses unknown calls on regopy)."""
    from regopy import Interpreter

    def known(name: str) -> bool:
        interpreter = Interpreter()
        interpreter.add_module("p.rego", f"package p\n\nx := {name}(1, 2, 3, 4, 5, 6, 7, 8)\n")
        try:
            output = interpreter.query("v := data.p.x")
        except ValueError:  # regopy's answer for trace is "Function not found", which it cannot parse
            return False
        return not output.ok() or "error" in str(output).lower()

    for name in sorted(builtin_names.REGOPY):
        assert known(name), name
    assert not known("trace") and not known("lowr")


def test_the_docs_show_the_table_as_measured():
    text = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    assert divergence.markdown_table() in text, "run: python tests/policy/make_divergence_docs.py"
