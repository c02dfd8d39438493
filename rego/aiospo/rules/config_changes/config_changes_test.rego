package aiospo.rules.config_changes_test

import data.aiospo.rules.config_changes

_pr(files, base, head) := {
	"config_from": "head",
	"changed_policy_files": files,
	"base_config": base,
	"head_config": head,
	"changed_lock_entries": [],
}

_config_file := {"path": ".aiospo.yaml", "old_path": null, "status": "modified", "kind": "config"}

_eval(run, config) := fs if {
	fs := config_changes.findings with input.run as run with input.config as config with input.references as [] with input.today as "2026-11-26"
}

_only(fs) := f if {
	count(fs) == 1
	some f in fs
}

test_nothing_without_a_pull_request if {
	count(_eval({}, {})) == 0
	count(_eval({"ci": true}, {})) == 0
}

test_nothing_when_no_gate_file_changed if {
	count(_eval(_pr([], {}, {}), {})) == 0
}

test_a_relaxed_category_and_a_new_waiver_are_listed if {
	base := {"licenses": {"categories": {"copyleft": "deny"}}}
	head := {"licenses": {"categories": {"copyleft": "allow"}}, "waivers": [{"model": "org/m", "rule": "license/*", "justification": "j", "expires": "2027-01-01"}]}
	f := _only(_eval(_pr([_config_file], base, head), head))
	f.rule == "config/changed"
	f.severity == "warn"
	f.ref == null
	contains(f.message, "licenses.categories.copyleft deny → allow")
	contains(f.message, "waivers adds org/m for license/*")
	contains(f.message, "config_from: base")
}

test_tightening_is_still_reported_as_a_change if {
	head := {"pinning": {"mutable": "deny"}}
	f := _only(_eval(_pr([_config_file], {}, head), head))
	contains(f.message, ".aiospo.yaml (modified; no relaxed setting found)")
}

test_fail_on_limits_removed_denials_and_other_keys if {
	base := {"fail_on": "warn", "vetting": {"max_days_since_modified": 100}, "licenses": {"deny": ["gpl-3.0"]}, "intended_use": "commercial"}
	head := {"fail_on": "never", "vetting": {"max_days_since_modified": 900}, "intended_use": "research"}
	f := _only(_eval(_pr([_config_file], base, head), head))
	contains(f.message, "fail_on warn → never")
	contains(f.message, "vetting.max_days_since_modified 100 → 900")
	contains(f.message, "licenses.deny removes gpl-3.0")
	contains(f.message, "intended_use changed")
}

test_the_base_branch_decides_the_severity if {
	deny := {"config_changed": "deny"}
	lowered := {"config_changed": "allow"}
	f := _only(_eval(_pr([_config_file], deny, lowered), lowered))
	f.severity == "deny"
	contains(f.message, "config_changed deny → allow")
	count(_eval(_pr([_config_file], lowered, deny), deny)) == 0
}

test_without_the_base_the_pull_request_can_only_raise_the_severity if {
	run := object.union(_pr([_config_file], null, {"config_changed": "allow"}), {})
	_only(_eval(run, {"config_changed": "allow"})).severity == "warn"
	raised := _pr([_config_file], null, {"config_changed": "deny"})
	f := _only(_eval(raised, {"config_changed": "deny"}))
	f.severity == "deny"
	contains(f.message, "base branch's configuration is unknown")
}

test_policy_and_lockfile_changes_are_listed if {
	files := [
		{"path": "aiospo.lock", "old_path": null, "status": "modified", "kind": "lockfile"},
		{"path": "policies/org.rego", "old_path": null, "status": "deleted", "kind": "policy"},
	]
	run := object.union(_pr(files, {}, {}), {"changed_lock_entries": [{"kind": "model", "id": "org/m", "revision": null, "change": "modified", "fields": ["license"]}]})
	f := _only(_eval(run, {}))
	contains(f.message, "aiospo.lock (modified; recorded facts changed for org/m: modified license)")
	contains(f.message, "policy policies/org.rego (deleted)")
}

test_judged_with_the_base_it_is_a_note if {
	run := object.union(_pr([_config_file], {}, {"pinning": {"none": "allow"}}), {"config_from": "base"})
	f := _only(_eval(run, {}))
	f.severity == "info"
	contains(f.message, "did not apply to this run")
}

test_unknown_changes_warn_unless_judged_with_the_base if {
	f := _only(_eval(_pr(null, {}, {}), {}))
	f.severity == "warn"
	contains(f.message, "could not be read")
	count(_eval(object.union(_pr(null, {}, {}), {"config_from": "base"}), {})) == 0
}

_baseline_file := {"path": ".aiospo-baseline.json", "old_path": null, "status": "modified", "kind": "baseline"}

_accepted := {"fingerprint": "0f0f", "rule": "pinning/none", "severity": "deny", "path": "src/new.py", "model": "org/m"}

test_findings_a_baseline_newly_accepts_are_listed if {
	run := object.union(_pr([_baseline_file], {}, {}), {"changed_baseline_entries": [_accepted, object.union(_accepted, {"fingerprint": "1e1e", "rule": "license/category"})]})
	f := _only(_eval(run, {}))
	f.severity == "warn"
	contains(f.message, "baseline .aiospo-baseline.json (modified)")
	contains(f.message, "the baseline accepts 2 more finding(s), which then do not fail the check: org/m for pinning/none in src/new.py; org/m for license/category in src/new.py")
}

test_a_baseline_named_by_the_configuration_is_listed_too if {
	head := {"baseline": "tests/fixtures/accepted.json"}
	run := object.union(_pr([_config_file], {}, head), {"changed_baseline_entries": [_accepted]})
	f := _only(_eval(run, head))
	contains(f.message, "baseline changed")
	contains(f.message, "the baseline accepts 1 more finding(s)")
}

test_a_baseline_that_only_shrinks_is_a_change_without_acceptances if {
	run := object.union(_pr([_baseline_file], {}, {}), {"changed_baseline_entries": []})
	f := _only(_eval(run, {}))
	not contains(f.message, "accepts")
}

test_an_unreadable_baseline_is_said_so if {
	run := object.union(_pr([_baseline_file], {}, {}), {"changed_baseline_entries": null})
	contains(_only(_eval(run, {})).message, "could not be compared with the base branch's")
}

test_a_baseline_judged_with_the_base_is_a_note if {
	run := object.union(_pr([_baseline_file], {}, {}), {"changed_baseline_entries": [_accepted], "config_from": "base"})
	f := _only(_eval(run, {}))
	f.severity == "info"
	contains(f.message, "did not apply to this run")
}
