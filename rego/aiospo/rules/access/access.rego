# Access: can the model still be fetched, and did anybody accept its gate? Also the Hub
# answers that were no answer (errors, unknown facts): the policies judge them rather than
# letting them pass silently.
package aiospo.rules.access

import data.aiospo.defaults
import data.aiospo.lib

_hub(r) if {
	r.source == "huggingface"
	r.kind != "metric" # an evaluation module (evaluate.load): listed, not judged as a model
}

# METADATA
# title: Repository not found
# description: >-
#   The Hub answered that the repository does not exist: deleted, renamed without a redirect,
#   never existed, or private without access. The code will fail to load it.
# custom:
#   id: access/not-found
#   severity: deny
#   config: vetting.not_found
findings contains lib.finding("access/not-found", action, msg, r.index) if {
	action := lib.setting(["vetting", "not_found"])
	lib.reported(action)
	some r in input.references
	_hub(r)
	r.facts.status == "not_found"
	msg := sprintf("%s was not found on the Hub (deleted, misspelt, or private without access), so this code cannot load it. Fix the id or replace the model; for a private model set HF_TOKEN.", [r.id])
}

# METADATA
# title: Repository disabled
# description: The Hub disabled the repository (for example after a takedown); it cannot be downloaded.
# custom:
#   id: access/disabled
#   severity: deny
#   config: vetting.not_found
findings contains lib.finding("access/disabled", action, msg, r.index) if {
	action := lib.setting(["vetting", "not_found"])
	lib.reported(action)
	some r in input.references
	_hub(r)
	_disabled(r)
	msg := sprintf("%s has been disabled by the Hub, usually after a takedown or policy violation, so it cannot be downloaded. Replace it.", [r.id])
}

_disabled(r) if r.facts.status == "disabled"

_disabled(r) if {
	r.facts.status == "ok"
	r.facts.disabled == true
}

# METADATA
# title: Gated model without a recorded approval
# description: >-
#   The model is gated: its publisher makes each user accept terms before download. The
#   organisation should record that it accepted them (approved_models with
#   gated_approval: true), so the terms were read by someone entitled to accept them. When
#   the license rules report the model, the gate is named in their finding instead; an
#   automatic gate on a model whose license the policy allows is not flagged.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/models-gated
#     description: Gated models
# custom:
#   id: access/gated-unapproved
#   severity: warn
#   config: vetting.gated_unapproved, approved_models[].gated_approval
findings contains lib.finding("access/gated-unapproved", action, msg, r.index) if {
	action := lib.setting(["vetting", "gated_unapproved"])
	lib.reported(action)
	some r in input.references
	_hub(r)
	lib.gated(r)
	not lib.gate_approved(r)
	_gate_not_covered(r)
	msg := sprintf("%s is gated: its publisher requires accepting terms before download, and no approval is recorded. Have the terms reviewed, then add it to approved_models with gated_approval: true.", [lib.name(r)])
}

# The gate is a finding of its own only where nothing else covers it: when the license rules
# report the model, their finding names the gate (one finding per model for its terms); an
# automatic gate in front of a license the policy allows asks for contact details, not for
# terms the organisation must accept.
_gate_not_covered(r) if {
	not lib.license_reported(r)
	not r.facts.gated == "auto"
}

# The action for facts nobody could fetch: the configuration's, else the stricter default in
# CI (data.aiospo.defaults.in_ci), else the general default.
_unfetched_action(name) := a if {
	a := lib.config.vetting[name]
} else := a if {
	input.run.ci == true
	a := defaults.in_ci.vetting[name]
} else := lib.setting(["vetting", name])

# METADATA
# title: Hub error
# description: >-
#   The Hub could not be asked about the model (timeout, rate limit, server error) and the
#   run went on (hub.on_error: fail_open). Nothing is known about its license or safety, so
#   in CI (CI or GITHUB_ACTIONS set) it is denied unless vetting.hub_error says otherwise.
# custom:
#   id: hub/error
#   severity: warn
#   config: vetting.hub_error
findings contains lib.finding("hub/error", action, msg, r.index) if {
	action := _unfetched_action("hub_error")
	lib.reported(action)
	some r in input.references
	_hub(r)
	r.facts.status == "error"
	msg := sprintf("%s could not be checked: the Hub gave no answer (%s), so its license and safety are unknown. Re-run when the Hub is reachable, or record its facts in aiospo.lock.", [r.id, _error(r)])
}

_error(r) := r.facts.error if {
	is_string(r.facts.error)
} else := "no reason given"

# METADATA
# title: Facts unknown
# description: >-
#   Neither the lockfile nor the cache knows the model and the Hub was not asked (offline) or
#   did not answer in time (the pre-commit hook's budget), so none of its facts could be
#   judged. Denied in CI (CI or GITHUB_ACTIONS set), a warning elsewhere, unless
#   vetting.unknown_facts says otherwise.
# custom:
#   id: hub/unknown
#   severity: warn
#   config: vetting.unknown_facts
findings contains lib.finding("hub/unknown", action, msg, r.index) if {
	action := _unfetched_action("unknown_facts")
	lib.reported(action)
	some r in input.references
	_hub(r)
	_unknown(r)
	msg := sprintf("%s could not be judged: neither aiospo.lock nor the Hub cache knows it, and the Hub was not asked (offline) or did not answer in time. Run `aiospo-ci lock` with network so aiospo.lock records it.", [r.id])
}

_unknown(r) if r.facts.status == "unknown"

_unknown(r) if r.facts == null
