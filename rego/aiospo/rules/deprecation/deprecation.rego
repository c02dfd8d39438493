# Deprecations (deprecations in .aiospo.yaml): models the organisation is retiring, each with
# a sunset date and a replacement. Before the sunset a warning names the replacement; from
# the sunset day on, using the model is denied.
package aiospo.rules.deprecation

import data.aiospo.lib

# The first deprecation (in configuration order) that names the reference; a function must
# have one value, so overlapping entries (a glob and an exact id) never conflict.
_deprecation(r) := matching[0] if {
	matching := [d | some d in lib.setting(["deprecations"]); _deprecation_names(d.id, r)]
	count(matching) > 0
}

_deprecation_names(pattern, r) if {
	some id in lib.ids(r)
	lib.matches(pattern, id)
}

_replacement(d) := sprintf("Move to %s", [d.replacement]) if {
	is_string(d.replacement)
} else := "Move to a supported model"

_reason(d) := sprintf(" (%s)", [d.reason]) if {
	is_string(d.reason)
} else := ""

# METADATA
# title: Deprecated model, sunset ahead
# description: The model is deprecated and its sunset date is still ahead; the warning names the replacement.
# custom:
#   id: deprecation/upcoming
#   severity: warn
#   config: deprecations
findings contains lib.finding("deprecation/upcoming", "warn", msg, r.index) if {
	some r in input.references
	d := _deprecation(r)
	input.today < d.sunset
	msg := sprintf("%s is deprecated%s and will be denied from %s. %s before then.", [r.id, _reason(d), d.sunset, _replacement(d)])
}

# METADATA
# title: Deprecated model past its sunset
# description: The model's sunset date has arrived; using it is denied.
# custom:
#   id: deprecation/sunset
#   severity: deny
#   config: deprecations
findings contains lib.finding("deprecation/sunset", "deny", msg, r.index) if {
	some r in input.references
	d := _deprecation(r)
	input.today >= d.sunset
	msg := sprintf("%s was retired on %s%s. %s.", [r.id, d.sunset, _reason(d), _replacement(d)])
}
