package aiospo.rules.security_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.security

_eval_security(config, facts, fields) := fs if {
	fs := security.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.ref("org/m", facts, fields)]
}

test_trust_remote_code_with_custom_code_denied if {
	fs := _eval_security({}, {"has_custom_code": true}, {"flags": ["trust_remote_code"]})
	some f in fs
	f.rule == "security/trust-remote-code"
	f.severity == "deny"
	contains(f.message, "ships custom code")
}

test_trust_remote_code_with_unknown_code_denied if {
	fx.has(_eval_security({}, {"status": "error", "has_custom_code": null}, {"flags": ["trust_remote_code"]}), "security/trust-remote-code", "deny", 0)
}

test_trust_remote_code_without_custom_code_is_noted_only if {
	fs := _eval_security({}, {"has_custom_code": false}, {"flags": ["trust_remote_code"]})
	fx.has(fs, "security/trust-remote-code-unneeded", "info", 0)
	fx.lacks(fs, "security/trust-remote-code")
}

test_trust_remote_code_configurable if {
	fx.has(_eval_security({"vetting": {"trust_remote_code": "warn"}}, {"has_custom_code": true}, {"flags": ["trust_remote_code"]}), "security/trust-remote-code", "warn", 0)
}

test_pickle_only_warns if {
	fx.has(_eval_security({}, {"has_pickle": true, "has_safetensors": false}, {}), "security/pickle-only", "warn", 0)
}

test_pickle_with_safetensors_passes if {
	count(_eval_security({}, {"has_pickle": true, "has_safetensors": true}, {})) == 0
}

test_use_safetensors_false_warns if {
	fx.has(_eval_security({}, {}, {"flags": ["use_safetensors_false"]}), "security/safetensors-disabled", "warn", 0)
}

test_unsafe_loads_warn if {
	fx.has(_eval_security({}, {}, {"source": "local", "facts": null, "flags": ["unsafe_torch_load"]}), "security/unsafe-torch-load", "warn", 0)
	fx.has(_eval_security({}, {}, {"source": "local", "facts": null, "flags": ["pickle_load"]}), "security/pickle-load", "warn", 0)
	fx.has(_eval_security({"vetting": {"unsafe_load": "deny"}}, {}, {"source": "local", "facts": null, "flags": ["pickle_load"]}), "security/pickle-load", "deny", 0)
}

test_dangerous_committed_file_denied if {
	fields := {"source": "file", "facts": null, "detail": {"format": "pickle", "scan": "dangerous", "dangerous_globals": "os.system"}}
	fs := _eval_security({}, {}, fields)
	some f in fs
	f.rule == "security/dangerous-file"
	f.severity == "deny"
	contains(f.message, "os.system")
	contains(f.message, "whose pickle imports")
}

test_keras_lambda_layer_denied_as_code_in_the_configuration if {
	fields := {"source": "file", "facts": null, "detail": {"format": "hdf5", "scan": "dangerous", "dangerous_globals": "keras.layers.Lambda"}}
	some f in _eval_security({}, {}, fields)
	f.rule == "security/dangerous-file"
	f.severity == "deny"
	contains(f.message, "whose Keras configuration holds keras.layers.Lambda")
}

test_clean_committed_file_passes if {
	count(_eval_security({}, {}, {"source": "file", "facts": null, "detail": {"scan": "clean"}})) == 0
}

test_unscannable_file_warns if {
	fx.has(_eval_security({}, {}, {"source": "file", "facts": null, "detail": {"scan": "error"}}), "security/file-scan-error", "warn", 0)
}

test_hub_scan_unsafe_denied if {
	fx.has(_eval_security({}, {"security_status": "unsafe"}, {}), "security/hub-scan-unsafe", "deny", 0)
	count(_eval_security({}, {"security_status": "unscanned"}, {})) == 0
}
