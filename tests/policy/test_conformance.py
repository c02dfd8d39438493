"""Both engines reach identical decisions: the corpus under regopy and under OPA's Go evaluator,
and the library's own Rego unit tests under both."""

from __future__ import annotations

import json

import pytest

from aiospo_ci.policy import library, testing
from tests.support.opa_reference import opa_decision, opa_engine, opa_passing_tests
from tests.support.policy_corpus import corpus_case, corpus_paths, embedded_decision

CORPUS = corpus_paths()


def _canonical(findings):
    return sorted(json.dumps(f, sort_keys=True) for f in findings)


@pytest.fixture(scope="module")
def modules():
    return library.load_modules([])


@pytest.fixture(scope="module")
def opa(modules):
    return opa_engine(modules)


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_engines_agree_and_expectations_hold(path, opa):
    case = corpus_case(path.name)
    ours = embedded_decision(path.name)
    theirs = opa_decision(opa, case["input"])
    assert _canonical(ours) == _canonical(theirs)
    got = {(f["rule"], f["severity"], f["ref"], f["waived"]) for f in ours}
    for rule, severity, ref, waived in case["expect"]:
        assert (rule, severity, ref, waived) in got, f"{path.stem}: expected {rule} {severity} ref={ref} waived={waived}"
    if not case["expect"]:
        assert ours == []


def test_corpus_fires_every_documented_rule(modules):
    fired = set()
    for path in CORPUS:
        fired |= {f["rule"] for f in embedded_decision(path.name)}
    documented = set(library.rule_metadata(modules))
    assert documented - fired == set(), "rules no corpus document fires"
    assert fired - documented == set(), "rules without a # METADATA block"


def test_library_unit_tests_pass_under_opa():
    mods = testing.test_modules([])
    engine = opa_engine(mods)
    cases = testing.discover_tests(mods)
    assert len(cases) > 100
    failed = []
    for package in sorted({c.package for c in cases}):
        expected = {c.name for c in cases if c.package == package}
        failed += sorted(f"data.{package}.{name}" for name in expected - opa_passing_tests(engine, package))
    assert failed == []
