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
