package aiospo.rules.provenance_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.provenance

_eval_provenance(config, facts) := fs if {
	fs := provenance.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.hub("org/m", facts)]
}

# A base model fine-tuned here (an axolotl config's base_model).
_eval_fine_tune(config, facts) := fs if {
	r := fx.ref("org/m", facts, {"call": "yaml:base_model"})
	fs := provenance.findings with input.today as "2026-11-26" with input.config as config with input.references as [r]
}

test_undeclared_datasets_noted_for_a_fine_tuned_base if {
	fx.has(_eval_fine_tune({}, {"datasets": []}), "provenance/undeclared-datasets", "info", 0)
}

test_undeclared_datasets_not_noted_for_a_model_used_as_it_is if {
	count(_eval_provenance({}, {"datasets": []})) == 0
}

test_undeclared_datasets_configurable if {
	fx.has(_eval_fine_tune({"licenses": {"undeclared_datasets": "warn"}}, {"datasets": []}), "provenance/undeclared-datasets", "warn", 0)
	count(_eval_fine_tune({"licenses": {"undeclared_datasets": "allow"}}, {"datasets": []})) == 0
}

test_declared_datasets_pass if {
	count(_eval_provenance({}, {"datasets": ["org/data"]})) == 0
}

test_non_commercial_dataset_conflicts_with_commercial_use if {
	fs := _eval_provenance({}, {"datasets": ["org/nc"], "dataset_facts": [{"id": "org/nc", "license": "cc-by-nc-4.0", "status": "ok"}]})
	some f in fs
	f.rule == "provenance/dataset-license"
	f.severity == "warn"
	contains(f.message, "org/nc")
}

test_non_commercial_dataset_fine_for_research if {
	count(_eval_provenance({"intended_use": "research"}, {"datasets": ["org/nc"], "dataset_facts": [{"id": "org/nc", "license": "cc-by-nc-4.0", "status": "ok"}]})) == 0
}

test_dataset_of_unknown_license_not_a_conflict if {
	count(_eval_provenance({}, {"datasets": ["org/x"], "dataset_facts": [{"id": "org/x", "license": null, "status": "ok"}]})) == 0
}

test_dataset_on_deny_list_conflicts if {
	fs := _eval_provenance({"licenses": {"deny": ["cc-by-sa-4.0"]}}, {"datasets": ["w"], "dataset_facts": [{"id": "w", "license": "cc-by-sa-4.0", "status": "ok"}]})
	fx.has(fs, "provenance/dataset-license", "warn", 0)
}
