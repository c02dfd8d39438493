# The approved-models registry (approved_models in .aiospo.yaml): which Hub models the
# organisation reviewed, who owns each, for which uses, until when, and under which license.
package aiospo.rules.registry

import data.aiospo.lib

_registry := lib.setting(["approved_models"])

# The registry entries matching each governed reference, computed once per run (index -> list).
_matching := {r.index: entries |
	some r in input.references
	_governed(r)
	ids := lib.ids(r)
	entries := [e | some e in _registry; _matches_any_id(e.id, ids)]
}

_matches_any_id(pattern, ids) if {
	some id in ids
	lib.matches(pattern, id)
}

_entries(r) := _matching[r.index]

# The entry that governs a reference: the first one naming it exactly, else the first glob.
_entry(r) := e if {
	ids := lib.ids(r)
	exact := [x | some x in _entries(r); x.id in ids]
	count(exact) > 0
	e := exact[0]
} else := e if {
	globs := _entries(r)
	count(globs) > 0
	e := globs[0]
}

_governed(r) if {
	r.source == "huggingface"
	r.kind == "model"
}

# METADATA
# title: Model not in the approved registry
# description: >-
#   approved_models lists the Hub models the organisation reviewed; a model absent from it
#   warns (or denies, per `unapproved`). Nothing is flagged while the registry is empty.
# custom:
#   id: registry/unapproved
#   severity: warn
#   config: approved_models, unapproved
findings contains lib.finding("registry/unapproved", action, msg, r.index) if {
	count(_registry) > 0
	action := lib.setting(["unapproved"])
	lib.reported(action)
	some r in input.references
	_governed(r)
	count(_entries(r)) == 0
	msg := sprintf("%s is not in approved_models, so nobody has reviewed it for this organisation. Request a review and add it (with an owner and a review date) to approved_models in .aiospo.yaml.", [lib.name(r)])
}

# METADATA
# title: Model approved for other uses
# description: The registry entry lists allowed uses and the configuration's intended_use is not one of them.
# custom:
#   id: registry/use-not-approved
#   severity: warn
#   config: approved_models[].uses, intended_use, unapproved
findings contains lib.finding("registry/use-not-approved", action, msg, r.index) if {
	action := lib.setting(["unapproved"])
	lib.reported(action)
	some r in input.references
	_governed(r)
	e := _entry(r)
	is_array(e.uses)
	count(e.uses) > 0
	not lib.intended_use in e.uses
	msg := sprintf("%s is approved only for %s use, not for '%s'. Ask its owner (%s) to extend the approval, or use an approved model.", [lib.name(r), trim_space(concat(", ", e.uses)), lib.intended_use, _owner(e)])
}

# METADATA
# title: Review overdue
# description: The registry entry's review_by date has passed; the approval needs renewing.
# custom:
#   id: registry/review-overdue
#   severity: warn
#   config: approved_models[].review_by
findings contains lib.finding("registry/review-overdue", "warn", msg, r.index) if {
	some r in input.references
	_governed(r)
	e := _entry(r)
	is_string(e.review_by)
	e.review_by < input.today
	msg := sprintf("%s was due for review on %s (owner: %s). Review it again and move review_by forward in approved_models.", [lib.name(r), e.review_by, _owner(e)])
}

# METADATA
# title: License changed since approval
# description: >-
#   The registry entry approved the model under one license and the Hub now declares another:
#   relicensing upstream needs a new review.
# custom:
#   id: registry/license-changed
#   severity: warn
#   config: approved_models[].license
findings contains lib.finding("registry/license-changed", "warn", msg, r.index) if {
	some r in input.references
	_governed(r)
	lib.hub_ok(r)
	e := _entry(r)
	is_string(e.license)
	lower(e.license) != lib.license_id(r.facts.license)
	msg := sprintf("%s was approved under license '%s' but the Hub now declares '%s'. Review the new license (owner: %s) and update approved_models.", [lib.name(r), e.license, lib.license_label(r.facts.license, r.facts.license_name), _owner(e)])
}

_owner(e) := e.owner if {
	is_string(e.owner)
} else := "none recorded"
