# The one decision aiospo-ci asks for: data.aiospo.main.findings.
#
# It collects the `findings` of every package directly under data.aiospo.rules (the library's
# and any user policy declared as `package aiospo.rules.<name>`), normalises each to
# {rule, severity, message, ref, waived, waiver} and applies the configuration's waivers.
# A waived finding is reported as waived, never hidden; an expired waiver stops applying
# and says so (waivers.rego). The waiver logic is a pure function (decide) so it is tested
# without `with`.
package aiospo.main

import data.aiospo.lib

# Every finding of every rule package, as the package wrote it. Arrays, not sets, from here
# on: each package's set is already free of duplicates, and rego-cpp builds large sets of
# objects slowly. The engines' answers are sorted by aiospo-ci before use.
raw := [f |
	some pkg
	_rule_package(pkg)
	fs := data.aiospo.rules[pkg].findings
	_collection(fs)
	some f in fs
	_keeps_contract(f)
]

waivers := w if {
	w := lib.config.waivers
	is_array(w)
} else := []

findings := array.concat(decide(raw, waivers, input.references, input.today), broken)

# What breaks the finding contract is passed on, never dropped: aiospo-ci stops with an error
# (exit 2) naming the package and the problem. The fields a finding may carry are checked by
# aiospo-ci against aiospo_ci/schemas/finding.schema.json, the one list of them.
broken := array.concat(
	[{"package": pkg, "problem": "not_a_collection", "findings": fs} |
		some pkg
		_rule_package(pkg)
		fs := data.aiospo.rules[pkg].findings
		not _collection(fs)
	],
	[{"package": pkg, "problem": _problem(f), "finding": f} |
		some pkg
		_rule_package(pkg)
		fs := data.aiospo.rules[pkg].findings
		_collection(fs)
		some f in fs
		not _keeps_contract(f)
	],
)

# A rule package's tests sit beside it as aiospo.rules.<name>_test (loaded only by policy
# test); their helpers are not findings.
_rule_package(pkg) if not endswith(pkg, "_test")

_collection(fs) if is_set(fs)

_collection(fs) if is_array(fs)

_keeps_contract(f) if {
	is_object(f)
	is_string(f.rule)
	not _sets_waiver(f)
}

# waived and waiver are this package's to set, after the configuration's waivers.
_sets_waiver(f) if "waived" in object.keys(f)

_sets_waiver(f) if "waiver" in object.keys(f)

_problem(f) := "not_an_object" if {
	not is_object(f)
} else := "sets_waiver" if {
	_sets_waiver(f)
} else := "no_rule"

# The decision for a set of raw findings, given the waivers, the references and the date.
# The ids of each reference and the active waivers are computed once, so each finding costs
# a lookup (passing the references to a per-finding function is slow in rego-cpp).
decide(raw_findings, waiver_list, refs, today) := array.concat(
	[out |
		ids := _ids_by_index(refs)
		active := [[i, w] | w := waiver_list[i]; _valid(w); w.expires >= today]
		some f in raw_findings
		out := _decided(f, waiver_list, active, ids)
	],
	[object.union(f, {"waived": false, "waiver": null}) |
		some f in _waiver_findings(raw_findings, waiver_list, refs, today)
	],
)

_ids_by_index(refs) := {r.index: lib.ids(r) | some r in refs}

# A finding as its rule wrote it, every field kept (aiospo-ci refuses a missing or unknown
# one); a rule that leaves out `ref` speaks about the run.
_base(f) := object.union({"ref": null}, f)

# The waiver is bound in the body, not indexed in the head: regorus 0.13 evaluates a head
# `list[i]` (i bound in the body) of a function with `else` as every element of the list.
_decided(f, waiver_list, active, ids) := object.union(_base(f), {"waived": true, "waiver": _waiver_object(w)}) if {
	i := _waiver_for(f, active, ids)
	w := waiver_list[i]
} else := object.union(_base(f), {"waived": false, "waiver": null})
