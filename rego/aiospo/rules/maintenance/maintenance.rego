# Maintenance: is anybody looking after the model? Measured by the last commit and the model
# card, never by popularity: downloads and likes do not make a model maintained.
package aiospo.rules.maintenance

import data.aiospo.lib

# METADATA
# title: Not maintained
# description: >-
#   A model repository has had no commit for longer than vetting.max_days_since_modified days
#   (default 1095, three years: weights do not rot, and widely used finished models still get
#   card, config and safetensors updates within that time). Datasets are never flagged: their
#   published files need no upkeep. Outside runtime code it is silent by default. Day counts
#   are computed against the run's date (input.today) by aiospo-ci.
# custom:
#   id: maintenance/stale
#   severity: warn
#   config: vetting.unmaintained, vetting.max_days_since_modified, by_scope
findings contains lib.finding("maintenance/stale", action, msg, r.index) if {
	some r in input.references
	r.kind == "model"
	lib.hub_ok(r)
	days := r.facts.days_since_modified
	is_number(days)
	limit := lib.setting_for(r, ["vetting", "max_days_since_modified"])
	days > limit
	action := lib.setting_for(r, ["vetting", "unmaintained"])
	lib.reported(action)
	msg := sprintf("%s has had no commit for %d days (the limit is %d), so nobody is likely to fix what is found in it. Prefer a maintained alternative, or raise vetting.max_days_since_modified if that is acceptable.", [lib.name(r), days, limit])
}

# METADATA
# title: No model card
# description: >-
#   The repository has no README model card: no documented intended use, limitations,
#   training data or evaluation.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/model-cards
#     description: Model cards
# custom:
#   id: maintenance/missing-card
#   severity: warn
#   config: vetting.missing_card, by_scope
findings contains lib.finding("maintenance/missing-card", action, msg, r.index) if {
	some r in input.references
	lib.hub_ok(r)
	r.facts.card_present == false
	action := lib.setting_for(r, ["vetting", "missing_card"])
	lib.reported(action)
	msg := sprintf("%s has no model card, so its intended use, limitations and training data are undocumented. Choose a documented model or record a review and waive this finding.", [lib.name(r)])
}
