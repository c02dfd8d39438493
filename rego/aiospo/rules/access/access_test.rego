package aiospo.rules.access_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.access

_eval_access(config, facts) := fs if {
	fs := access.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.hub("org/m", facts)]
}

test_not_found_denied if {
	fs := _eval_access({}, {"status": "not_found"})
	fx.has(fs, "access/not-found", "deny", 0)
}

test_disabled_denied if {
	fx.has(_eval_access({}, {"status": "disabled"}), "access/disabled", "deny", 0)
	fx.has(_eval_access({}, {"disabled": true}), "access/disabled", "deny", 0)
}

test_not_found_action_configurable if {
	fx.has(_eval_access({"vetting": {"not_found": "warn"}}, {"status": "not_found"}), "access/not-found", "warn", 0)
}

test_gated_without_approval_warns if {
	fx.has(_eval_access({}, {"gated": "manual"}), "access/gated-unapproved", "warn", 0)
	fx.has(_eval_access({}, {"status": "gated"}), "access/gated-unapproved", "warn", 0)
}

test_gated_with_recorded_approval_passes if {
	config := {"approved_models": [{"id": "org/*", "gated_approval": true}]}
	count(_eval_access(config, {"gated": "auto"})) == 0
}

test_approval_without_gate_flag_is_not_a_gate_approval if {
	config := {"approved_models": [{"id": "org/m"}]}
	fx.has(_eval_access(config, {"gated": "manual"}), "access/gated-unapproved", "warn", 0)
}

test_automatic_gate_on_an_allowed_license_is_not_flagged if {
	count(_eval_access({}, {"gated": "auto", "license": "apache-2.0"})) == 0
}

test_gate_is_named_in_the_license_finding_instead if {
	# the license rules report llama3.1 (community: warn) and their message names the gate
	count(_eval_access({}, {"gated": "manual", "license": "llama3.1"})) == 0
	fx.has(_eval_access({"licenses": {"allow": ["llama3.1"]}}, {"gated": "manual", "license": "llama3.1"}), "access/gated-unapproved", "warn", 0)
}

test_ungated_passes if {
	count(_eval_access({}, {"gated": "false"})) == 0
}

test_hub_error_warns_with_reason if {
	fs := _eval_access({}, {"status": "error", "error": "the Hub answered 503"})
	some f in fs
	f.rule == "hub/error"
	f.severity == "warn"
	contains(f.message, "503")
}

test_hub_error_can_fail_closed_in_policy if {
	fx.has(_eval_access({"vetting": {"hub_error": "deny"}}, {"status": "error"}), "hub/error", "deny", 0)
}

test_unknown_facts_warn if {
	fx.has(_eval_access({}, {"status": "unknown"}), "hub/unknown", "warn", 0)
}

_eval_in(run, config, facts) := fs if {
	fs := access.findings with input.today as "2026-11-26" with input.run as run with input.config as config with input.references as [fx.hub("org/m", facts)]
}

test_unknown_facts_are_denied_in_ci if {
	fx.has(_eval_in({"ci": true}, {}, {"status": "unknown"}), "hub/unknown", "deny", 0)
	fx.has(_eval_in({"ci": false}, {}, {"status": "unknown"}), "hub/unknown", "warn", 0)
}

test_hub_errors_are_denied_in_ci if {
	fx.has(_eval_in({"ci": true}, {}, {"status": "error"}), "hub/error", "deny", 0)
	fx.has(_eval_in({"ci": false}, {}, {"status": "error"}), "hub/error", "warn", 0)
}

test_the_configuration_decides_in_ci_too if {
	fx.has(_eval_in({"ci": true}, {"vetting": {"unknown_facts": "warn"}}, {"status": "unknown"}), "hub/unknown", "warn", 0)
	count(_eval_in({"ci": true}, {"vetting": {"hub_error": "allow"}}, {"status": "error"})) == 0
}

test_without_a_run_object_the_run_is_not_in_ci if {
	fx.has(_eval_access({}, {"status": "unknown"}), "hub/unknown", "warn", 0)
}
