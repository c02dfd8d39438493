# A pull request that changes the files deciding the gate (the configuration and its waivers,
# aiospo.lock, the policy folders, the baseline of accepted findings) is judged by rules its own
# author wrote. The GitHub Action lists those changes in input.run (changed_policy_files,
# base_config, head_config, changed_lock_entries, changed_baseline_entries, config_from); this
# package says so, with what was relaxed, so nothing is relaxed unseen. The severity comes from
# the base branch's configuration: the pull request cannot lower it for itself.
package aiospo.rules.config_changes

import data.aiospo.lib

_run := r if {
	r := input.run
	is_object(r)
} else := {}

# The Action fills these fields on pull requests only.
_pull_request if "config_from" in object.keys(_run)

_head := c if {
	c := _run.head_config
	is_object(c)
} else := lib.config

_setting(cfg, path) := object.get(cfg, path, object.get(data.aiospo.defaults.settings, path, null))

_rank(action) := r if {
	r := data.aiospo.gate.action_rank[action]
} else := 3

# The action for config/changed: the base branch's setting; when the base is unknown, the
# stricter of the pull request's and the default.
_action := a if {
	is_object(_run.base_config)
	a := _setting(_run.base_config, ["config_changed"])
} else := a if {
	head := _setting(_head, ["config_changed"])
	default_action := data.aiospo.defaults.settings.config_changed
	_rank(head) >= _rank(default_action)
	a := head
} else := data.aiospo.defaults.settings.config_changed

# trim_space around concat: rego-cpp quotes a concat result that goes straight into sprintf.
_label(path) := trim_space(concat(".", path))

_relaxed_actions(base, head) := [sprintf("%s %s → %s", [_label(p), b, h]) |
	some p in data.aiospo.gate.action_settings
	b := _setting(base, p)
	h := _setting(head, p)
	is_string(b)
	is_string(h)
	_rank(h) < _rank(b)
]

_relaxed_fail_on(base, head) := [sprintf("fail_on %s → %s", [b, h]) |
	b := _setting(base, ["fail_on"])
	h := _setting(head, ["fail_on"])
	data.aiospo.gate.fail_on_rank[h] < data.aiospo.gate.fail_on_rank[b]
]

_raised_limits(base, head) := [sprintf("%s %v → %v", [_label(p), b, h]) |
	some p in data.aiospo.gate.raising_limits
	b := _setting(base, p)
	h := _setting(head, p)
	is_number(b)
	is_number(h)
	h > b
]

_entry_name(path, e) := sprintf("%s for %s", [e.model, e.rule]) if {
	path == ["waivers"]
	is_object(e)
} else := e.id if {
	is_object(e)
	is_string(e.id)
} else := e if {
	is_string(e)
} else := json.marshal(e)

_list(cfg, path) := l if {
	l := _setting(cfg, path)
	is_array(l)
} else := []

_added_entries(base, head) := [sprintf("%s adds %s", [_label(p), trim_space(concat(", ", added))]) |
	some p in data.aiospo.gate.allowing_lists
	before := _list(base, p)
	added := [_entry_name(p, e) | some e in _list(head, p); not e in before]
	count(added) > 0
]

_removed_entries(base, head) := [sprintf("%s removes %s", [_label(p), trim_space(concat(", ", removed))]) |
	some p in data.aiospo.gate.denying_lists
	after := _list(head, p)
	removed := [_entry_name(p, e) | some e in _list(base, p); not e in after]
	count(removed) > 0
]

_other_changes(base, head) := [sprintf("%s changed", [k]) |
	some k in sort(object.keys(base) | object.keys(head))
	not k in data.aiospo.gate.compared_keys
	object.get(base, k, null) != object.get(head, k, null)
]

# What a configuration change relaxes, as short phrases.
relaxations(base, head) := array.concat(
	array.concat(array.concat(_relaxed_actions(base, head), _relaxed_fail_on(base, head)), _raised_limits(base, head)),
	array.concat(array.concat(_added_entries(base, head), _removed_entries(base, head)), _other_changes(base, head)),
)

_config_text(f) := sprintf("%s (%s; the base branch's configuration is unknown, so what it relaxes cannot be told)", [f.path, f.status]) if {
	not is_object(_run.base_config)
} else := sprintf("%s (%s; relaxes: %s)", [f.path, f.status, trim_space(concat("; ", found))]) if {
	found := relaxations(_run.base_config, _head)
	count(found) > 0
} else := sprintf("%s (%s; no relaxed setting found)", [f.path, f.status])

_lock_text(f) := sprintf("%s (%s; recorded facts changed for %s)", [f.path, f.status, trim_space(concat(", ", entries))]) if {
	is_array(_run.changed_lock_entries)
	entries := [sprintf("%s: %s %s", [e.id, e.change, trim_space(concat(" ", e.fields))]) | some e in _run.changed_lock_entries]
	count(entries) > 0
} else := sprintf("%s (%s)", [f.path, f.status])

_file_text(f) := _config_text(f) if {
	f.kind == "config"
} else := _lock_text(f) if {
	f.kind == "lockfile"
} else := sprintf("baseline %s (%s)", [f.path, f.status]) if {
	f.kind == "baseline"
} else := sprintf("policy %s (%s)", [f.path, f.status])

_entry_text(e) := sprintf("%s for %s in %s", [e.model, e.rule, e.path]) if {
	is_string(e.model)
	is_string(e.rule)
	is_string(e.path)
} else := e.fingerprint

# Findings the pull request's baseline accepts and the base branch's does not: each would pass
# as if waived. Listed whichever file holds them (the configuration may name another baseline).
_baseline_texts := [sprintf("the baseline accepts %d more finding(s), which then do not fail the check: %s", [count(added), trim_space(concat("; ", added))])] if {
	entries := _run.changed_baseline_entries
	is_array(entries)
	count(entries) > 0
	added := [_entry_text(e) | some e in entries]
} else := ["what the baseline accepts could not be compared with the base branch's (a baseline could not be read)"] if {
	_run.changed_baseline_entries == null
	some f in _run.changed_policy_files
	f.kind in {"baseline", "config"}
} else := []

_tail := "It was judged with the base branch's configuration, lockfile, policies and baseline (config_from: base), so these changes did not apply to this run." if {
	_run.config_from == "base"
} else := "It was judged with these changes: review them, or set `config_from: base` in the workflow to judge with the base branch's configuration, lockfile, policies and baseline."

_known_changes := array.concat(
	[_file_text(f) |
		files := _run.changed_policy_files
		is_array(files)
		some f in files
	],
	_baseline_texts,
)

# [severity, message], or undefined when there is nothing to say.
_decision := [a, msg] if {
	_pull_request
	count(_known_changes) > 0
	a := _severity
	msg := sprintf("This pull request changes files that decide the gate: %s. %s", [trim_space(concat("; ", _known_changes)), _tail])
} else := [_action, msg] if {
	_pull_request
	_run.changed_policy_files == null
	_run.config_from != "base"
	msg := "Which files this pull request changes could not be read (no merge base in the checkout and no answer from the API), so a change to the configuration, aiospo.lock or the policies cannot be ruled out. Check out with `fetch-depth: 0`, or set `config_from: base` in the workflow."
}

_severity := "info" if {
	_run.config_from == "base"
} else := _action

# METADATA
# title: Pull request changes the gate's own files
# description: >-
#   The pull request changes the configuration (waivers included), aiospo.lock, a policy
#   folder or the baseline, so it would be judged by rules its author wrote. The finding lists
#   each change and what it relaxes (the findings a baseline newly accepts included); with the
#   Action's `config_from: base` the base branch's files judge it instead and this is a note.
#   The severity is read from the base branch's configuration.
# custom:
#   id: config/changed
#   severity: warn
#   config: config_changed (from the base branch), the Action's config_from
findings contains lib.finding("config/changed", decision[0], decision[1], null) if {
	decision := _decision
	lib.reported(decision[0])
}
