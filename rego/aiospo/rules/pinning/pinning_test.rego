package aiospo.rules.pinning_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.pinning

_eval_pinning(config, fields) := fs if {
	fs := pinning.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.ref("org/m", {}, fields)]
}

test_unpinned_is_denied_and_suggests_the_head_commit if {
	fs := _eval_pinning({}, {"pin": "none", "revision": null})
	some f in fs
	f.rule == "pinning/none"
	f.severity == "deny"
	contains(f.message, "1111111111111111111111111111111111111111")
}

test_branch_pin_warns if {
	fx.has(_eval_pinning({}, {"pin": "mutable", "revision": "main"}), "pinning/mutable", "warn", 0)
}

test_commit_pin_passes_by_default if {
	count(_eval_pinning({}, {})) == 0
}

test_levels_are_configurable if {
	fx.has(_eval_pinning({"pinning": {"mutable": "deny"}}, {"pin": "mutable", "revision": "v1"}), "pinning/mutable", "deny", 0)
	count(_eval_pinning({"pinning": {"none": "allow"}}, {"pin": "none", "revision": null})) == 0
	fx.has(_eval_pinning({"pinning": {"commit": "info"}}, {}), "pinning/commit", "info", 0)
}

test_local_paths_are_not_pinned if {
	count(_eval_pinning({}, {"source": "local", "pin": "none", "facts": null})) == 0
}

test_missing_revision_denied if {
	r := fx.ref("org/m", {"revision_status": "not_found"}, {"pin": "mutable", "revision": "v9"})
	fs := pinning.findings with input.today as "2026-11-26" with input.config as {} with input.references as [r]
	fx.has(fs, "pinning/revision-not-found", "deny", 0)
}

test_unpinned_dataset_warns if {
	fx.has(_eval_pinning({}, {"pin": "none", "revision": null, "kind": "dataset"}), "pinning/none", "warn", 0)
	fx.has(_eval_pinning({}, {"pin": "mutable", "revision": "main", "kind": "dataset"}), "pinning/mutable", "info", 0)
	fx.has(_eval_pinning({"pinning": {"datasets": {"none": "deny"}}}, {"pin": "none", "revision": null, "kind": "dataset"}), "pinning/none", "deny", 0)
}

test_pinning_relaxes_outside_runtime if {
	some f in _eval_pinning({}, {"pin": "none", "revision": null, "scope": "notebook"})
	f.severity == "info"
	contains(f.message, "(in notebook code)")
	count(_eval_pinning({}, {"pin": "mutable", "revision": "main", "scope": "example"})) == 0
	count(_eval_pinning({}, {"pin": "none", "revision": null, "scope": "test", "kind": "dataset"})) == 0
}

test_scope_settings_order if {
	# by_scope in the configuration wins, then the general setting, then the scope's default
	fx.has(_eval_pinning({"by_scope": {"test": {"pinning": {"none": "deny"}}}}, {"pin": "none", "revision": null, "scope": "test"}), "pinning/none", "deny", 0)
	fx.has(_eval_pinning({"pinning": {"none": "warn"}}, {"pin": "none", "revision": null, "scope": "test"}), "pinning/none", "warn", 0)
	fx.has(_eval_pinning({"by_scope": {"runtime": {"pinning": {"none": "warn"}}}}, {"pin": "none", "revision": null}), "pinning/none", "warn", 0)
}
