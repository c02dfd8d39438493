package aiospo.main_test

import data.aiospo.main

# A model whose license is denied gets its denials only; warnings and notes come back once a
# waiver keeps it, and other references are untouched.
_decided_for_hold_back := [
	{"rule": "license/category", "severity": "deny", "message": "nc", "ref": 0, "waived": false, "waiver": null},
	{"rule": "pinning/none", "severity": "deny", "message": "unpinned", "ref": 0, "waived": false, "waiver": null},
	{"rule": "security/pickle-only", "severity": "warn", "message": "pickle", "ref": 0, "waived": false, "waiver": null},
	{"rule": "waiver/expired", "severity": "info", "message": "expired", "ref": 0, "waived": false, "waiver": null},
	{"rule": "security/pickle-only", "severity": "warn", "message": "pickle", "ref": 1, "waived": false, "waiver": null},
	{"rule": "custom/run-level", "severity": "warn", "message": "run", "ref": null, "waived": false, "waiver": null},
]

test_warnings_on_a_license_denied_model_are_held_back if {
	fs := main.without_held_back(_decided_for_hold_back)
	rules := {[f.rule, f.ref] | some f in fs}
	rules == {["license/category", 0], ["pinning/none", 0], ["waiver/expired", 0], ["security/pickle-only", 1], ["custom/run-level", null]}
}

test_a_waived_license_denial_holds_nothing_back if {
	waived := array.concat(
		[object.union(_decided_for_hold_back[0], {"waived": true, "waiver": {"justification": "j", "approver": null, "expires": "2027-01-01"}})],
		array.slice(_decided_for_hold_back, 1, 6),
	)
	count(main.without_held_back(waived)) == 6
}

# A finding with a severity outside the contract is never held back: it reaches aiospo-ci,
# which refuses it (exit 2) instead of hiding it behind the license denial.
test_a_finding_with_a_bad_severity_is_not_held_back if {
	bad := {"rule": "custom/x", "severity": "high", "message": "m", "ref": 0, "waived": false, "waiver": null}
	fs := main.without_held_back(array.concat(_decided_for_hold_back, [bad]))
	bad in fs
	not _decided_for_hold_back[2] in fs
}
