package aiospo.rules.registry_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.registry

_eval_registry(config, id, facts) := fs if {
	fs := registry.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.hub(id, facts)]
}

test_empty_registry_flags_nothing if {
	count(_eval_registry({}, "org/m", {})) == 0
}

test_unapproved_model_warns if {
	fs := _eval_registry({"approved_models": [{"id": "other/x"}]}, "org/m", {})
	fx.has(fs, "registry/unapproved", "warn", 0)
}

test_unapproved_can_deny if {
	fx.has(_eval_registry({"approved_models": [{"id": "other/x"}], "unapproved": "deny"}, "org/m", {}), "registry/unapproved", "deny", 0)
}

test_glob_approval if {
	count(_eval_registry({"approved_models": [{"id": "org/*"}]}, "org/m", {})) == 0
}

test_approval_by_canonical_id_of_renamed_repo if {
	count(_eval_registry({"approved_models": [{"id": "openai-community/gpt2"}]}, "gpt2", {"canonical_id": "openai-community/gpt2"})) == 0
}

test_use_not_approved if {
	config := {"intended_use": "commercial", "approved_models": [{"id": "org/m", "owner": "ml-team", "uses": ["research"]}]}
	fs := _eval_registry(config, "org/m", {})
	some f in fs
	f.rule == "registry/use-not-approved"
	contains(f.message, "ml-team")
}

test_review_overdue if {
	fx.has(_eval_registry({"approved_models": [{"id": "org/m", "review_by": "2026-01-01"}]}, "org/m", {}), "registry/review-overdue", "warn", 0)
	count(_eval_registry({"approved_models": [{"id": "org/m", "review_by": "2026-11-26"}]}, "org/m", {})) == 0
}

test_exact_entry_governs_over_glob if {
	config := {"approved_models": [{"id": "org/*", "review_by": "2020-01-01"}, {"id": "org/m", "review_by": "2030-01-01"}]}
	count(_eval_registry(config, "org/m", {})) == 0
}

test_license_changed_since_approval if {
	fs := _eval_registry({"approved_models": [{"id": "org/m", "license": "apache-2.0"}]}, "org/m", {"license": "cc-by-nc-4.0"})
	fx.has(fs, "registry/license-changed", "warn", 0)
	count(_eval_registry({"approved_models": [{"id": "org/m", "license": "Apache-2.0"}]}, "org/m", {"license": "apache-2.0"})) == 0
}
