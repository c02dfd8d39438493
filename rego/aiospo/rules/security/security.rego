# Security: code and weights that execute on load. trust_remote_code runs the repository's
# Python; pickle-format weights can run arbitrary code when unpickled. The scanner reports
# what the code does (flags) and what committed weight files contain (detail.scan); the Hub
# stage reports what the repository ships.
package aiospo.rules.security

import data.aiospo.lib

_flagged(r, flag) if flag in r.flags

# METADATA
# title: trust_remote_code on a model that ships code
# description: >-
#   trust_remote_code=True executes Python from the model repository on load, with the
#   process's permissions. Denied unless the repository is known to ship no custom code.
# related_resources:
#   - ref: https://huggingface.co/docs/transformers/custom_models#using-a-model-with-custom-code
#     description: Using a model with custom code
# custom:
#   id: security/trust-remote-code
#   severity: deny
#   config: vetting.trust_remote_code
findings contains lib.finding("security/trust-remote-code", action, msg, r.index) if {
	some r in input.references
	_flagged(r, "trust_remote_code")
	not r.facts.has_custom_code == false
	action := lib.setting_for(r, ["vetting", "trust_remote_code"])
	lib.reported(action)
	msg := sprintf("%s is loaded with trust_remote_code=True, which runs Python from the model repository on load%s. Use a model supported natively by the library, or pin a reviewed commit and waive this finding.", [lib.name(r), _ships_code(r)])
}

_ships_code(r) := " and this repository ships custom code" if {
	r.facts.has_custom_code == true
} else := ""

# METADATA
# title: trust_remote_code is not needed
# description: >-
#   trust_remote_code=True is set but the repository ships no custom code: the flag does
#   nothing today and would silently run code added upstream later.
# custom:
#   id: security/trust-remote-code-unneeded
#   severity: info
findings contains lib.finding("security/trust-remote-code-unneeded", "info", msg, r.index) if {
	some r in input.references
	_flagged(r, "trust_remote_code")
	r.facts.has_custom_code == false
	msg := sprintf("%s is loaded with trust_remote_code=True but ships no custom code; the flag would run any code added upstream later. Remove trust_remote_code=True (aiospo-ci fix does it).", [lib.name(r)])
}

# METADATA
# title: Pickle-only weights
# description: >-
#   The repository ships weights only in pickle-based formats (.bin, .pt, .pth, .ckpt, .pkl),
#   which can execute code when loaded, and no safetensors alternative.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/security-pickle
#     description: Pickle scanning on the Hub
# custom:
#   id: security/pickle-only
#   severity: warn
#   config: vetting.pickle_only
findings contains lib.finding("security/pickle-only", action, msg, r.index) if {
	some r in input.references
	lib.hub_ok(r)
	r.facts.has_pickle == true
	r.facts.has_safetensors == false
	action := lib.setting_for(r, ["vetting", "pickle_only"])
	lib.reported(action)
	msg := sprintf("%s ships its weights only in pickle format, which can run arbitrary code when loaded. Prefer a safetensors version (for example from a 'refs/pr' conversion) or a different model.", [lib.name(r)])
}

# METADATA
# title: safetensors disabled
# description: >-
#   use_safetensors=False forces the pickle-based weights even where safetensors exist.
#   `aiospo-ci fix` switches it to use_safetensors=True when the repository has safetensors.
# custom:
#   id: security/safetensors-disabled
#   severity: warn
#   config: vetting.unsafe_load
findings contains lib.finding("security/safetensors-disabled", action, msg, r.index) if {
	some r in input.references
	_flagged(r, "use_safetensors_false")
	action := lib.setting_for(r, ["vetting", "unsafe_load"])
	lib.reported(action)
	msg := sprintf("%s is loaded with use_safetensors=False, which forces pickle-format weights that can run code on load. Set use_safetensors=True so only safetensors are loaded (aiospo-ci fix does it when the repository has them).", [lib.name(r)])
}

# METADATA
# title: Unsafe torch.load
# description: >-
#   torch.load without weights_only=True unpickles the file, which can execute arbitrary code.
# related_resources:
#   - ref: https://pytorch.org/docs/stable/generated/torch.load.html
#     description: torch.load and weights_only
# custom:
#   id: security/unsafe-torch-load
#   severity: warn
#   config: vetting.unsafe_load
findings contains lib.finding("security/unsafe-torch-load", action, msg, r.index) if {
	some r in input.references
	_flagged(r, "unsafe_torch_load")
	action := lib.setting_for(r, ["vetting", "unsafe_load"])
	lib.reported(action)
	msg := sprintf("%s is read with torch.load without weights_only=True, which unpickles it and can run arbitrary code. Pass weights_only=True or load a safetensors file.", [r.id])
}

# METADATA
# title: Pickle load of a model file
# description: pickle.load/joblib.load of a model file executes whatever the file contains.
# custom:
#   id: security/pickle-load
#   severity: warn
#   config: vetting.unsafe_load
findings contains lib.finding("security/pickle-load", action, msg, r.index) if {
	some r in input.references
	_flagged(r, "pickle_load")
	action := lib.setting_for(r, ["vetting", "unsafe_load"])
	lib.reported(action)
	msg := sprintf("%s is loaded with pickle, which runs any code the file contains. Store the model as safetensors (or another data-only format).", [r.id])
}

# METADATA
# title: Committed model file with dangerous imports
# description: >-
#   A weight file committed to the repository was scanned (without unpickling) and imports
#   callables that can execute code, such as os.system or builtins.eval, or is a Keras model
#   whose configuration holds a Lambda layer (marshalled Python bytecode).
# related_resources:
#   - ref: https://github.com/mmaitre314/picklescan
#     description: picklescan
# custom:
#   id: security/dangerous-file
#   severity: deny
#   config: vetting.dangerous_file
findings contains lib.finding("security/dangerous-file", action, msg, r.index) if {
	some r in input.references
	r.source == "file"
	r.detail.scan == "dangerous"
	action := lib.setting_for(r, ["vetting", "dangerous_file"])
	lib.reported(action)
	msg := sprintf("%s is a committed model file whose %s %s, which can execute code when it is loaded. Delete it and load weights from a safetensors file.", [r.id, _carrier(r), _globals(r)])
}

# Keras files carry code in their configuration (a Lambda layer's bytecode), the rest in a pickle.
_carrier(r) := "Keras configuration holds" if {
	r.detail.format in {"hdf5", "keras"}
} else := "pickle imports"

_globals(r) := r.detail.dangerous_globals if {
	is_string(r.detail.dangerous_globals)
	r.detail.dangerous_globals != ""
} else := "dangerous callables"

# METADATA
# title: Committed model file could not be scanned
# description: A committed weight file could not be scanned (corrupt, truncated or an unknown format).
# custom:
#   id: security/file-scan-error
#   severity: warn
findings contains lib.finding("security/file-scan-error", "warn", msg, r.index) if {
	some r in input.references
	r.source == "file"
	r.detail.scan == "error"
	msg := sprintf("%s is a committed model file that could not be scanned for dangerous imports, so it may run code when loaded. Check the file, or replace it with a safetensors file.", [r.id])
}

# METADATA
# title: Hub security scan reports issues
# description: The Hub's own malware and pickle scan flagged files in the repository as unsafe.
# related_resources:
#   - ref: https://huggingface.co/docs/hub/security-malware
#     description: Malware scanning on the Hub
# custom:
#   id: security/hub-scan-unsafe
#   severity: deny
#   config: vetting.hub_scan_unsafe
findings contains lib.finding("security/hub-scan-unsafe", action, msg, r.index) if {
	some r in input.references
	lib.hub_ok(r)
	r.facts.security_status == "unsafe"
	action := lib.setting_for(r, ["vetting", "hub_scan_unsafe"])
	lib.reported(action)
	msg := sprintf("%s is flagged unsafe by the Hub's own security scan (malware or dangerous pickle imports). Do not load it; choose another model.", [lib.name(r)])
}
