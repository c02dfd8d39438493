# Tests live beside the rule in its _test package and replace input fields, not
# the whole input: see rego/README.md.
package aiospo.rules.org_allowlist_test

import data.aiospo.rules.org_allowlist

_model(i, id, canonical) := {
	"index": i, "id": id, "kind": "model", "source": "huggingface", "file": "src/app.py", "line": 1,
	"call": "transformers.AutoModel.from_pretrained", "revision": null, "pin": "none", "flags": [], "detail": {},
	"facts": {"status": "ok", "canonical_id": canonical}, "locked": null,
}

_refs := [
	_model(0, "meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B"),
	_model(1, "randomuser/llama-merge", "randomuser/llama-merge"),
	_model(2, "bert-base-uncased", "google-bert/bert-base-uncased"),
	_model(3, "gpt2", null),
]

_config := {"custom": {"org_allowlist": {"allowed_orgs": ["meta-llama", "Google-BERT"]}}}

_findings_org(config) := fs if {
	refs := _refs
	fs := org_allowlist.findings with input.config as config with input.references as refs
}

test_allowed_orgs_pass if {
	fs := _findings_org(_config)
	not 0 in {f.ref | some f in fs}
	not 2 in {f.ref | some f in fs}
}

test_other_orgs_are_denied if {
	fs := _findings_org(_config)
	some f in fs
	f.ref == 1
	f.rule == "org/not-allowed"
	f.severity == "deny"
	contains(f.message, "'randomuser'")
}

test_bare_ids_without_organisation_are_flagged if {
	some f in _findings_org(_config)
	f.ref == 3
	contains(f.message, "no organisation")
}

test_action_is_configurable if {
	config := {"custom": {"org_allowlist": {"allowed_orgs": ["meta-llama"], "action": "warn"}}}
	some f in _findings_org(config)
	f.ref == 1
	f.severity == "warn"
}

test_no_allow_list_no_findings if {
	count(_findings_org({})) == 0
}
