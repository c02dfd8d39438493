# Revision pinning: a Hub reference should name the exact commit it was reviewed at, so an
# upstream push cannot change what runs.
package aiospo.rules.pinning

import data.aiospo.lib

_hub(r) if {
	r.source == "huggingface"
	r.kind != "metric" # an evaluation module (evaluate.load): listed, not judged as a model
}

# The pinning settings for a reference: models under pinning, datasets under pinning.datasets
# (a dataset runs no code on load: pinning it is about reproducibility), per scope.
_action(r, level) := lib.setting_for(r, ["pinning", level]) if {
	r.kind != "dataset"
} else := lib.setting_for(r, ["pinning", "datasets", level])

_scope_note(r) := "" if {
	lib.scope(r) == "runtime"
} else := sprintf(" (in %s code)", [lib.scope(r)])

# METADATA
# title: No revision pinned
# description: >-
#   A Hub reference without revision= follows the default branch: whatever is pushed next is
#   what runs. Denied for models in shipped code; datasets (pinning.datasets) warn; outside
#   runtime code (tests, examples, docs, notebooks, scripts) a note. `aiospo-ci fix` pins it.
# related_resources:
#   - ref: https://huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained.revision
#     description: The revision argument of from_pretrained
# custom:
#   id: pinning/none
#   severity: deny
#   config: pinning.none, pinning.datasets.none, by_scope
findings contains lib.finding("pinning/none", action, msg, r.index) if {
	some r in input.references
	_hub(r)
	r.pin == "none"
	action := _action(r, "none")
	lib.reported(action)
	msg := sprintf("%s is loaded without a revision%s, so any upstream push changes what runs. Pin it with revision=\"%s\" (aiospo-ci fix does it).", [lib.name(r), _scope_note(r), _commit_hint(r)])
}

# METADATA
# title: Revision is a branch or tag
# description: >-
#   revision= names a branch, tag or short hash: it can move, so the reviewed weights are not
#   guaranteed. Warns for models in shipped code, a note for datasets, silent outside runtime.
# custom:
#   id: pinning/mutable
#   severity: warn
#   config: pinning.mutable, pinning.datasets.mutable, by_scope
findings contains lib.finding("pinning/mutable", action, msg, r.index) if {
	some r in input.references
	_hub(r)
	r.pin == "mutable"
	action := _action(r, "mutable")
	lib.reported(action)
	msg := sprintf("%s is pinned to '%s'%s, a branch, tag or short hash that can move. Pin the full commit: revision=\"%s\" (aiospo-ci fix does it).", [lib.name(r), r.revision, _scope_note(r), _commit_hint(r)])
}

# METADATA
# title: Revision pinned to a commit
# description: >-
#   revision= is a full 40-character commit. Allowed by default; set pinning.commit to info
#   to list pinned references.
# custom:
#   id: pinning/commit
#   severity: info
#   config: pinning.commit, pinning.datasets.commit, by_scope
findings contains lib.finding("pinning/commit", action, msg, r.index) if {
	some r in input.references
	_hub(r)
	r.pin == "commit"
	action := _action(r, "commit")
	lib.reported(action)
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
