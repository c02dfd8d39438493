# What the scanner could not resolve: a model name built at run time is a model nobody can
# check before it runs.
package aiospo.rules.scan

import data.aiospo.lib

# METADATA
# title: Model name not resolvable
# description: >-
#   The code passes a model name the scanner could not resolve to a string (an expression,
#   a variable from another module, user input), so no policy can check it.
# custom:
#   id: scan/unresolved
#   severity: info
#   config: vetting.unresolved
findings contains lib.finding("scan/unresolved", action, msg, r.index) if {
	action := lib.setting(["vetting", "unresolved"])
	lib.reported(action)
	some r in input.references
	r.source == "unresolved"
	msg := sprintf("The model loaded by %s is given by the expression `%s`, which cannot be resolved without running the code, so no policy checked it. Use a literal or a module-level constant, or list the possible models in approved_models.", [r.call, r.id])
}
