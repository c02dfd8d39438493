# What each rule does when .aiospo.yaml says nothing. This object has the same shape as the
# configuration (aiospo_ci/schemas/config.schema.json): the rules read a setting from
# input.config first and fall back to the same path here (see data.aiospo.lib.setting).
# Actions: deny fails the check, warn reports, info notes, allow says nothing.
package aiospo.defaults

settings := {
	"intended_use": "commercial",
	"licenses": {
		"categories": {
			"permissive": "allow",
			"weak-copyleft": "warn",
			"copyleft": "warn",
			"non-commercial": "deny",
			"rail": "warn",
			"community": "warn",
			"unknown": "deny",
		},
		"allow": [],
		"warn": [],
		"deny": [],
		"inheritance": "warn",
		"undeclared_datasets": "info",
		"dataset_conflict": "warn",
		"obligations": "info",
	},
	# Datasets are pinned for reproducibility, not safety: loading one runs no code from its
	# repository, so an unpinned dataset warns where an unpinned model denies.
	"pinning": {
		"commit": "allow", "mutable": "warn", "none": "deny",
		"datasets": {"commit": "allow", "mutable": "info", "none": "warn"},
	},
	"vetting": {
		# Three years: see docs/policies.md (widely used, finished models had their last commit
		# 630 to 1,019 days before the demo's date; weights do not rot).
		"max_days_since_modified": 1095,
		"unmaintained": "warn",
		"missing_card": "warn",
		"not_found": "deny",
		"gated_unapproved": "warn",
		"hub_error": "warn",
		"unknown_facts": "warn",
		"trust_remote_code": "deny",
		"pickle_only": "warn",
		"unsafe_load": "warn",
		"dangerous_file": "deny",
		"hub_scan_unsafe": "deny",
		"unresolved": "info",
		"unreadable": "deny",
		"unresolved_argument": "warn",
		"suspicious_file": "warn",
		"drift": "warn",
	},
	"approved_models": [],
	"unapproved": "warn",
	"deprecations": [],
	"api_models": {"providers": [], "models": [], "unapproved": "warn"},
	"waivers": [],
	# A pull request that changes the configuration, aiospo.lock or the policies (the Action's
	# config/changed; read from the base branch's configuration).
	"config_changed": "warn",
}

# Stricter defaults in CI (input.run.ci: CI or GITHUB_ACTIONS set), for keys .aiospo.yaml does
# not set: a model whose facts nobody could fetch fails the check in CI, where the verdict gates
# a merge, and only warns on a developer's machine, where the network may simply be down.
in_ci := {"vetting": {"unknown_facts": "deny", "hub_error": "deny"}}

# Category actions that depend on the intended use, applied when the configuration does not
# set licenses.categories.<category> itself. Copyleft obligations trigger on distribution,
# which internal use and research do not do; non-commercial licenses pass for research only.
by_use := {
	"commercial": {},
	"internal": {"weak-copyleft": "info", "copyleft": "info"},
	"research": {"weak-copyleft": "info", "copyleft": "info", "non-commercial": "info"},
}

# Categories whose obligations are named in the license finding (or, when the license is
# allowed, noted by license/obligations).
notice_categories := {"community", "rail"}

# Actions that relax outside shipped code, applied when the configuration sets neither
# by_scope.<scope>.<path> nor <path> itself. Tests, examples, docs, notebooks and scripts do
# not run in production: an unpinned model there is noted, a branch pin and an old or
# undocumented model are not worth a finding. Licenses, security and access are not relaxed:
# a license binds wherever a model is downloaded, and code a model runs on load runs in CI.
_outside_runtime := {
	"pinning": {"none": "info", "mutable": "allow", "datasets": {"none": "allow", "mutable": "allow"}},
	"vetting": {"unmaintained": "allow", "missing_card": "allow"},
}

by_scope := {
	"runtime": {},
	"test": _outside_runtime,
	"example": _outside_runtime,
	"docs": _outside_runtime,
	"notebook": _outside_runtime,
	"script": _outside_runtime,
}

# The calls through which a repository fine-tunes or publishes a model (training configs,
# adapters, its own model card): there, the base model's undeclared training data becomes
# the team's question. A model used as it is carries its publisher's license, and nearly
# every large model leaves its data undeclared, so a note on each would be noise.
fine_tune_calls := {
	"yaml:base_model", "yaml:model_name_or_path", "yaml:base_model_name_or_path",
	"json:base_model", "json:model_name_or_path", "json:base_model_name_or_path",
	"toml:base_model", "toml:model_name_or_path", "toml:base_model_name_or_path",
	"model-card:base_model", "unsloth.FastLanguageModel.from_pretrained",
}
