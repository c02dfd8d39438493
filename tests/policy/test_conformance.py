"""Both engines reach identical decisions: the corpus under regopy and under OPA's Go evaluator,
and the library's own Rego unit tests under both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiospo_ci.policy import library, testing
from aiospo_ci.policy.embedded import EmbeddedEngine
from tests.support.opa_reference import opa_decision, opa_engine, opa_evaluator

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.json"))


def _canonical(findings):
    return sorted(json.dumps(f, sort_keys=True) for f in findings)


@pytest.fixture(scope="module")
def modules():
    return library.load_modules([])


@pytest.fixture(scope="module")
def embedded(modules):
    engine = EmbeddedEngine()
    engine.load(modules, {})
    return engine


@pytest.fixture(scope="module")
def opa(modules):
    return opa_engine(modules)


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_engines_agree_and_expectations_hold(path, embedded, opa):
    case = json.loads(path.read_text(encoding="utf-8"))
    ours = embedded.evaluate(case["input"])
    theirs = opa_decision(opa, case["input"])
    assert _canonical(ours) == _canonical(theirs)
    got = {(f["rule"], f["severity"], f["ref"], f["waived"]) for f in ours}
    for rule, severity, ref, waived in case["expect"]:
        assert (rule, severity, ref, waived) in got, f"{path.stem}: expected {rule} {severity} ref={ref} waived={waived}"
    if not case["expect"]:
        assert ours == []


def test_corpus_fires_every_documented_rule(embedded, modules):
    fired = set()
    for path in CORPUS:
        fired |= {f["rule"] for f in embedded.evaluate(json.loads(path.read_text(encoding="utf-8"))["input"])}
    documented = set(library.rule_metadata(modules))
    assert documented - fired == set(), "rules no corpus document fires"
    assert fired - documented == set(), "rules without a # METADATA block"


def test_library_unit_tests_pass_under_opa():
    mods = testing.test_modules([])
    results = testing.run_tests(modules=mods, evaluator=opa_evaluator(opa_engine(mods)))
    assert len(results) > 100
    failed = [f"{r.case.query}: {r.status} {r.detail}" for r in results if not r.passed]
    assert failed == []
