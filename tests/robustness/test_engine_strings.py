"""Property: any string in the input document leaves the embedded engine exactly as it went in,
and exactly as OPA's own evaluator returns it (identity, through a function, in sprintf and
concat, as an object key). rego-cpp keeps strings escaped internally; a string with a quote,
a backslash or a control character once came back changed ('"x/y"' for x/y), which broke rule
ids, messages and the agreement between engines. fuzz/fuzz_embedded_strings.py runs the same
check under atheris without a time bound."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiospo_ci.policy.embedded import EMBEDDED_ENGINES, embedded_engine
from aiospo_ci.policy.interface import InProcessEngine
from tests.support.opa_reference import require_opa_bindings

POLICY = """package aiospo.main

f(s) := s

findings := [
	input.s,
	f(input.s),
	sprintf("<%s>", [input.s]),
	concat("", [f(input.s), "|"]),
	{input.s: f(input.s)},
	[s | some s in input.list],
	f("lit\\"eral\\\\ \\u00e9"),
]
"""

HOSTILE_ALPHABET = st.sampled_from(list('"\\\'`|:%{}[]<>!-\n\r\t\x00\x01\x1b\x7f é☃𝄞\u2028/u0aA'))
STRINGS = st.one_of(st.text(HOSTILE_ALPHABET, max_size=24), st.text(max_size=24))


def expected(s: str, items: list[str]) -> list:
    return [s, s, f"<{s}>", f"{s}|", {s: s}, items, 'lit"eral\\ é']


@pytest.fixture(scope="module", params=EMBEDDED_ENGINES)
def embedded(request) -> InProcessEngine:
    engine = embedded_engine(request.param)
    engine.load({"main.rego": POLICY}, {})
    return engine


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=STRINGS, items=st.lists(STRINGS, max_size=3))
def test_strings_round_trip_through_the_embedded_engine(embedded, s, items):
    assert embedded.evaluate({"s": s, "list": items}) == expected(s, items)


@pytest.fixture(scope="module")
def opa():
    bindings = require_opa_bindings()
    engine = bindings.OpaEngine()
    engine.add_policy("main.rego", POLICY)
    yield engine
    engine.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=STRINGS, items=st.lists(STRINGS, max_size=3))
def test_embedded_engine_and_opa_return_the_same_strings(embedded, opa, s, items):
    from_opa = opa.eval_query("x := data.aiospo.main.findings", {"s": s, "list": items})[0]["x"]
    assert embedded.evaluate({"s": s, "list": items}) == from_opa == expected(s, items)
