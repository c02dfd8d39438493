# Builders for test input documents, shared by the *_test.rego files (loaded only in tests).
package aiospo_test.fixtures

today := "2026-11-26"

# Hub facts as the Hub stage writes them for a healthy, permissive, maintained model.
facts(overrides) := object.union({
	"id": "org/model",
	"kind": "model",
	"status": "ok",
	"error": null,
	"canonical_id": "org/model",
	"sha": "1111111111111111111111111111111111111111",
	"resolved_commit": null,
	"revision_status": null,
	"license": "apache-2.0",
	"license_name": null,
	"license_link": null,
	"gated": "false",
	"disabled": false,
	"days_since_modified": 30,
	"has_safetensors": true,
	"has_pickle": false,
	"has_custom_code": false,
	"security_status": "safe",
	"card_present": true,
	"datasets": ["org/data"],
	"dataset_facts": [],
	"lineage": [],
}, overrides)

# A Hub model reference pinned to a commit, with the given facts overrides.
hub(id, overrides) := {
	"index": 0,
	"id": id,
	"kind": "model",
	"source": "huggingface",
	"file": "src/app.py",
	"line": 3,
	"column": 1,
	"cell": null,
	"call": "transformers.AutoModel.from_pretrained",
	"revision": "2222222222222222222222222222222222222222",
	"pin": "commit",
	"flags": [],
	"provider": null,
	"detail": {},
	"facts": facts(object.union({"id": id, "canonical_id": id}, overrides)),
	"locked": null,
}

# A reference with some fields replaced (pin, flags, source, locked, ...).
ref(id, overrides, fields) := object.union(hub(id, overrides), fields)

doc(config, refs) := {"schema_version": 1, "today": today, "config": config, "references": refs}

# Does a finding with this rule and severity exist for reference index i?
has(findings, rule, severity, i) if {
	some f in findings
	f.rule == rule
	f.severity == severity
	f.ref == i
}

# Is there no finding with this rule?
lacks(findings, rule) if {
	not _any(findings, rule)
}

_any(findings, rule) if {
	some f in findings
	f.rule == rule
}
