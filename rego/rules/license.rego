# License rules: each Hub model's (and dataset's) declared license judged by its category
# and by explicit ids from the configuration, and the obligations of community and rail
# licenses noted so the team knows what it signs up for. Categories come from the catalogue
# in rego/data/licenses.rego; actions from rego/data/defaults.rego and .aiospo.yaml.
package aiospo.rules.license

import data.aiospo.catalogue
import data.aiospo.defaults
import data.aiospo.lib

# A reference whose license the Hub told us, and a gated repo the token cannot read: its
# license is then unknown (or what the gate page shows), and unknown is judged, never passed.
_judged(r) if lib.hub_ok(r)

_judged(r) if {
	r.source == "huggingface"
	r.facts.status == "gated"
}

_category(r) := lib.license_category(r.facts.license, r.facts.license_name, r.facts.license_link)

_label(r) := lib.license_label(r.facts.license, r.facts.license_name)

# The names a license answers to in licenses.allow/warn/deny: its id, and for `other` its
# license_name (so `mrl` can be listed).
_names(r) := {n | n := lib.license_id(r.facts.license); n != ""} | {lower(n) | n := r.facts.license_name; is_string(n)}

_listed(key, r) if {
	some n in _names(r)
	n in {lower(x) | some x in lib.setting(["licenses", key])}
}

_explicit(r) if _listed("deny", r)

_explicit(r) if _listed("warn", r)

_explicit(r) if _listed("allow", r)

_why(r, "unknown") := "is gated and the token in use cannot read it, so its license is unknown" if {
	r.facts.status == "gated"
	lib.license_id(r.facts.license) == ""
} else := "declares no license" if {
	lib.license_id(r.facts.license) == ""
} else := sprintf("declares license '%s', which no policy can judge without a human reading it", [_label(r)]) if {
	lib.license_id(r.facts.license) in {"other", "unknown", "cc"}
} else := sprintf("declares license '%s', which is not in the license catalogue", [_label(r)])

_why(r, category) := sprintf("is licensed '%s' (%s)", [_label(r), catalogue.category_meaning[category]]) if category != "unknown"

# METADATA
# title: License category
# description: >-
#   Judges a model's or dataset's declared license by its category (permissive, weak-copyleft,
#   copyleft, non-commercial, rail, community, unknown). The action per category comes from
#   licenses.categories, else the default for the intended use (non-commercial passes only
#   for research; copyleft is noted, not warned, for internal use and research). A missing
#   license, `unknown`, and `other` without a recognised license_name/license_link are
#   unknown and never treated as permissive.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/repositories-licenses
#     description: Licenses the Hugging Face Hub accepts
# custom:
#   id: license/category
#   severity: deny
#   config: licenses.categories, intended_use
findings contains lib.finding("license/category", action, msg, r.index) if {
	some r in input.references
	_judged(r)
	not _explicit(r)
	category := _category(r)
	action := lib.category_action(category)
	lib.reported(action)
	msg := sprintf("%s %s; the policy for %s licenses with intended use '%s' is %s. Use a %s under an allowed license, or after legal review allow it with licenses.allow or licenses.categories.%s in .aiospo.yaml.", [
		lib.name(r), _why(r, category), category, lib.intended_use, action, r.kind, category,
	])
}

# METADATA
# title: Denied license
# description: >-
#   A license id (or the license_name of an `other` license) listed in licenses.deny is
#   denied whatever its category.
# custom:
#   id: license/denied-id
#   severity: deny
#   config: licenses.deny
findings contains lib.finding("license/denied-id", "deny", msg, r.index) if {
	some r in input.references
	_judged(r)
	_listed("deny", r)
	msg := sprintf("%s is licensed '%s', which licenses.deny in .aiospo.yaml forbids. Replace the model with one under an accepted license.", [lib.name(r), _label(r)])
}

# METADATA
# title: License on the warn list
# description: A license id listed in licenses.warn warns whatever its category.
# custom:
#   id: license/warned-id
#   severity: warn
#   config: licenses.warn
findings contains lib.finding("license/warned-id", "warn", msg, r.index) if {
	some r in input.references
	_judged(r)
	_listed("warn", r)
	not _listed("deny", r)
	msg := sprintf("%s is licensed '%s', which licenses.warn in .aiospo.yaml asks to review. Check the license terms against this use, then move the id to licenses.allow or waive the finding.", [lib.name(r), _label(r)])
}

_obligations(r) := trim_space(concat("; ", o)) if {
	o := catalogue.licenses[lib.license_id(r.facts.license)].obligations
	count(o) > 0
} else := sprintf("read the license at %s", [r.facts.license_link]) if {
	is_string(r.facts.license_link)
} else := "read the license in the model card"

_notice(r) if _category(r) in defaults.notice_categories

_notice(r) if catalogue.licenses[lib.license_id(r.facts.license)].notice == true

# METADATA
# title: License obligations
# description: >-
#   Every model under a community license (Llama, Gemma: usage caps, naming rules,
#   acceptable-use policies) or a rail license (OpenRAIL: use restrictions that pass to
#   derivatives), or with a no-derivatives clause, gets a note listing what using it obliges
#   the team to do, whatever the category's action.
# related_resources:
#   - ref: https://www.licenses.ai/
#     description: Responsible AI Licenses (RAIL)
# custom:
#   id: license/obligations
#   severity: info
findings contains lib.finding("license/obligations", "info", msg, r.index) if {
	some r in input.references
	_judged(r)
	_notice(r)
	msg := sprintf("%s is licensed '%s' (%s). Using it obliges you to: %s.", [
		lib.name(r), _label(r), catalogue.category_meaning[_category(r)], _obligations(r),
	])
}
