package aiospo.rules.drift_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.drift

_locked := {"sha": "1111111111111111111111111111111111111111", "resolved_commit": null, "license": "apache-2.0", "gated": "false", "status": "ok"}

_eval_drift(config, facts, fields) := fs if {
	fs := drift.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.ref("org/m", facts, fields)]
}

test_no_lock_no_drift if {
	count(_eval_drift({}, {"license": "mit"}, {"pin": "none"})) == 0
}

test_unchanged_passes if {
	count(_eval_drift({}, {}, {"pin": "none", "locked": _locked})) == 0
}

test_license_change_warns if {
	fs := _eval_drift({}, {"license": "cc-by-nc-4.0"}, {"locked": _locked})
	fx.has(fs, "drift/license", "warn", 0)
}

test_upstream_commit_change_warns_for_unpinned if {
	fs := _eval_drift({}, {"sha": "3333333333333333333333333333333333333333"}, {"pin": "none", "locked": _locked})
	some f in fs
	f.rule == "drift/commit"
	contains(f.message, "3333333333333333333333333333333333333333")
}

test_commit_pins_do_not_drift if {
	count(_eval_drift({}, {"sha": "3333333333333333333333333333333333333333"}, {"pin": "commit", "locked": _locked})) == 0
}

test_drift_configurable if {
	count(_eval_drift({"vetting": {"drift": "allow"}}, {"license": "mit"}, {"locked": _locked})) == 0
}
