"""Minimal reproductions of the regorus bugs the library works around (rego/README.md,
"Engine differences"). Each asserts regorus's wrong answer today next to OPA's right one, so
the day an upstream fix lands this test fails: then drop the workaround and this test.
The library's own avoidance of each bug is checked below and, on every document, by the
conformance suite (tests/policy/test_conformance.py)."""

from __future__ import annotations

import re

import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import library
from aiospo_ci.policy.regorus_engine import RegorusEngine
from tests.support.opa_reference import opa_engine

# Bug 1, found by delta-debugging the library on corpus document 12_no_derivatives: the
# function license_category reads the catalogue through its import alias; after a rule that
# calls category_action (which reads another aliased package), regorus evaluates the alias
# in the next rule as if the catalogue were empty, so that rule silently produces nothing.
ALIAS_INPUT = {'references': [{'index': 0, 'id': 'e/nd', 'kind': 'model', 'facts': {'license': 'cc-by-nd-4.0', 'license_name': None, 'license_link': None, 'canonical_id': 'e/nd'}}]}
ALIAS_MODULES = {
    'data/licenses.rego': """package aiospo.catalogue
licenses := {
	"cc-by-nd-4.0": {"category": "copyleft", "notice": true, "obligations": ["attribution"]},
}
category_meaning := {
	"copyleft": "copyleft: derivatives must use the same license",
}
""",
    'data/defaults.rego': """package aiospo.defaults
by_use := {
	"research": {"copyleft": "info"},
}
""",
    'lib/helpers.rego': """package aiospo.lib
import data.aiospo.catalogue
import data.aiospo.defaults
config := c if {
	c := input.config
} else := {}
category_action(category) := a if {
	a := defaults.by_use[intended_use][category]
} else := defaults.settings.licenses.categories[category]
license_id(license) := lower(license) if {
} else := ""
license_category(license, license_name, license_link) := c if {
	c := catalogue.licenses[id].category
} else := c if {
	found := {cat | cat := catalogue.other_links[fragment]; contains(license_link, fragment)}
	some c in found
} else := "unknown"
license_label(license, license_name) := sprintf("other (%s)", [license_name]) if {
} else := "none declared"
""",
    'rules/license.rego': """package aiospo.rules.license
import data.aiospo.catalogue
import data.aiospo.lib
_category(r) := lib.license_category(r.facts.license, null, null)
_label(r) := lib.license_label(r.facts.license, r.facts.license_name)
_why(r, category) := sprintf("is licensed '%s' (%s)", [_label(r), catalogue.category_meaning[category]]) if category != "unknown"
findings contains msg if {
	some r in input.references
	category := _category(r)
	action := lib.category_action(category)
	msg := sprintf("%s %s %s %s", [_why(r, category), category, lib.intended_use, action])
}
_obligations(r) := trim_space(concat("; ", o)) if {
	o := catalogue.licenses[lib.license_id(r.facts.license)].obligations
} else := "read the license in the model card"
findings contains msg if {
	some r in input.references
	msg := catalogue.category_meaning[_category(r)]
}
""",
}
ALIAS_QUERY = "data.aiospo.rules.license.findings"
ALIAS_EXPECTED = ["copyleft: derivatives must use the same license"]


def _regorus(modules, query, document):
    engine = RegorusEngine()
    engine.load(modules, {})
    return engine.query(query, document)


def _opa(modules, query, document):
    rows = opa_engine(modules).eval_query(f"x := {query}", document)
    return rows[0]["x"]


def test_bug_import_alias_in_a_function_reads_nothing():
    assert sorted(_opa(ALIAS_MODULES, ALIAS_QUERY, ALIAS_INPUT)) == ALIAS_EXPECTED
    assert _regorus(ALIAS_MODULES, ALIAS_QUERY, ALIAS_INPUT) == [], "regorus fixed the alias bug: drop the full data paths in rego/aiospo/lib/helpers.rego"


def test_bug_import_alias_workaround_full_path():
    fixed = dict(ALIAS_MODULES)
    fixed["lib/helpers.rego"] = fixed["lib/helpers.rego"].replace("c := catalogue.licenses[id]", "c := data.aiospo.catalogue.licenses[id]")
    assert sorted(_regorus(fixed, ALIAS_QUERY, ALIAS_INPUT)) == ALIAS_EXPECTED


# Bug 2: a function with `else` whose head indexes a list with a variable bound in the body is
# evaluated for every element of the list ("function produced multiple outputs").
HEAD_INDEX = """package p

pick(list, n) := list[i] if {
	i := n
} else := "none"

pick_bound(list, n) := v if {
	v := list[n]
} else := "none"
"""


def test_bug_head_index_in_a_function_with_else():
    assert _opa({"p.rego": HEAD_INDEX}, 'data.p.pick(["a", "b", "c"], 1)', {}) == "b"
    with pytest.raises(PolicyError, match="function produced multiple outputs"):
        _regorus({"p.rego": HEAD_INDEX}, 'data.p.pick(["a", "b", "c"], 1)', {})


def test_bug_head_index_workaround_binds_in_the_body():
    assert _regorus({"p.rego": HEAD_INDEX}, 'data.p.pick_bound(["a", "b", "c"], 1)', {}) == "b"


# The library keeps clear of both: lib/helpers.rego reads no data package through an alias,
# and no library function with `else` indexes in its head with a variable of its body.
_ALIAS_READ = re.compile(r"(?<![\w.])(?:catalogue|defaults)\.")
_HEAD_INDEX_WITH_ELSE = re.compile(r"^\w+\([^)\n]*\)\s*:=[^\n]*\w\[(\w+)\][^\n]*\bif\s*\{\n(?:\t[^\n]*\n)*\}\s*else", re.MULTILINE)


def _code(source: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in source.splitlines())


def test_the_library_avoids_the_alias_bug():
    assert _ALIAS_READ.findall(_code(library.load_modules([])["rego/aiospo/lib/helpers.rego"])) == []


def test_the_library_avoids_the_head_index_bug():
    assert _HEAD_INDEX_WITH_ELSE.search(HEAD_INDEX), "the check must recognise the bug's shape"
    for name, source in library.load_modules([]).items():
        assert _HEAD_INDEX_WITH_ELSE.findall(_code(source)) == [], name
