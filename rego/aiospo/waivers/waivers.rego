# The configuration's waivers: which findings they waive, and notes on the waivers themselves
# (expired, invalid). A waived finding is reported as waived, never hidden; an expired waiver
# stops applying and says so. The logic is a pure function (decide) of the raw findings, the
# waivers, the references and the date, so it is tested without `with`. aiospo.main calls it.
package aiospo.waivers

import data.aiospo.lib

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
# one); a rule that leaves out `ref` speaks about the run, and a finding about a file
# (lib.file_finding) that names no line is about the whole file.
_base(f) := object.union(object.union({"ref": null}, _place(f)), f)

_place(f) := {"line": null} if {
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
