# The one decision aiospo-ci asks for: data.aiospo.main.findings.
#
# It collects the `findings` of every package directly under data.aiospo.rules (the library's
# and any user policy declared as `package aiospo.rules.<name>`), passes on what breaks the
# finding contract, applies the configuration's waivers (data.aiospo.waivers) and holds back
# the warnings and notes of a model whose license is denied.
package aiospo.main

import data.aiospo.lib

# Every finding of every rule package, as the package wrote it. Arrays, not sets, from here
# on: each package's set is already free of duplicates, and rego-cpp builds large sets of
# objects slowly. The engines' answers are sorted by aiospo-ci before use.
raw := [f |
	some pkg
	_rule_package(pkg)
	fs := data.aiospo.rules[pkg].findings
	_collection(fs)
	some f in fs
	_keeps_contract(f)
]

waivers := w if {
	w := lib.config.waivers
	is_array(w)
} else := []

findings := array.concat(without_held_back(data.aiospo.waivers.decide(raw, waivers, input.references, input.today)), broken)

# What breaks the finding contract is passed on, never dropped: aiospo-ci stops with an error
# (exit 2) naming the package and the problem. The fields a finding may carry are checked by
# aiospo-ci against aiospo_ci/schemas/finding.schema.json, the one list of them.
broken := array.concat(
	[{"package": pkg, "problem": "not_a_collection", "findings": fs} |
		some pkg
		_rule_package(pkg)
		fs := data.aiospo.rules[pkg].findings
		not _collection(fs)
	],
	[{"package": pkg, "problem": _problem(f), "finding": f} |
		some pkg
		_rule_package(pkg)
		fs := data.aiospo.rules[pkg].findings
		_collection(fs)
		some f in fs
		not _keeps_contract(f)
	],
)

# A rule package's tests sit beside it as aiospo.rules.<name>_test (loaded only by policy
# test); their helpers are not findings.
_rule_package(pkg) if not endswith(pkg, "_test")

_collection(fs) if is_set(fs)

_collection(fs) if is_array(fs)

_keeps_contract(f) if {
	is_object(f)
	is_string(f.rule)
	not _sets_waiver(f)
}

# waived and waiver are this package's to set, after the configuration's waivers.
_sets_waiver(f) if "waived" in object.keys(f)

_sets_waiver(f) if "waiver" in object.keys(f)

_problem(f) := "not_an_object" if {
	not is_object(f)
} else := "sets_waiver" if {
	_sets_waiver(f)
} else := "no_rule"

# A model whose license the policy denies (and no waiver keeps) must be replaced: warnings and
# notes about keeping it (weights format, maintenance, model card, training data, branch pins)
# are held back until a waiver keeps it, and then they appear. Other denials still show, each
# fails the check on its own; waived findings and waiver notes are never held back. Holding a
# warning back never changes the verdict: the model's license denial already fails the check.
without_held_back(decided) := [f |
	denied := {g.ref | some g in decided; _license_denial(g)}
	some f in decided
	not _held_back(f, denied)
]

_license_denial(g) if {
	startswith(g.rule, "license/")
	g.severity == "deny"
	g.waived == false
	is_number(g.ref)
}

# Only a warning or a note is held back: any other severity breaks the contract and is refused.
_held_back(f, denied) if {
	f.severity in {"warn", "info"}
	f.waived == false
	not startswith(f.rule, "waiver/")
	f.ref in denied
}
