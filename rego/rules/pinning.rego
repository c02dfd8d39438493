# Revision pinning: a Hub reference should name the exact commit it was reviewed at, so an
# upstream push cannot change what runs.
package aiospo.rules.pinning

import data.aiospo.lib

_hub(r) if {
	r.source == "huggingface"
	r.kind != "metric" # an evaluation module (evaluate.load): listed, not judged as a model
}

# METADATA
# title: No revision pinned
# description: >-
#   A Hub reference without revision= follows the default branch: whatever is pushed next is
#   what runs.
# related_resources:
#   - ref: https://huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained.revision
#     description: The revision argument of from_pretrained
# custom:
#   id: pinning/none
#   severity: deny
#   config: pinning.none
findings contains lib.finding("pinning/none", action, msg, r.index) if {
	action := lib.setting(["pinning", "none"])
	lib.reported(action)
	some r in input.references
	_hub(r)
	r.pin == "none"
	msg := sprintf("%s is loaded without a revision, so any upstream push changes what runs. Pin it with revision=\"%s\".", [lib.name(r), _commit_hint(r)])
}

# METADATA
# title: Revision is a branch or tag
# description: >-
#   revision= names a branch, tag or short hash: it can move, so the reviewed weights are not
#   guaranteed.
# custom:
#   id: pinning/mutable
#   severity: warn
#   config: pinning.mutable
findings contains lib.finding("pinning/mutable", action, msg, r.index) if {
	action := lib.setting(["pinning", "mutable"])
	lib.reported(action)
	some r in input.references
	_hub(r)
	r.pin == "mutable"
	msg := sprintf("%s is pinned to '%s', a branch, tag or short hash that can move. Pin the full commit: revision=\"%s\".", [lib.name(r), r.revision, _commit_hint(r)])
}

# METADATA
# title: Revision pinned to a commit
# description: >-
#   revision= is a full 40-character commit. Allowed by default; set pinning.commit to info
#   to list pinned references.
# custom:
#   id: pinning/commit
#   severity: info
#   config: pinning.commit
findings contains lib.finding("pinning/commit", action, msg, r.index) if {
	action := lib.setting(["pinning", "commit"])
	lib.reported(action)
	some r in input.references
	_hub(r)
	r.pin == "commit"
	msg := sprintf("%s is pinned to commit %s.", [lib.name(r), r.revision])
}

# METADATA
# title: Pinned revision does not exist
# description: The Hub has no branch, tag or commit with the revision the code asks for.
# custom:
#   id: pinning/revision-not-found
#   severity: deny
findings contains lib.finding("pinning/revision-not-found", "deny", msg, r.index) if {
	some r in input.references
	_hub(r)
	r.facts.revision_status == "not_found"
	msg := sprintf("%s asks for revision '%s', which does not exist on the Hub, so loading it fails. Fix the revision, for example revision=\"%s\".", [lib.name(r), r.revision, _commit_hint(r)])
}

# The commit to suggest: the one the revision resolved to, else the head the Hub reported.
_commit_hint(r) := r.facts.resolved_commit if {
	is_string(r.facts.resolved_commit)
} else := r.facts.sha if {
	is_string(r.facts.sha)
} else := "<40-character commit sha>"
