# Example custom policy: only models published by organisations on an allow-list.
#
# Load it with `aiospo-ci check --policy examples/policies` (or policy_dirs in .aiospo.yaml)
# and configure it under custom.org_allowlist (its keys are checked against config.schema.json
# beside this file, so a misspelt key is an error rather than a rule that quietly turns off):
#
#   custom:
#     org_allowlist:
#       allowed_orgs: [google-bert, meta-llama, mistralai, sentence-transformers]
#       action: deny      # or warn, info, allow; default deny
#
# Because the package sits directly under aiospo.rules, rego/aiospo/main/main.rego picks its findings up
# (and applies waivers to them) with no code change, and every report format shows them.
package aiospo.rules.org_allowlist

import data.aiospo.lib

_settings := s if {
	s := lib.config.custom.org_allowlist
	is_object(s)
} else := {}

_allowed := {lower(o) | some o in object.get(_settings, "allowed_orgs", [])}

_action := object.get(_settings, "action", "deny")

# The organisation that publishes a model: the part before '/' of its canonical id (a legacy
# bare id such as `gpt2` has none until the Hub tells us where it moved).
_org(r) := lower(org) if {
	id := _canonical(r)
	contains(id, "/")
	org := split(id, "/")[0]
} else := ""

_canonical(r) := r.facts.canonical_id if {
	is_string(r.facts.canonical_id)
} else := r.id

# METADATA
# title: Model from an organisation outside the allow-list
# description: >-
#   Every Hugging Face model must come from an organisation listed in custom.org_allowlist.allowed_orgs.
#   A model without an organisation (a legacy bare id the Hub did not resolve) is flagged too.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/organizations
#     description: Organisations on the Hugging Face Hub
# custom:
#   id: org/not-allowed
#   severity: deny
#   config: custom.org_allowlist.action (deny by default)
findings contains lib.finding("org/not-allowed", _action, msg, r.index) if {
	count(_allowed) > 0
	lib.reported(_action)
	some r in input.references
	r.source == "huggingface"
	r.kind == "model"
	not _org(r) in _allowed
	msg := sprintf("%s is published by '%s', which is not in custom.org_allowlist.allowed_orgs. Use a model from an approved organisation, or ask the OSPO to add this one.", [lib.name(r), _org_label(r)])
}

# trim_space: rego-cpp 1.5.2 quotes a string computed by a builtin (lower, split, concat)
# when it is formatted with sprintf %s; passing it through trim_space avoids that.
_org_label(r) := trim_space(o) if {
	o := _org(r)
	o != ""
} else := "no organisation"
