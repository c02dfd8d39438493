package aiospo.waivers_test

import data.aiospo.waivers

# The waiver logic is tested through waivers.decide with raw findings written out, so these
# tests need no `with` (which the embedded engine evaluates slowly over the whole library).

_today := "2026-11-26"

_refs := [
	{"index": 0, "id": "org/nc-model", "facts": {"canonical_id": "org/nc-model"}},
	{"index": 1, "id": "gpt2", "facts": {"canonical_id": "openai-community/gpt2"}},
]

_raw := {
	{"rule": "license/category", "severity": "deny", "message": "org/nc-model is non-commercial", "ref": 0},
	{"rule": "pinning/none", "severity": "deny", "message": "org/nc-model is unpinned", "ref": 0},
	{"rule": "pinning/none", "severity": "deny", "message": "gpt2 is unpinned", "ref": 1},
	{"rule": "custom/run-level", "severity": "warn", "message": "about the run"},
}

_waiver(overrides) := object.union({
	"model": "org/*",
	"rule": "license/*",
	"justification": "research prototype, legal ok'd",
	"approver": "ospo@example.com",
	"expires": "2027-01-01",
}, overrides)

_decide(list) := waivers.decide(_raw, list, _refs, _today)

_one(fs, rule, ref) := f if {
	matching := [x | some x in fs; x.rule == rule; x.ref == ref]
	count(matching) == 1
	f := matching[0]
}

test_findings_take_the_contract_shape if {
	fs := _decide([])
	count(fs) == 4
	_one(fs, "pinning/none", 1) == {"rule": "pinning/none", "severity": "deny", "message": "gpt2 is unpinned", "ref": 1, "waived": false, "waiver": null}
	_one(fs, "custom/run-level", null).ref == null
}

test_waiver_marks_finding_waived_not_hidden if {
	fs := _decide([_waiver({})])
	count(fs) == 4
	f := _one(fs, "license/category", 0)
	f.waived == true
	f.severity == "deny"
	f.waiver == {"justification": "research prototype, legal ok'd", "approver": "ospo@example.com", "expires": "2027-01-01"}
}

test_waiver_only_covers_matching_rules if {
	_one(_decide([_waiver({})]), "pinning/none", 0).waived == false
}

test_waiver_for_other_model_does_not_apply if {
	fs := _decide([_waiver({"model": "someone/else"})])
	every f in fs {
		f.waived == false
	}
}

test_waiver_matches_renamed_repo_by_new_id if {
	_one(_decide([_waiver({"model": "openai-community/*", "rule": "pinning/none"})]), "pinning/none", 1).waived == true
}

test_waiver_valid_through_its_expiry_day if {
	_one(_decide([_waiver({"expires": _today})]), "license/category", 0).waived == true
}

test_expired_waiver_stops_applying_and_says_so if {
	fs := _decide([_waiver({"expires": "2026-11-25"})])
	_one(fs, "license/category", 0).waived == false
	note := _one(fs, "waiver/expired", 0)
	note.severity == "info"
	contains(note.message, "2026-11-25")
	contains(note.message, "ospo@example.com")
}

test_expired_waiver_matching_nothing_is_reported_for_the_run if {
	fs := _decide([_waiver({"model": "gone/*", "expires": "2025-01-01"})])
	_one(fs, "waiver/expired", null).severity == "info"
}

test_waiver_without_justification_is_invalid_and_waives_nothing if {
	fs := _decide([_waiver({"justification": "  "})])
	_one(fs, "waiver/invalid", null).severity == "deny"
	every f in fs {
		f.waived == false
	}
}

test_waiver_with_bad_expiry_is_invalid if {
	contains(_one(_decide([_waiver({"expires": "next year"})]), "waiver/invalid", null).message, "Waiver #1")
}

test_first_matching_waiver_wins if {
	w1 := _waiver({"rule": "license/category", "approver": "first"})
	w2 := _waiver({"approver": "second"})
	_one(_decide([w1, w2]), "license/category", 0).waiver.approver == "first"
}

test_waiver_without_approver_has_null_approver if {
	w := {"model": "org/nc-model", "rule": "pinning/none", "justification": "j", "expires": "2027-01-01"}
	f := _one(_decide([w]), "pinning/none", 0)
	f.waived == true
	f.waiver.approver == null
}

test_run_level_findings_are_never_waived if {
	_one(_decide([_waiver({"model": "*", "rule": "*"})]), "custom/run-level", null).waived == false
}

test_file_findings_keep_their_place if {
	raw := [
		{"rule": "scan/unreadable", "severity": "deny", "message": "m", "ref": null, "file": "src/a.py", "line": 3},
		{"rule": "scan/unreadable", "severity": "deny", "message": "n", "ref": null, "file": "w.pt"},
	]
	fs := waivers.decide(raw, [], [], _today)
	{f | some f in fs} == {
		{"rule": "scan/unreadable", "severity": "deny", "message": "m", "ref": null, "file": "src/a.py", "line": 3, "waived": false, "waiver": null},
		{"rule": "scan/unreadable", "severity": "deny", "message": "n", "ref": null, "file": "w.pt", "line": null, "waived": false, "waiver": null},
	}
}
