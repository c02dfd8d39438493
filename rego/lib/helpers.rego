# Helpers shared by the rule packages: settings (configuration over defaults), reference
# selectors, license lookup, glob matching and the finding constructor. No decisions here.
package aiospo.lib

import data.aiospo.catalogue
import data.aiospo.defaults

# The configuration as written in .aiospo.yaml ({} when there is none).
config := c if {
	c := input.config
	is_object(c)
} else := {}

intended_use := object.get(config, "intended_use", defaults.settings.intended_use)

# setting(["vetting", "unmaintained"]): the configured value, else the default.
setting(path) := object.get(config, path, object.get(defaults.settings, path, null))

# The action for a license category: the configuration wins, then the default for the
# intended use, then the general default.
category_action(category) := a if {
	a := config.licenses.categories[category]
} else := a if {
	a := defaults.by_use[intended_use][category]
} else := defaults.settings.licenses.categories[category]

# An action that produces a finding (allow produces none).
reported(action) if action in {"deny", "warn", "info"}

finding(rule, action, message, ref) := {"rule": rule, "severity": action, "message": message, "ref": ref}

# A finding about a file rather than a reference (a file the scanner could not read): reports
# place it at `file`.
file_finding(rule, action, message, file) := {"rule": rule, "severity": action, "message": message, "ref": null, "file": file}

# A Hub reference whose facts the Hub answered.
hub_ok(r) if {
	r.source == "huggingface"
	r.facts.status == "ok"
}

# The reference as people know it: the id in the code, and the new id for a renamed repo.
name(r) := sprintf("%s (now %s)", [r.id, r.facts.canonical_id]) if {
	is_string(r.facts.canonical_id)
	r.facts.canonical_id != r.id
} else := r.id

# The ids a reference answers to when matched against approvals, waivers and deprecations.
ids(r) := {r.id} | {c | c := r.facts.canonical_id; is_string(c)}

# Glob matching with only `*` and `?` (no delimiters, so `org/*` matches `org/name`).
# Patterns with other glob syntax match literally: an invalid pattern such as `a[` makes OPA
# fail while rego-cpp answers undefined, so it never reaches glob.match.
matches(pattern, value) if pattern == value

matches(pattern, value) if {
	regex.match(`[*?]`, pattern)
	not regex.match(`[\[\]{}\\]`, pattern)
	glob.match(pattern, null, value)
}

matches_any(patterns, value) if {
	some p in patterns
	matches(p, value)
}

# The license id in lower case, "" when the Hub gave none.
license_id(license) := lower(license) if {
	is_string(license)
} else := ""

# The category of a license (from the catalogue; `other` judged by its name or link).
license_category(license, license_name, license_link) := c if {
	id := license_id(license)
	id != "other"
	c := catalogue.licenses[id].category
} else := c if {
	license_id(license) == "other"
	c := _other_category(license_name, license_link)
} else := "unknown"

_other_category(license_name, license_link) := c if {
	is_string(license_name)
	c := catalogue.other_names[lower(license_name)]
	c != "permissive"
} else := c if {
	is_string(license_link)
	found := {cat | cat := catalogue.other_links[fragment]; contains(license_link, fragment)}
	count(found) == 1
	some c in found
	c != "permissive"
} else := "unknown"

# What the message calls a license: the id, and the name for `other`.
license_label(license, license_name) := sprintf("other (%s)", [license_name]) if {
	license_id(license) == "other"
	is_string(license_name)
} else := license if {
	is_string(license)
	license != ""
} else := "none declared"
