# Drift against aiospo.lock: the lockfile records what was reviewed (commit, license, gate);
# a model that changed upstream since then needs a new look.
package aiospo.rules.drift

import data.aiospo.lib

_locked_commit(r) := c if {
	c := r.locked.resolved_commit
	is_string(c)
} else := c if {
	c := r.locked.sha
	is_string(c)
}

_current_commit(r) := c if {
	c := r.facts.resolved_commit
	is_string(c)
} else := c if {
	c := r.facts.sha
	is_string(c)
}

# METADATA
# title: License changed since the lockfile
# description: The Hub declares a different license from the one recorded in aiospo.lock.
# custom:
#   id: drift/license
#   severity: warn
#   config: vetting.drift
findings contains lib.finding("drift/license", action, msg, r.index) if {
	some r in input.references
	lib.hub_ok(r)
	is_object(r.locked)
	r.locked.license != r.facts.license
	action := lib.setting_for(r, ["vetting", "drift"])
	lib.reported(action)
	msg := sprintf("%s was locked under license '%s' but the Hub now declares '%s'. Review the new license, then refresh aiospo.lock.", [
		lib.name(r), lib.license_label(r.locked.license, null), lib.license_label(r.facts.license, r.facts.license_name),
	])
}

# METADATA
# title: Model changed since the lockfile
# description: >-
#   An unpinned or branch-pinned reference now resolves to a different commit from the one
#   recorded in aiospo.lock: the weights changed upstream.
# custom:
#   id: drift/commit
#   severity: warn
#   config: vetting.drift
findings contains lib.finding("drift/commit", action, msg, r.index) if {
	some r in input.references
	lib.hub_ok(r)
	r.pin != "commit"
	is_object(r.locked)
	old := _locked_commit(r)
	new := _current_commit(r)
	old != new
	action := lib.setting_for(r, ["vetting", "drift"])
	lib.reported(action)
	msg := sprintf("%s changed upstream: aiospo.lock recorded commit %s, the Hub now has %s. Review the change, pin revision=\"%s\" or refresh aiospo.lock.", [lib.name(r), old, new, old])
}
