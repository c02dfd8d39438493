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
	},
	"pinning": {"commit": "allow", "mutable": "warn", "none": "deny"},
	"vetting": {
		"max_days_since_modified": 365,
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
}

# Category actions that depend on the intended use, applied when the configuration does not
# set licenses.categories.<category> itself. Copyleft obligations trigger on distribution,
# which internal use and research do not do; non-commercial licenses pass for research only.
by_use := {
	"commercial": {},
	"internal": {"weak-copyleft": "info", "copyleft": "info"},
	"research": {"weak-copyleft": "info", "copyleft": "info", "non-commercial": "info"},
}

# Categories whose obligations are always noted (license/obligations), whatever the action.
notice_categories := {"community", "rail"}
