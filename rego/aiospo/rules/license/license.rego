# License rules: each Hub model's (and dataset's) declared license judged by its category
# and by explicit ids from the configuration, and the obligations of community and rail
# licenses noted so the team knows what it signs up for. Categories come from the catalogue
# in rego/aiospo/catalogue/licenses.rego; actions from rego/aiospo/defaults/defaults.rego and .aiospo.yaml.
package aiospo.rules.license

import data.aiospo.catalogue
import data.aiospo.defaults
import data.aiospo.lib

_category(r) := lib.license_category(r.facts.license, r.facts.license_name, r.facts.license_link)

_label(r) := lib.license_label(r.facts.license, r.facts.license_name)

_explicit(r) if lib.license_listed("deny", r)

_explicit(r) if lib.license_listed("warn", r)

_explicit(r) if lib.license_listed("allow", r)

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
#   unknown and never treated as permissive. One finding per model for the license concern:
#   the message also lists the obligations of community, rail and no-derivatives licenses and
#   names the gate when the model is gated without a recorded approval.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/repositories-licenses
#     description: Licenses the Hugging Face Hub accepts
# custom:
#   id: license/category
#   severity: deny
#   config: licenses.categories, intended_use
findings contains lib.finding("license/category", action, msg, r.index) if {
	some r in input.references
	lib.license_judged(r)
	not _explicit(r)
	category := _category(r)
	action := lib.category_action_for(r, category)
	lib.reported(action)
	msg := sprintf("%s %s; the policy for %s licenses with intended use '%s' is %s. Use a %s under an allowed license, or after legal review allow it with licenses.allow or licenses.categories.%s in .aiospo.yaml.%s", [
		lib.name(r), _why(r, category), category, lib.intended_use, action, r.kind, category, _terms(r),
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
	lib.license_judged(r)
	lib.license_listed("deny", r)
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
	lib.license_judged(r)
	lib.license_listed("warn", r)
	not lib.license_listed("deny", r)
	msg := sprintf("%s is licensed '%s', which licenses.warn in .aiospo.yaml asks to review. Check the license terms against this use, then move the id to licenses.allow or waive the finding.%s", [lib.name(r), _label(r), _terms(r)])
}

_obligations(r) := trim_space(concat("; ", o)) if {
	o := catalogue.licenses[lib.license_id(r.facts.license)].obligations
	count(o) > 0
} else := sprintf("read the license at %s", [r.facts.license_link]) if {
	is_string(r.facts.license_link)
} else := "read the license in the model card"

_notice(r) if _category(r) in defaults.notice_categories

_notice(r) if catalogue.licenses[lib.license_id(r.facts.license)].notice == true

# What the license obliges the team to do, and the gate to record, appended to the license
# finding so the concern is one finding.
_terms(r) := sprintf("%s%s", [_obligations_sentence(r), _gate_sentence(r)])

_obligations_sentence(r) := sprintf(" Using it obliges you to: %s.", [_obligations(r)]) if {
	_notice(r)
} else := ""

_gate_sentence(r) := " It is also gated: once the terms are accepted, record it in approved_models with gated_approval: true." if {
	lib.gated(r)
	not lib.gate_approved(r)
} else := ""

# METADATA
# title: License obligations
# description: >-
#   A model under a community license (Llama, Gemma: usage caps, naming rules,
#   acceptable-use policies), a rail license (OpenRAIL: use restrictions that pass to
#   derivatives) or a license with a no-derivatives clause or other notable terms, which the
#   policy allows, gets a note listing what using it obliges the team to do. When the license
#   is not allowed the obligations are part of the license finding instead (one finding per
#   model and concern).
# related_resources:
#   - ref: https://www.licenses.ai/
#     description: Responsible AI Licenses (RAIL)
# custom:
#   id: license/obligations
#   severity: info
#   config: licenses.obligations
findings contains lib.finding("license/obligations", action, msg, r.index) if {
	some r in input.references
	lib.license_judged(r)
	_notice(r)
	not lib.license_reported(r)
	action := lib.setting_for(r, ["licenses", "obligations"])
	lib.reported(action)
	msg := sprintf("%s is licensed '%s' (%s). Using it obliges you to: %s.", [
		lib.name(r), _label(r), catalogue.category_meaning[_category(r)], _obligations(r),
	])
}
