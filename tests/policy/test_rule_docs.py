"""docs/policies.md documents every rule with a worked example that is the engine's real answer."""

from __future__ import annotations

from aiospo_ci.policy import library
from tests.policy import make_rule_docs


def test_rule_reference_is_up_to_date():
    text = make_rule_docs.DOC.read_text(encoding="utf-8")
    assert text == make_rule_docs.updated(text), "docs/policies.md is stale: run python tests/policy/make_rule_docs.py"


def test_every_rule_has_a_worked_example():
    text = make_rule_docs.DOC.read_text(encoding="utf-8")
    for rule_id in library.rule_metadata(library.load_modules([])):
        section = text.split(f"\n### {rule_id}\n", 1)[1].split("\n### ", 1)[0]
        assert f'"rule": "{rule_id}"' in section, rule_id
