# Which configuration changes let more through, for config/changed (rego/aiospo/rules/config_changes/config_changes.rego).
# Paths follow the configuration's shape (aiospo_ci/schemas/config.schema.json).
package aiospo.gate

# Actions from the least to the most strict: a setting moved down this scale is relaxed.
action_rank := {"allow": 0, "info": 1, "warn": 2, "deny": 3}

# fail_on from the least to the most strict.
fail_on_rank := {"never": 0, "deny": 1, "warn": 2}

# Settings whose value is an action.
action_settings := [
	["licenses", "categories", "permissive"],
	["licenses", "categories", "weak-copyleft"],
	["licenses", "categories", "copyleft"],
	["licenses", "categories", "non-commercial"],
	["licenses", "categories", "rail"],
	["licenses", "categories", "community"],
	["licenses", "categories", "unknown"],
	["licenses", "inheritance"],
	["licenses", "undeclared_datasets"],
	["licenses", "dataset_conflict"],
	["pinning", "commit"],
	["pinning", "mutable"],
	["pinning", "none"],
	["vetting", "unmaintained"],
	["vetting", "missing_card"],
	["vetting", "not_found"],
	["vetting", "gated_unapproved"],
	["vetting", "hub_error"],
	["vetting", "unknown_facts"],
	["vetting", "trust_remote_code"],
	["vetting", "pickle_only"],
	["vetting", "unsafe_load"],
	["vetting", "dangerous_file"],
	["vetting", "hub_scan_unsafe"],
	["vetting", "unresolved"],
	["vetting", "drift"],
	["unapproved"],
	["api_models", "unapproved"],
	["config_changed"],
]

# Numbers that let more through as they grow.
raising_limits := [["vetting", "max_days_since_modified"]]

# Lists whose new entries let more through (allowed licenses, approvals, exclusions, waivers).
allowing_lists := [
	["licenses", "allow"],
	["approved_models"],
	["api_models", "providers"],
	["api_models", "models"],
	["exclude"],
	["waivers"],
]

# Lists whose removed entries let more through.
denying_lists := [["licenses", "deny"], ["licenses", "warn"], ["deprecations"]]

# Top-level keys the comparisons above cover; any other key that changes is named as changed.
compared_keys := {
	"licenses", "pinning", "vetting", "unapproved", "api_models", "config_changed", "fail_on",
	"approved_models", "exclude", "waivers", "deprecations",
}
