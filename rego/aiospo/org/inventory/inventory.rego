# The organisation's inventory page (`aiospo-ci inventory merge --format html`): what the
# policies say about each model the organisation uses. input.references holds one reference
# per model (no file or line: the page shows those), input.config the organisation's
# configuration. The license and deprecation rules a check runs are asked as they are; this
# package only gathers their answers for the page and decides nothing itself.
package aiospo.org.inventory

import data.aiospo.lib
import data.aiospo.rules.deprecation
import data.aiospo.rules.license

# METADATA
# title: License category per Hub reference
# description: >-
#   [index, category] for each Hub reference whose license the Hub told (status ok, or gated
#   with a license), from the catalogue as the license rules read it.
categories := [[r.index, lib.license_category(r.facts.license, r.facts.license_name, r.facts.license_link)] |
	some r in input.references
	r.source == "huggingface"
	_license_known(r)
]

_license_known(r) if r.facts.status == "ok"

_license_known(r) if {
	r.facts.status == "gated"
	is_string(r.facts.license)
}

# METADATA
# title: Deprecations naming each reference
# description: >-
#   [index, position, entry] for every configured deprecation that names the reference (its
#   id or canonical id, globs allowed), so the page can show the first one in configuration
#   order, the one the deprecation rules apply.
deprecations := [[r.index, i, d] |
	some r in input.references
	d := lib.setting(["deprecations"])[i] # `some i, d in` inside a comprehension does not parse in rego-cpp
	_deprecation_names_ref(d, r)
]

_deprecation_names_ref(d, r) if {
	some id in lib.ids(r)
	lib.matches(d.id, id)
}

# METADATA
# title: The page's view
# description: >-
#   The license and deprecation rules' findings as [ref, severity] pairs, with the categories
#   and deprecations above: everything the page shows about the policies, in one answer.
view := {
	"license": [[f.ref, f.severity] | some f in license.findings],
	"deprecation": [[f.ref, f.severity] | some f in deprecation.findings],
	"categories": categories,
	"deprecations": deprecations,
}
