package aiospo.rules.inheritance_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.inheritance

_eval_inheritance(config, facts) := fs if {
	fs := inheritance.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.hub("org/ft", facts)]
}

_llama := {"id": "meta-llama/Llama-3.1-8B", "depth": 1, "license": "llama3.1", "license_name": null, "status": "ok"}

test_permissive_fine_tune_of_community_model_is_flagged if {
	fs := _eval_inheritance({}, {"license": "apache-2.0", "lineage": [_llama]})
	some f in fs
	f.rule == "license/inheritance"
	f.severity == "warn"
	contains(f.message, "meta-llama/Llama-3.1-8B")
	contains(f.message, "org/ft")
}

test_same_license_as_ancestor_passes if {
	count(_eval_inheritance({}, {"license": "llama3.1", "lineage": [_llama]})) == 0
}

test_more_restrictive_than_ancestor_passes if {
	count(_eval_inheritance({}, {"license": "cc-by-nc-4.0", "lineage": [{"id": "a/b", "depth": 1, "license": "mit", "license_name": null, "status": "ok"}]})) == 0
}

test_unknown_ancestor_license_is_not_compared if {
	count(_eval_inheritance({}, {"license": "mit", "lineage": [{"id": "a/b", "depth": 2, "license": null, "license_name": null, "status": "not_found"}]})) == 0
}

test_deeper_ancestor_is_checked if {
	nc := {"id": "a/base", "depth": 2, "license": "cc-by-nc-4.0", "license_name": null, "status": "ok"}
	fx.has(_eval_inheritance({}, {"license": "llama3.1", "lineage": [_llama, nc]}), "license/inheritance", "warn", 0)
}

test_action_is_configurable if {
	fx.has(_eval_inheritance({"licenses": {"inheritance": "deny"}}, {"license": "mit", "lineage": [_llama]}), "license/inheritance", "deny", 0)
	count(_eval_inheritance({"licenses": {"inheritance": "allow"}}, {"license": "mit", "lineage": [_llama]})) == 0
}
