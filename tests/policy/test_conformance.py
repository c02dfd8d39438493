"""The one conformance gate: every shipped in-process engine (regorus, the default, and regopy,
the fallback) reaches exactly the decision of OPA's own Go evaluator on the conformance corpus,
the library's Rego unit tests, the example policies, and generated documents (random
references and facts). Any difference in findings fails; a new engine version is adopted only
when this passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiospo_ci.policy import library, testing
from aiospo_ci.policy.embedded import EMBEDDED_ENGINES, embedded_engine
from aiospo_ci.policy.regorus_engine import PINNED_VERSION
from tests.support.opa_reference import opa_decision, opa_engine, opa_evaluator, opa_passing_tests
from tests.support.policy_corpus import corpus_case, corpus_paths, embedded_decision

CORPUS = corpus_paths()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
#: Generated documents per engine: regopy is some 30x slower, so it gets fewer.
GENERATED = {"regorus": 120, "regopy": 25}


def _canonical(findings):
    return sorted(json.dumps(f, sort_keys=True) for f in findings)


@pytest.fixture(scope="module")
def modules():
    return library.load_modules([])


@pytest.fixture(scope="module")
def opa(modules):
    return opa_engine(modules)


@pytest.fixture(scope="module", params=EMBEDDED_ENGINES)
def engine(request, modules):
    chosen = embedded_engine(request.param)
    chosen.load(modules, {})
    return chosen


def test_the_pinned_regorus_is_the_one_installed():
    from importlib.metadata import version

    assert version("gordon-to-regorus") == PINNED_VERSION, "pyproject.toml, requirements/engine.txt and regorus_engine.PINNED_VERSION move together"


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_engines_agree_with_opa_and_expectations_hold(path, engine, opa):
    case = corpus_case(path.name)
    ours = engine.evaluate(case["input"])
    assert _canonical(ours) == _canonical(opa_decision(opa, case["input"]))
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


@pytest.mark.parametrize("name", EMBEDDED_ENGINES)
def test_library_unit_tests_pass_under_each_engine(name):
    results = testing.run_tests(engine=name)
    assert len(results) > 100
    assert [f"{r.case.query}: {r.status} {r.detail}" for r in results if not r.passed] == []


def _example_modules() -> dict[str, str]:
    return {n: s for n, s in testing.test_modules([EXAMPLES]).items() if not (n.startswith("rego/") and n.endswith("_test.rego"))}


@pytest.mark.parametrize("name", EMBEDDED_ENGINES)
def test_example_tests_pass_under_each_engine_and_opa(name):
    mods = _example_modules()
    ours = testing.run_tests(modules=mods, engine=name)
    theirs = testing.run_tests(modules=mods, evaluator=opa_evaluator(opa_engine(mods)))
    assert len(ours) == 8
    assert [(r.case.query, r.status) for r in ours] == [(r.case.query, r.status) for r in theirs] == [(r.case.query, "PASS") for r in ours]


# Generated documents: references and facts drawn from the values the scanner and the Hub
# stage produce (and the corner cases between them), with configurations that switch rules
# on: registries, deprecations, license lists, waivers (valid, expired, invalid).
IDS = st.sampled_from(["org/a", "org/b", "meta-llama/Llama-3.1-8B", "gpt2", "x/y-z", "stabilityai/sd", "org/a "])
LICENSES = st.sampled_from([None, "", "mit", "apache-2.0", "llama3.1", "gemma", "cc-by-nc-4.0", "gpl-3.0", "other", "unknown", "creativeml-openrail-m", "MIT", "cc-by-nd-4.0"])
STATUS = st.sampled_from(["ok", "ok", "ok", "not_found", "gated", "disabled", "error", "unknown"])
MAYBE_BOOL = st.sampled_from([None, True, False])
SHA = st.sampled_from(["a" * 40, "b" * 40, None])


@st.composite
def facts(draw, id):
    lineage = draw(st.lists(st.fixed_dictionaries({"id": IDS, "depth": st.integers(1, 3), "license": LICENSES, "license_name": st.sampled_from([None, "mrl"])}), max_size=2))
    dataset_facts = draw(st.lists(st.fixed_dictionaries({"id": IDS, "license": LICENSES, "status": st.sampled_from(["ok", "not_found"])}), max_size=2))
    return {
        "id": id, "kind": "model", "status": draw(STATUS), "error": draw(st.sampled_from([None, "timeout"])), "origin": "hub",
        "canonical_id": draw(st.sampled_from([id, id, "new/name", None])), "sha": draw(SHA), "revision": None,
        "revision_kind": None, "revision_status": draw(st.sampled_from([None, "ok", "not_found"])), "resolved_commit": draw(SHA),
        "license": draw(LICENSES), "license_name": draw(st.sampled_from([None, "mrl", "Llama 3 Community"])),
        "license_link": draw(st.sampled_from([None, "https://example.com/LICENSE", "https://ai.meta.com/llama/license/"])),
        "gated": draw(st.sampled_from([None, "false", "auto", "manual"])), "private": False, "disabled": draw(MAYBE_BOOL),
        "last_modified": None, "created_at": None, "days_since_modified": draw(st.sampled_from([None, 3, 400, 2000])),
        "commits_last_year": None, "downloads": draw(st.integers(0, 10**6)), "likes": 0, "library": None, "pipeline_tag": None,
        "has_safetensors": draw(MAYBE_BOOL), "has_pickle": draw(MAYBE_BOOL), "has_gguf": None, "has_onnx": None,
        "has_custom_code": draw(MAYBE_BOOL), "security_status": draw(st.sampled_from([None, "safe", "unsafe"])),
        "card_present": draw(MAYBE_BOOL), "datasets": [d["id"] for d in dataset_facts], "dataset_facts": dataset_facts,
        "base_models": [a["id"] for a in lineage], "lineage": lineage,
    }


@st.composite
def references(draw, index):
    id = draw(IDS)
    source = draw(st.sampled_from(["huggingface", "huggingface", "huggingface", "api", "file", "unresolved", "local"]))
    pin = draw(st.sampled_from(["none", "mutable", "commit"]))
    return {
        "index": index, "id": id, "kind": draw(st.sampled_from(["model", "model", "dataset"])), "source": source,
        "file": draw(st.sampled_from(["src/app.py", "notebooks/a.ipynb", "train.yaml"])), "line": draw(st.integers(1, 50)), "column": 1, "cell": None,
        "call": "transformers.AutoModel.from_pretrained", "revision": {"none": None, "mutable": "main", "commit": "a" * 40}[pin], "pin": pin,
        "flags": sorted(draw(st.sets(st.sampled_from(["trust_remote_code", "use_safetensors_false", "unsafe_torch_load", "pickle_load"])))),
        "provider": draw(st.sampled_from([None, "openai"])),
        "detail": draw(st.sampled_from([{}, {"scan": "dangerous", "dangerous_globals": "os.system"}, {"scan": "error"}, {"scan": "clean"}])),
        "facts": draw(st.one_of(st.none(), facts(id))),
        "locked": draw(st.sampled_from([None, {"license": "mit", "resolved_commit": "b" * 40, "sha": None}])),
    }


CONFIGS = st.fixed_dictionaries({}, optional={
    "intended_use": st.sampled_from(["commercial", "internal", "research"]),
    "licenses": st.fixed_dictionaries({}, optional={"deny": st.just(["gpl-3.0"]), "warn": st.just(["MRL"]), "allow": st.just(["other"]),
                                                    "categories": st.just({"community": "deny", "rail": "allow"})}),
    "approved_models": st.lists(st.fixed_dictionaries({"id": st.sampled_from(["org/*", "gpt2", "x/y-z"])}, optional={
        "owner": st.just("team"), "uses": st.just(["research"]), "review_by": st.sampled_from(["2026-01-01", "2027-01-01"]),
        "license": st.sampled_from(["mit", "apache-2.0"]), "gated_approval": st.booleans()}), max_size=3),
    "deprecations": st.lists(st.fixed_dictionaries({"id": st.sampled_from(["org/*", "gpt2"]), "sunset": st.sampled_from(["2026-01-01", "2027-01-01"])},
                                                   optional={"replacement": st.just("org/new"), "reason": st.just("retired")}), max_size=2),
    "api_models": st.just({"providers": ["anthropic"], "models": ["claude-*"]}),
    "pinning": st.just({"mutable": "deny", "commit": "info"}),
    "waivers": st.lists(st.fixed_dictionaries({"model": st.sampled_from(["org/*", "gpt2", "*"]), "rule": st.sampled_from(["*", "pinning/*", "license/category"])},
                                              optional={"justification": st.sampled_from(["ticket 1", " "]), "expires": st.sampled_from(["2026-01-01", "2027-01-01", "soon"]),
                                                        "approver": st.just("ospo")}), max_size=3),
})


@st.composite
def documents(draw):
    count = draw(st.integers(0, 6))
    return {"schema_version": 1, "today": "2026-11-26", "config": draw(CONFIGS), "references": [draw(references(i)) for i in range(count)]}


@pytest.mark.parametrize("name", EMBEDDED_ENGINES)
def test_generated_documents_decide_as_opa(name, modules, opa):
    chosen = embedded_engine(name)
    chosen.load(modules, {})

    @settings(max_examples=GENERATED[name], deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(document=documents())
    def agree(document):
        assert _canonical(chosen.evaluate(document)) == _canonical(opa_decision(opa, document))

    agree()
