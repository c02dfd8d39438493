package aiospo.lib_test

import data.aiospo.lib

test_setting_prefers_configuration if {
	lib.setting(["pinning", "mutable"]) == "deny" with input.config as {"pinning": {"mutable": "deny"}}
	lib.setting(["pinning", "mutable"]) == "warn" with input.config as {}
	lib.setting(["pinning", "mutable"]) == "warn" with input.config as null
}

test_category_action_order if {
	lib.category_action("non-commercial") == "deny" with input.config as {}
	lib.category_action("non-commercial") == "info" with input.config as {"intended_use": "research"}
	lib.category_action("non-commercial") == "warn" with input.config as {"intended_use": "research", "licenses": {"categories": {"non-commercial": "warn"}}}
}

test_matches_globs_across_slashes if {
	lib.matches("meta-llama/*", "meta-llama/Llama-3.1-8B")
	lib.matches("gpt-4*", "gpt-4.1-mini")
	lib.matches("*", "a/b")
	not lib.matches("meta-llama/*", "google/gemma-2b")
}

test_invalid_glob_syntax_matches_literally if {
	lib.matches("a[", "a[")
	not lib.matches("a[*", "a[b")
}

test_license_category if {
	lib.license_category("MIT", null, null) == "permissive"
	lib.license_category(null, null, null) == "unknown"
	lib.license_category("made-up", null, null) == "unknown"
	lib.license_category("other", "mrl", null) == "non-commercial"
	lib.license_category("other", "apache-2.0", null) == "unknown"
	lib.license_category("other", null, "https://mistral.ai/licenses/MRL-0.1.md") == "non-commercial"
}

test_name_mentions_renames if {
	lib.name({"id": "gpt2", "facts": {"canonical_id": "openai-community/gpt2"}}) == "gpt2 (now openai-community/gpt2)"
	lib.name({"id": "org/m", "facts": {"canonical_id": "org/m"}}) == "org/m"
	lib.name({"id": "./local", "facts": null}) == "./local"
}

test_scope_defaults_to_runtime if {
	lib.scope({"id": "x"}) == "runtime"
	lib.scope({"id": "x", "scope": "test"}) == "test"
}

test_license_action_lists_before_categories if {
	r := {"id": "m", "facts": {"license": "mit", "license_name": null, "license_link": null}}
	lib.license_action(r) == "allow" with input.config as {}
	lib.license_action(r) == "deny" with input.config as {"licenses": {"deny": ["MIT"], "allow": ["mit"]}}
	lib.license_action(r) == "warn" with input.config as {"licenses": {"warn": ["mit"]}}
}

test_file_finding_names_the_file_and_no_reference if {
	lib.file_finding("scan/unreadable", "deny", "m", "a.py") == {"rule": "scan/unreadable", "severity": "deny", "message": "m", "ref": null, "file": "a.py"}
}
