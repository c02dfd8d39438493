# Data provenance: which datasets a model says it was trained on, and whether their
# licenses allow the intended use.
package aiospo.rules.provenance

import data.aiospo.defaults
import data.aiospo.lib

_datasets(r) := d if {
	d := r.facts.datasets
	is_array(d)
} else := []

# METADATA
# title: Training datasets not declared
# description: >-
#   A model this repository fine-tunes or publishes a derivative of (a training config's
#   base model, an adapter's base, its own model card's base_model) names no training datasets
#   in its card, so the data's licenses and origin, which the derivative inherits, cannot be
#   checked. Models used as they are are not flagged: nearly every large model leaves its data
#   undeclared, and its own license is what binds the user.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/model-cards#specifying-a-dataset
#     description: datasets in model cards
# custom:
#   id: provenance/undeclared-datasets
#   severity: info
#   config: licenses.undeclared_datasets
findings contains lib.finding("provenance/undeclared-datasets", action, msg, r.index) if {
	some r in input.references
	r.kind == "model"
	r.call in defaults.fine_tune_calls
	lib.hub_ok(r)
	count(_datasets(r)) == 0
	action := lib.setting_for(r, ["licenses", "undeclared_datasets"])
	lib.reported(action)
	msg := sprintf("%s is fine-tuned or built on here but does not declare its training datasets in its model card, so the licenses and origin of the data your derivative inherits cannot be checked. Ask the publisher, or record what you know in approved_models and waive this finding.", [lib.name(r)])
}

# METADATA
# title: Training dataset license conflicts with the intended use
# description: >-
#   A declared training dataset is under a license whose category the policy denies for the
#   intended use (for instance a non-commercial dataset behind a commercial product), or its
#   license is on licenses.deny. Datasets of unknown license are not flagged here.
# custom:
#   id: provenance/dataset-license
#   severity: warn
#   config: licenses.dataset_conflict
findings contains lib.finding("provenance/dataset-license", action, msg, r.index) if {
	some r in input.references
	lib.hub_ok(r)
	some d in r.facts.dataset_facts
	d.status == "ok"
	category := lib.license_category(d.license, null, null)
	_conflicts(d, category)
	action := lib.setting_for(r, ["licenses", "dataset_conflict"])
	lib.reported(action)
	msg := sprintf("%s was trained on dataset %s, licensed '%s' (%s), which the policy does not accept for intended use '%s'. Confirm the model's own license covers this use, or choose a model trained on compatible data.", [
		lib.name(r), d.id, d.license, category, lib.intended_use,
	])
}

_conflicts(_, category) if {
	category != "unknown"
	lib.category_action(category) == "deny"
}

_conflicts(d, _) if {
	is_string(d.license)
	lower(d.license) in {lower(x) | some x in lib.setting(["licenses", "deny"])}
}
