# The one decision aiospo-ci asks for: data.aiospo.main.findings.
#
# It collects the `findings` of every package directly under data.aiospo.rules (the library's
# and any user policy declared as `package aiospo.rules.<name>`), normalises each to
# {rule, severity, message, ref, waived, waiver} and applies the configuration's waivers.
# A waived finding is reported as waived, never hidden; an expired waiver stops applying
# and says so. The waiver logic is a pure function (decide) so it is tested without `with`.
package aiospo.main

import data.aiospo.lib

# Every finding of every rule package, as the package wrote it. Arrays, not sets, from here
# on: each package's set is already free of duplicates, and rego-cpp builds large sets of
# objects slowly. The engines' answers are sorted by aiospo-ci before use.
raw := [f |
	some pkg
	f := data.aiospo.rules[pkg].findings[_]
]

waivers := w if {
	w := lib.config.waivers
	is_array(w)
} else := []

findings := without_held_back(decide(raw, waivers, input.references, input.today))

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

# A model whose license the policy denies (and no waiver keeps) must be replaced: warnings and
# notes about keeping it (weights format, maintenance, model card, training data, branch pins)
# are held back until a waiver keeps it, and then they appear. Other denials still show, each
# fails the check on its own; waived findings and waiver notes are never held back. Holding a
# warning back never changes the verdict: the model's license denial already fails the check.
without_held_back(decided) := [f |
	denied := {g.ref | some g in decided; _license_denial(g)}
	some f in decided
	not _held_back(f, denied)
]

_license_denial(g) if {
	startswith(g.rule, "license/")
	g.severity == "deny"
	g.waived == false
	is_number(g.ref)
}

_held_back(f, denied) if {
	f.severity != "deny"
	f.waived == false
	not startswith(f.rule, "waiver/")
	f.ref in denied
}

# The fields of the finding contract; a user rule that leaves out `ref` speaks about the run.
_base(f) := object.union(
	{
		"rule": f.rule,
		"severity": f.severity,
		"message": f.message,
		"ref": object.get(f, "ref", null),
	},
	_place(f),
)

# A finding about a file (lib.file_finding) keeps its file and line.
_place(f) := {"file": f.file, "line": object.get(f, "line", null)} if {
	is_string(f.file)
} else := {}

# The waiver is bound in the body, not indexed in the head: regorus 0.13 evaluates a head
# `list[i]` (i bound in the body) of a function with `else` as every element of the list.
_decided(f, waiver_list, active, ids) := object.union(_base(f), {"waived": true, "waiver": _waiver_object(w)}) if {
	i := _waiver_for(f, active, ids)
	w := waiver_list[i]
} else := object.union(_base(f), {"waived": false, "waiver": null})

# A waiver must say why and until when (the configuration schema requires both as well).
_valid(w) if {
	is_string(w.model)
	is_string(w.rule)
	is_string(w.justification)
	trim_space(w.justification) != ""
	is_string(w.expires)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, w.expires)
}

# Dates are compared as YYYY-MM-DD strings; a waiver is good through its expiry day.
_expired(w, today) if {
	_valid(w)
	w.expires < today
}

# A waiver covers a finding about a reference whose id (or renamed id) matches the waiver's
# model pattern, for a rule matching its rule pattern. ids: reference index -> its ids.
_covers(w, f, ids) if {
	is_number(f.ref)
	lib.matches(w.rule, f.rule)
	some id in ids[f.ref]
	lib.matches(w.model, id)
}

# The first active waiver (in configuration order) that covers a finding.
_waiver_for(f, active, ids) := min(candidates) if {
	count(active) > 0
	candidates := {pair[0] | some pair in active; _covers(pair[1], f, ids)}
	count(candidates) > 0
}

_waiver_object(w) := {
	"justification": w.justification,
	"approver": object.get(w, "approver", null),
	"expires": w.expires,
}

_waiver_findings(raw_findings, waiver_list, refs, today) := (_expired_notes(raw_findings, waiver_list, refs, today) | _unused_expired_notes(raw_findings, waiver_list, refs, today)) | _invalid_notes(waiver_list)

_describe(w) := sprintf("The waiver for rule '%s' on model '%s' (approved by %s, justification: %s)", [
	w.rule, w.model, _text(object.get(w, "approver", "nobody")), w.justification,
])

# METADATA
# title: Expired waiver
# description: >-
#   A waiver whose expiry date has passed no longer applies: the findings it covered count
#   again. This note names the waiver so it can be renewed (with a new review) or removed.
# related_resources:
#   - ref: https://github.com/aiospo/aiospo-ci/blob/main/docs/policies.md#waivers
#     description: Waivers in docs/policies.md
# custom:
#   id: waiver/expired
#   severity: info
_expired_notes(raw_findings, waiver_list, refs, today) := {lib.finding("waiver/expired", "info", msg, f.ref) |
	ids := _ids_by_index(refs)
	some w in waiver_list
	_expired(w, today)
	some f in raw_findings
	_covers(w, f, ids)
	msg := sprintf("%s expired on %s and no longer applies to %s, so the finding counts again. Renew it with a new expiry date after a fresh review, or remove it from waivers in .aiospo.yaml.", [
		_describe(w), w.expires, trim_space(f.rule),
	])
}

_unused_expired_notes(raw_findings, waiver_list, refs, today) := {lib.finding("waiver/expired", "info", msg, null) |
	ids := _ids_by_index(refs)
	some w in waiver_list
	_expired(w, today)
	not _covers_any(w, raw_findings, ids)
	msg := sprintf("%s expired on %s; it matches no finding today. Remove it from waivers in .aiospo.yaml.", [_describe(w), w.expires])
}

_covers_any(w, raw_findings, ids) if {
	some f in raw_findings
	_covers(w, f, ids)
}

# METADATA
# title: Invalid waiver
# description: >-
#   Every waiver needs a model pattern, a rule pattern, a justification and an expiry date
#   (YYYY-MM-DD); one without them is a configuration error and waives nothing.
# custom:
#   id: waiver/invalid
#   severity: deny
_invalid_notes(waiver_list) := {lib.finding("waiver/invalid", "deny", msg, null) |
	w := waiver_list[i]
	not _valid(w)
	msg := sprintf("Waiver #%d in .aiospo.yaml (model '%s', rule '%s') is missing a model, a rule, a justification or an expiry date (YYYY-MM-DD), so it waives nothing. Add the missing fields.", [
		i + 1, _text(object.get(w, "model", "")), _text(object.get(w, "rule", "")),
	])
}

# trim_space: regopy (rego-cpp 1.5.2) quotes a string that passed through a function when
# sprintf formats it ('"nobody"'); trim_space gives it back plain, on every engine alike.
_text(x) := trim_space(x) if {
	is_string(x)
} else := "?"
