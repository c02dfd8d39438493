# Helpers shared by the rule packages: settings (configuration over defaults), reference
# selectors, license lookup, glob matching and the finding constructor. No decisions here.
package aiospo.lib

# The data packages are read by their full paths (data.aiospo.defaults, data.aiospo.catalogue),
# not through import aliases: regorus 0.13 resolves an alias read inside a function wrongly
# when a rule calls it (the catalogue looks empty; see tests/engines/test_engine_bugs.py).

# The configuration as written in .aiospo.yaml ({} when there is none).
config := c if {
	c := input.config
	is_object(c)
} else := {}

intended_use := object.get(config, "intended_use", data.aiospo.defaults.settings.intended_use)

# setting(["vetting", "unmaintained"]): the configured value, else the default.
setting(path) := object.get(config, path, object.get(data.aiospo.defaults.settings, path, null))

# The action for a license category: the configuration wins, then the default for the
# intended use, then the general default.
category_action(category) := a if {
	a := config.licenses.categories[category]
} else := a if {
	a := data.aiospo.defaults.by_use[intended_use][category]
} else := data.aiospo.defaults.settings.licenses.categories[category]

# An action that produces a finding (allow produces none).
reported(action) if action in {"deny", "warn", "info"}

# The scope of a reference (runtime, test, example, docs, notebook, script), classified from
# its path by aiospo-ci; a document without one (older or hand-written input) is runtime.
scope(r) := s if {
	s := r.scope
	is_string(s)
} else := "runtime"

# setting_for(r, ["pinning", "none"]): the action for this reference's scope. The
# configuration's by_scope wins, then the configuration's general setting, then the default
# for the scope (defaults.by_scope), then the general default: a team that sets a rule's
# action explicitly gets it everywhere unless it says otherwise per scope.
setting_for(r, path) := v if {
	v := object.get(config, array.concat(["by_scope", scope(r)], path), null)
	v != null
} else := v if {
	v := object.get(config, path, null)
	v != null
} else := v if {
	v := object.get(data.aiospo.defaults.by_scope, array.concat([scope(r)], path), null)
	v != null
} else := object.get(data.aiospo.defaults.settings, path, null)

# The action for a reference's license category: by_scope in the configuration, else as
# category_action. No scope relaxes a license by default: a license binds wherever the model
# is downloaded.
category_action_for(r, category) := a if {
	a := config.by_scope[scope(r)].licenses.categories[category]
} else := category_action(category)

# A reference whose license the Hub told us, and a gated repo the token cannot read: its
# license is then what the gate page shows, or unknown, and unknown is judged, never passed.
license_judged(r) if hub_ok(r)

license_judged(r) if {
	r.source == "huggingface"
	r.facts.status == "gated"
}

# The names a license answers to in licenses.allow/warn/deny: its id, and for `other` its
# license_name (so `mrl` can be listed).
license_names(r) := {n | n := license_id(r.facts.license); n != ""} | {lower(n) | n := r.facts.license_name; is_string(n)}

license_listed(key, r) if {
	some n in license_names(r)
	n in {lower(x) | some x in setting(["licenses", key])}
}

# What the license policy does with a reference's own license: an id listed in
# licenses.deny/warn/allow first, else the action for its category.
license_action(r) := "deny" if {
	license_listed("deny", r)
} else := "warn" if {
	license_listed("warn", r)
} else := "allow" if {
	license_listed("allow", r)
} else := category_action_for(r, license_category(r.facts.license, r.facts.license_name, r.facts.license_link))

# The license rules report this reference (so its message carries the licence's terms, the
# obligations and the gate, one finding for the concern).
license_reported(r) if {
	license_judged(r)
	reported(license_action(r))
}

# The repository is gated: its publisher makes each user accept terms before download
# (read by the access and license rules).
gated(r) if r.facts.status == "gated"

gated(r) if {
	r.facts.status == "ok"
	r.facts.gated in {"auto", "manual"}
}

# The organisation recorded that it accepted the model's gate (approved_models).
gate_approved(r) if {
	some entry in setting(["approved_models"])
	some id in ids(r)
	matches(entry.id, id)
	entry.gated_approval == true
}

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
	c := data.aiospo.catalogue.licenses[id].category
} else := c if {
	license_id(license) == "other"
	c := _other_category(license_name, license_link)
} else := "unknown"

_other_category(license_name, license_link) := c if {
	is_string(license_name)
	c := data.aiospo.catalogue.other_names[lower(license_name)]
	c != "permissive"
} else := c if {
	is_string(license_link)
	found := {cat | cat := data.aiospo.catalogue.other_links[fragment]; contains(license_link, fragment)}
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
