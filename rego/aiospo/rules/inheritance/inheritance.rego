# License inheritance: a fine-tune or merge cannot shed the terms of the model it was built
# from. A model whose declared license is less restrictive than an ancestor's (from the
# base_model lineage the Hub stage collected) is flagged.
package aiospo.rules.inheritance

import data.aiospo.catalogue
import data.aiospo.lib

# METADATA
# title: License looser than an ancestor's
# description: >-
#   A model declares a license less restrictive than a model it was derived from (its
#   base_model chain): for instance a Llama fine-tune published as apache-2.0. The
#   ancestor's terms still bind its users. Categories are ranked permissive < weak-copyleft <
#   copyleft = rail = community < non-commercial; unknown licenses are not compared.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/model-cards#specifying-a-base-model
#     description: base_model in model cards
# custom:
#   id: license/inheritance
#   severity: warn
#   config: licenses.inheritance
findings contains lib.finding("license/inheritance", action, msg, r.index) if {
	some r in input.references
	lib.hub_ok(r)
	own := lib.license_category(r.facts.license, r.facts.license_name, r.facts.license_link)
	some a in r.facts.lineage
	theirs := lib.license_category(a.license, a.license_name, null)
	catalogue.restrictiveness[own] < catalogue.restrictiveness[theirs]
	action := lib.setting_for(r, ["licenses", "inheritance"])
	lib.reported(action)
	msg := sprintf("%s declares license '%s' (%s) but is derived from %s (depth %d), licensed '%s' (%s); the ancestor's terms still apply. Treat the model as licensed '%s', or ask its publisher to correct the license.", [
		lib.name(r), lib.license_label(r.facts.license, r.facts.license_name), own,
		a.id, a.depth, lib.license_label(a.license, a.license_name), theirs,
		lib.license_label(a.license, a.license_name),
	])
}
