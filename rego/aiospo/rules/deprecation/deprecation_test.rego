package aiospo.rules.deprecation_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.deprecation

_config(sunset) := {"deprecations": [{"id": "org/old-*", "sunset": sunset, "replacement": "org/new", "reason": "superseded"}]}

_eval_deprecation(config, id) := fs if {
	fs := deprecation.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.hub(id, {})]
}

test_warning_before_sunset_names_replacement if {
	fs := _eval_deprecation(_config("2027-01-01"), "org/old-model")
	some f in fs
	f.rule == "deprecation/upcoming"
	f.severity == "warn"
	contains(f.message, "org/new")
	contains(f.message, "2027-01-01")
}

test_denied_on_and_after_sunset if {
	fx.has(_eval_deprecation(_config("2026-11-26"), "org/old-model"), "deprecation/sunset", "deny", 0)
	fx.has(_eval_deprecation(_config("2025-01-01"), "org/old-model"), "deprecation/sunset", "deny", 0)
	fx.lacks(_eval_deprecation(_config("2025-01-01"), "org/old-model"), "deprecation/upcoming")
}

test_other_models_unaffected if {
	count(_eval_deprecation(_config("2025-01-01"), "org/current")) == 0
}

test_api_models_can_be_deprecated if {
	r := fx.ref("gpt-3.5-turbo", {}, {"source": "api", "provider": "openai", "facts": null})
	fs := deprecation.findings with input.today as "2026-11-26" with input.config as {"deprecations": [{"id": "gpt-3.5*", "sunset": "2026-06-01"}]} with input.references as [r]
	some f in fs
	f.rule == "deprecation/sunset"
	contains(f.message, "Move to a supported model")
}

test_overlapping_deprecations_use_the_first_entry if {
	config := {"deprecations": [
		{"id": "org/old-model", "sunset": "2025-01-01", "replacement": "org/exact"},
		{"id": "org/old-*", "sunset": "2027-01-01", "replacement": "org/glob"},
	]}
	fs := _eval_deprecation(config, "org/old-model")
	count(fs) == 1
	some f in fs
	f.rule == "deprecation/sunset"
	contains(f.message, "org/exact")
}
