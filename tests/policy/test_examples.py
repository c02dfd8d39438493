"""The example custom policies: their tests pass on both engines, and their findings reach the
one decision (with waivers) without any code change."""

from __future__ import annotations

import json
from pathlib import Path

from aiospo_ci.policy import library, testing
from aiospo_ci.policy.embedded import embedded_engine
from tests.support.opa_reference import opa_decision, opa_engine, opa_evaluator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


def _ref(index: int, id: str, file: str) -> dict:
    return {
        "index": index, "id": id, "kind": "model", "source": "huggingface", "file": file, "line": 3, "column": 1,
        "cell": None, "call": "transformers.AutoModel.from_pretrained", "revision": "a" * 40, "pin": "commit",
        "flags": [], "provider": None, "detail": {}, "locked": None,
        "facts": {"id": id, "kind": "model", "status": "ok", "canonical_id": id, "license": "apache-2.0", "gated": "false",
                  "card_present": True, "datasets": ["d/x"], "days_since_modified": 3, "has_safetensors": True, "has_pickle": False},
    }


DOCUMENT = {
    "schema_version": 1,
    "today": "2026-11-26",
    "config": {
        "custom": {"org_allowlist": {"allowed_orgs": ["google-bert"]}},
        "approved_models": [{"id": "google-bert/*", "owner": "nlp@example.com"}, {"id": "stranger/model"}],
        "waivers": [{"model": "stranger/*", "rule": "org/*", "justification": "vendor trial, OSPO-12", "expires": "2027-01-01"}],
    },
    "references": [
        _ref(0, "google-bert/bert-base-uncased", "src/app.py"),
        _ref(1, "stranger/model", "src/service.py"),
        _ref(2, "someone/else", "notebooks/try.py"),
    ],
}


def _by_rule(findings):
    return sorted((f["rule"], f["ref"], f["severity"], f["waived"]) for f in findings)


def _example_modules() -> dict[str, str]:
    """The library without its own tests, plus the examples with theirs."""
    return {n: s for n, s in testing.test_modules([EXAMPLES]).items() if not (n.startswith("rego/") and n.endswith("_test.rego"))}


def test_example_tests_pass_under_the_embedded_engine():
    results = testing.run_tests(modules=_example_modules())
    assert len(results) == 8
    assert [r.status for r in results] == ["PASS"] * 8


def test_example_tests_pass_under_opa():
    mods = _example_modules()
    results = testing.run_tests(modules=mods, evaluator=opa_evaluator(opa_engine(mods)))
    assert [r.status for r in results] == ["PASS"] * 8


def test_user_rules_reach_the_decision_on_both_engines_with_waivers():
    modules = library.load_modules([EXAMPLES])
    embedded = embedded_engine()
    embedded.load(modules, library.load_data([EXAMPLES]))
    ours = embedded.evaluate(DOCUMENT)
    theirs = opa_decision(opa_engine(modules), DOCUMENT)
    assert sorted(json.dumps(f, sort_keys=True) for f in ours) == sorted(json.dumps(f, sort_keys=True) for f in theirs)
    assert _by_rule(ours) == [
        ("org/not-allowed", 1, "deny", True),
        ("org/not-allowed", 2, "deny", False),
        ("owner/missing", 1, "deny", False),
        ("registry/unapproved", 2, "warn", False),
    ]


def test_user_rules_have_metadata_for_reports():
    rules = library.rule_metadata(library.load_modules([EXAMPLES]))
    assert rules["org/not-allowed"]["title"] == "Model from an organisation outside the allow-list"
    assert rules["owner/missing"]["severity"] == "deny"
    assert rules["owner/missing"]["module"] == f"{EXAMPLES.as_posix()}/src_owner/src_owner.rego"
