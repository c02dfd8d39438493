package aiospo.rules.license_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.license

_eval_license(config, facts) := fs if {
	fs := license.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.hub("org/m", facts)]
}

test_permissive_license_is_allowed_silently if {
	fs := _eval_license({}, {"license": "apache-2.0"})
	count(fs) == 0
}

test_non_commercial_denied_for_commercial_use if {
	fx.has(_eval_license({}, {"license": "cc-by-nc-4.0"}), "license/category", "deny", 0)
}

test_non_commercial_passes_for_research if {
	fs := _eval_license({"intended_use": "research"}, {"license": "cc-by-nc-4.0"})
	fx.has(fs, "license/category", "info", 0)
	not fx.has(fs, "license/category", "deny", 0)
}

test_non_commercial_denied_for_internal_use if {
	fx.has(_eval_license({"intended_use": "internal"}, {"license": "cc-by-nc-sa-4.0"}), "license/category", "deny", 0)
}

test_copyleft_warns_commercially_and_is_noted_internally if {
	fx.has(_eval_license({}, {"license": "gpl-3.0"}), "license/category", "warn", 0)
	fx.has(_eval_license({"intended_use": "internal"}, {"license": "gpl-3.0"}), "license/category", "info", 0)
}

test_configured_category_action_wins_over_use_default if {
	fs := _eval_license({"intended_use": "research", "licenses": {"categories": {"non-commercial": "deny"}}}, {"license": "cc-by-nc-4.0"})
	fx.has(fs, "license/category", "deny", 0)
}

test_missing_license_is_unknown_and_denied if {
	fs := _eval_license({}, {"license": null})
	some f in fs
	f.rule == "license/category"
	f.severity == "deny"
	contains(f.message, "declares no license")
	contains(f.message, "org/m")
}

test_other_with_unknown_name_is_unknown if {
	fx.has(_eval_license({}, {"license": "other", "license_name": "my-license"}), "license/category", "deny", 0)
}

test_other_naming_a_permissive_license_is_never_permissive if {
	fx.has(_eval_license({}, {"license": "other", "license_name": "apache-2.0"}), "license/category", "deny", 0)
}

test_other_judged_by_license_name if {
	fs := _eval_license({}, {"license": "other", "license_name": "flux-1-dev-non-commercial-license"})
	some f in fs
	f.rule == "license/category"
	f.severity == "deny"
	contains(f.message, "non-commercial")
}

test_other_judged_by_license_link if {
	fs := _eval_license({}, {"license": "other", "license_name": "x", "license_link": "https://ai.google.dev/gemma/terms"})
	fx.has(fs, "license/category", "warn", 0)
	some f in fs
	contains(f.message, "Using it obliges you to: read the license")
}

# One finding per model and concern: the obligations are in the license finding's message.
test_community_license_warns_with_its_obligations_in_one_finding if {
	fs := _eval_license({}, {"license": "llama3.1"})
	count(fs) == 1
	some f in fs
	f.rule == "license/category"
	f.severity == "warn"
	contains(f.message, "Built with Llama")
	contains(f.message, "700 million monthly active users")
	not contains(f.message, "gated")
}

test_license_finding_names_an_unapproved_gate if {
	fs := _eval_license({}, {"license": "llama3.1", "gated": "manual"})
	some f in fs
	contains(f.message, "gated_approval: true")
	fs2 := _eval_license({"approved_models": [{"id": "org/m", "gated_approval": true}]}, {"license": "llama3.1", "gated": "manual"})
	some g in fs2
	not contains(g.message, "gated")
}

test_rail_license_names_use_restrictions if {
	fs := _eval_license({}, {"license": "creativeml-openrail-m"})
	count(fs) == 1
	some f in fs
	f.severity == "warn"
	contains(f.message, "Attachment A")
}

test_c_uda_allows_commercial_computational_use if {
	fs := _eval_license({}, {"license": "c-uda"})
	fx.lacks(fs, "license/category")
	some f in fs
	f.rule == "license/obligations"
	contains(f.message, "do not redistribute the data")
}

test_license_denial_applies_in_every_scope if {
	r := fx.ref("org/m", {"license": "cc-by-nc-4.0"}, {"scope": "notebook"})
	fs := license.findings with input.today as "2026-11-26" with input.config as {} with input.references as [r]
	fx.has(fs, "license/category", "deny", 0)
	fs2 := license.findings with input.today as "2026-11-26" with input.config as {"by_scope": {"notebook": {"licenses": {"categories": {"non-commercial": "info"}}}}} with input.references as [r]
	fx.has(fs2, "license/category", "info", 0)
}

test_obligations_noted_even_when_category_allowed if {
	fs := _eval_license({"licenses": {"categories": {"community": "allow"}}}, {"license": "gemma"})
	fx.lacks(fs, "license/category")
	fx.has(fs, "license/obligations", "info", 0)
}

test_no_derivatives_license_names_the_clause if {
	fs := _eval_license({}, {"license": "cc-by-nd-4.0"})
	some f in fs
	f.rule == "license/category"
	contains(f.message, "no derivatives")
}

test_denied_id_overrides_permissive_category if {
	fs := _eval_license({"licenses": {"deny": ["mit"]}}, {"license": "mit"})
	fx.has(fs, "license/denied-id", "deny", 0)
	fx.lacks(fs, "license/category")
}

test_denied_id_matches_other_license_name if {
	fx.has(_eval_license({"licenses": {"deny": ["mrl"]}}, {"license": "other", "license_name": "MRL"}), "license/denied-id", "deny", 0)
}

test_warned_id if {
	fs := _eval_license({"licenses": {"warn": ["apache-2.0"]}}, {"license": "apache-2.0"})
	fx.has(fs, "license/warned-id", "warn", 0)
}

test_deny_list_beats_warn_list if {
	fs := _eval_license({"licenses": {"warn": ["mit"], "deny": ["mit"]}}, {"license": "mit"})
	fx.has(fs, "license/denied-id", "deny", 0)
	fx.lacks(fs, "license/warned-id")
}

test_allowed_id_overrides_denied_category if {
	count(_eval_license({"licenses": {"allow": ["cc-by-nc-4.0"]}}, {"license": "cc-by-nc-4.0"})) == 0
}

test_license_id_case_is_ignored if {
	count(_eval_license({}, {"license": "Apache-2.0"})) == 0
}

test_not_found_model_is_not_license_judged if {
	fs := _eval_license({}, {"status": "not_found", "license": null})
	count(fs) == 0
}

test_gated_without_access_is_judged_and_no_license_is_unknown if {
	fx.has(_eval_license({}, {"status": "gated", "license": "llama3"}), "license/category", "warn", 0)
	fs := _eval_license({}, {"status": "gated", "license": null})
	fx.has(fs, "license/category", "deny", 0)
	some f in fs
	contains(f.message, "is gated and the token in use cannot read it")
}

test_local_models_are_not_license_judged if {
	r := fx.ref("./weights", {"license": null}, {"source": "local", "facts": null})
	fs := license.findings with input.today as "2026-11-26" with input.config as {} with input.references as [r]
	count(fs) == 0
}
