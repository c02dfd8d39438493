# Example custom policy: every model used by production code (files under src/) needs an
# owner recorded in the approved-models registry, so someone answers for it.
#
#   approved_models:
#     - id: meta-llama/Llama-3.1-8B-Instruct
#       owner: ml-platform@example.com
#
# Notebooks and scripts outside src/ are left alone. Change _production_prefixes to match
# your layout.
package aiospo.rules.src_owner

import data.aiospo.lib

_production_prefixes := ["src/"]

_production(r) if {
	some prefix in _production_prefixes
	startswith(r.file, prefix)
}

_owned(r) if {
	some entry in lib.setting(["approved_models"])
	some id in lib.ids(r)
	lib.matches(entry.id, id)
	is_string(entry.owner)
	trim_space(entry.owner) != ""
}

# METADATA
# title: Production model without an owner
# description: >-
#   A model loaded by code under src/ has no approved_models entry with an owner, so nobody
#   is accountable for its license, updates and incidents.
# custom:
#   id: owner/missing
#   severity: deny
findings contains lib.finding("owner/missing", "deny", msg, r.index) if {
	some r in input.references
	r.source == "huggingface"
	r.kind == "model"
	_production(r)
	not _owned(r)
	msg := sprintf("%s is used in production code (%s) but has no owner in approved_models. Add an entry with owner: <team or person> to .aiospo.yaml.", [lib.name(r), r.file])
}
