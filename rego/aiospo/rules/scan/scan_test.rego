package aiospo.rules.scan_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.scan

_unresolved := fx.ref("os.environ['MODEL']", {}, {"source": "unresolved", "facts": null, "pin": "none", "revision": null})

test_unresolved_noted if {
	fs := scan.findings with input.today as "2026-11-26" with input.config as {} with input.references as [_unresolved]
	some f in fs
	f.rule == "scan/unresolved"
	f.severity == "info"
	contains(f.message, "os.environ['MODEL']")
}

test_unresolved_configurable if {
	fs := scan.findings with input.today as "2026-11-26" with input.config as {"vetting": {"unresolved": "warn"}} with input.references as [_unresolved]
	fx.has(fs, "scan/unresolved", "warn", 0)
}

test_resolved_not_noted if {
	count(scan.findings) == 0 with input.today as "2026-11-26" with input.config as {} with input.references as [fx.hub("org/m", {})]
}

# rego-cpp evaluates `with input.x as <rule>` as undefined when the rule is a whole array:
# the arrays are written out where they are used.
_parse_gap := {"file": "src/app.py", "reason": "line 3 is not valid Python 3.11 (invalid syntax) and may name a model", "cause": "parse", "line": 3}

_weights_gap := {"file": "weights/model.pt", "reason": "a weight file of 300000000 bytes, above the 268435456-byte scan limit", "cause": "weights-too-large", "line": null}

test_unreadable_denied_by_default_at_the_file if {
	fs := scan.findings with input.config as {} with input.references as [] with input.unread as [_parse_gap, _weights_gap]
	count(fs) == 2
	some f in fs
	f.rule == "scan/unreadable"
	f.severity == "deny"
	f.ref == null
	f.file == "src/app.py"
	f.line == 3
	startswith(f.message, "src/app.py was not read in full (parse: line 3 is not valid Python")
}

test_unreadable_weights_point_at_safetensors if {
	fs := scan.findings with input.config as {} with input.references as [] with input.unread as [_parse_gap, _weights_gap]
	some g in fs
	g.file == "weights/model.pt"
	object.get(g, "line", "absent") == "absent"
	contains(g.message, "safetensors")
}

test_unreadable_configurable if {
	fs := scan.findings with input.config as {"vetting": {"unreadable": "warn"}} with input.references as [] with input.unread as [_parse_gap, _weights_gap]
	every f in fs {
		f.severity == "warn"
	}
	count(scan.findings) == 0 with input.config as {"vetting": {"unreadable": "allow"}} with input.references as [] with input.unread as [_parse_gap, _weights_gap]
}

test_no_unread_no_finding if {
	count(scan.findings) == 0 with input.config as {} with input.references as []
}

_loose := fx.ref("org/m", {}, {"flags": ["trust_remote_code_unresolved", "revision_unresolved"], "detail": {"trust_remote_code_expression": "args.trust", "revision_overridable_by": "MODEL_REVISION"}})

test_unresolved_argument_warns_naming_each_argument if {
	fs := scan.findings with input.config as {} with input.references as [_loose]
	fx.has(fs, "scan/unresolved-argument", "warn", 0)
	some f in fs
	f.rule == "scan/unresolved-argument"
	contains(f.message, "trust_remote_code=args.trust, revision=$MODEL_REVISION")
}

test_unresolved_argument_configurable if {
	fs := scan.findings with input.config as {"vetting": {"unresolved_argument": "deny"}} with input.references as [_loose]
	fx.has(fs, "scan/unresolved-argument", "deny", 0)
}

test_resolved_arguments_are_not_flagged if {
	count(scan.findings) == 0 with input.config as {} with input.references as [fx.ref("org/m", {}, {"flags": ["trust_remote_code"]})]
}

_suspicious := fx.ref("weights/model.pkl", {}, {"source": "file", "facts": null, "detail": {"format": "pickle", "scan": "suspicious", "suspicious_globals": "sklearn.linear_model._logistic.LogisticRegression"}})

test_suspicious_file_warns if {
	fs := scan.findings with input.config as {} with input.references as [_suspicious]
	fx.has(fs, "scan/suspicious-file", "warn", 0)
	some f in fs
	contains(f.message, "sklearn.linear_model._logistic.LogisticRegression")
}

_registry_ref := fx.ref("resnet50", {}, {"source": "unresolved", "facts": null, "call": "timm.create_model", "detail": {"registry": "timm"}})

test_registry_names_say_the_library_picks_the_repository if {
	fs := scan.findings with input.config as {} with input.references as [_registry_ref]
	some f in fs
	f.rule == "scan/unresolved"
	contains(f.message, "own registry with pretrained weights")
}
