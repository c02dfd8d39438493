package aiospo.rules.src_owner_test

import data.aiospo.rules.src_owner

_model(i, id, file) := {
	"index": i, "id": id, "kind": "model", "source": "huggingface", "file": file, "line": 1,
	"call": "transformers.AutoModel.from_pretrained", "revision": null, "pin": "none", "flags": [], "detail": {},
	"facts": {"status": "ok", "canonical_id": id}, "locked": null,
}

_refs := [
	_model(0, "org/owned", "src/app.py"),
	_model(1, "org/orphan", "src/service/model.py"),
	_model(2, "org/orphan", "notebooks/explore.py"),
	_model(3, "org/blank-owner", "src/x.py"),
]

_config := {"approved_models": [{"id": "org/owned", "owner": "ml-platform@example.com"}, {"id": "org/blank-owner", "owner": " "}]}

_findings_owner(config) := fs if {
	refs := _refs
	fs := src_owner.findings with input.config as config with input.references as refs
}

test_production_model_without_owner_is_denied if {
	fs := _findings_owner(_config)
	{f.ref | some f in fs} == {1, 3}
	every f in fs {
		f.rule == "owner/missing"
		f.severity == "deny"
	}
}

test_code_outside_src_is_not_checked if {
	not 2 in {f.ref | some f in _findings_owner({})}
}

test_glob_entries_with_owner_count if {
	count(_findings_owner({"approved_models": [{"id": "org/*", "owner": "ospo"}]})) == 0
}
