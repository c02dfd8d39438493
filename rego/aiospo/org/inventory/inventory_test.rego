package aiospo.org.inventory_test

import data.aiospo.org.inventory
import data.aiospo.lib.fixtures_test as fx

_first := {"id": "org/n*", "sunset": "2027-01-01", "replacement": "org/new"}

_second := {"id": "org/nc", "sunset": "2026-01-01"}

_third := {"id": "gpt-4o", "sunset": "2026-01-01"}

# The configuration and references are written out here: rego-cpp evaluates
# `with input.<field> as <rule>` to empty results.
_view := v if {
	v := inventory.view with input.today as "2026-11-26" with input.config as {"deprecations": [
		{"id": "org/n*", "sunset": "2027-01-01", "replacement": "org/new"},
		{"id": "org/nc", "sunset": "2026-01-01"},
		{"id": "gpt-4o", "sunset": "2026-01-01"},
	]} with input.references as [
		fx.hub("org/permissive", {}),
		fx.ref("org/nc", {"license": "cc-by-nc-4.0"}, {"index": 1}),
		fx.ref("org/offline", {"status": "unknown", "license": null}, {"index": 2}),
		fx.ref("gpt-4o", {}, {"index": 3, "source": "api", "provider": "openai", "facts": null}),
	]
}

test_categories_only_for_hub_references_with_license_facts if {
	_view.categories == [[0, "permissive"], [1, "non-commercial"]]
}

test_license_findings_are_the_license_rules if {
	[1, "deny"] in _view.license
	not _has_ref(_view.license, 0)
}

test_every_matching_deprecation_with_its_position if {
	[1, 0, _first] in _view.deprecations
	[1, 1, _second] in _view.deprecations
	[3, 2, _third] in _view.deprecations
	not _has_ref(_view.deprecations, 0)
}

test_deprecation_findings_follow_the_first_entry if {
	[1, "warn"] in _view.deprecation # the first entry's sunset is ahead
	[3, "deny"] in _view.deprecation
}

_has_ref(pairs, index) if {
	some p in pairs
	p[0] == index
}
