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
	msg := _unresolved_message(r)
}

_unresolved_message(r) := sprintf("%s loads `%s` from %s's own registry with pretrained weights; the library picks the Hub repository at run time, so no policy checked it. Name the repository (hf-hub:org/name, or name.tag for timm) to have it checked.", [r.call, r.id, r.detail.registry]) if {
	is_string(r.detail.registry)
} else := sprintf("The model loaded by %s is given by the expression `%s`, which cannot be resolved without running the code, so no policy checked it. Use a literal or a module-level constant, or list the possible models in approved_models.", [r.call, r.id])

# METADATA
# title: File not read
# description: >-
#   A file, or a part of one, that may name a model could not be read: it does not parse, it
#   is too large, it ran out of its time or memory budget, it is not valid text, or a committed
#   weight file is too large, too compressed or malformed to scan. Whatever it names was not
#   checked, so the gate does not pass it unseen.
# related_resources:
#   - ref: https://github.com/aiospo/aiospo-ci/blob/main/docs/scanning.md
#     description: What the scanner reads, its budgets, and how unread files are judged
# custom:
#   id: scan/unreadable
#   severity: deny
#   config: vetting.unreadable
findings contains f if {
	action := lib.setting(["vetting", "unreadable"])
	lib.reported(action)
	some u in input.unread
	msg := sprintf("%s was not read in full (%s: %s), so any model it names was not checked. %s", [u.file, u.cause, u.reason, _advice(u.cause)])
	f := object.union(lib.file_finding("scan/unreadable", action, msg, u.file), _line(u))
}

_line(u) := {"line": u.line} if is_number(u.line) else := {}

_advice(cause) := "Replace it with a safetensors file, list it under exclude in .aiospo.yaml, or set vetting.unreadable." if {
	startswith(cause, "weights-")
} else := "Split or shorten it, list it under exclude in .aiospo.yaml if it is data, or set vetting.unreadable." if {
	cause in {"size", "budget"}
} else := "Fix the file (or the scanner: report it), list it under exclude in .aiospo.yaml, or set vetting.unreadable."

# METADATA
# title: Load argument not resolvable
# description: >-
#   trust_remote_code, use_safetensors or revision is passed a value the scanner cannot resolve
#   (a variable from elsewhere, a flag or environment variable that can change it at run time),
#   so the load cannot be judged as safe: the argument may turn on remote code, pickle weights
#   or an unpinned revision when the code runs.
# custom:
#   id: scan/unresolved-argument
#   severity: warn
#   config: vetting.unresolved_argument
findings contains lib.finding("scan/unresolved-argument", action, msg, r.index) if {
	action := lib.setting(["vetting", "unresolved_argument"])
	lib.reported(action)
	some r in input.references
	args := [sprintf("%s=%s", [name, _expression(r, name)]) | some name in _unresolved_arguments; sprintf("%s_unresolved", [name]) in r.flags]
	count(args) > 0
	# concat, not sprintf("%s"): rego-cpp quotes a string built by concat when sprintf formats it
	msg := concat("", [r.id, " is loaded by ", r.call, " with ", concat(", ", args), ", which cannot be resolved without running the code, so it was not judged safe. Pass a literal (True/False, a commit sha) or a module-level constant."])
}

_unresolved_arguments := ["trust_remote_code", "use_safetensors", "revision"]

_expression(r, name) := e if {
	e := r.detail[sprintf("%s_expression", [name])]
} else := sprintf("$%s", [r.detail[sprintf("%s_overridable_by", [name])]]) if {
	is_string(r.detail[sprintf("%s_overridable_by", [name])])
} else := "<an expression>"

# METADATA
# title: Committed model file with unknown imports
# description: >-
#   A pickle-based weight file committed to the repository imports callables that are neither
#   known safe (tensors, numpy arrays) nor known dangerous: loading it runs code from those
#   modules, which nobody reviewed.
# related_resources:
#   - ref: https://github.com/mmaitre314/picklescan
#     description: picklescan
# custom:
#   id: scan/suspicious-file
#   severity: warn
#   config: vetting.suspicious_file
findings contains lib.finding("scan/suspicious-file", action, msg, r.index) if {
	action := lib.setting(["vetting", "suspicious_file"])
	lib.reported(action)
	some r in input.references
	r.source == "file"
	is_string(r.detail.suspicious_globals)
	msg := sprintf("%s is a committed model file whose pickle imports %s, which picklescan does not know to be safe; loading it runs that code. Review what these are, or store the model as safetensors.", [r.id, r.detail.suspicious_globals])
}
