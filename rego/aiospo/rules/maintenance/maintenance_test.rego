package aiospo.rules.maintenance_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.maintenance

_eval_maintenance(config, facts) := fs if {
	fs := maintenance.findings with input.today as "2026-11-26" with input.config as config with input.references as [fx.hub("org/m", facts)]
}

test_stale_model_warns if {
	fs := _eval_maintenance({}, {"days_since_modified": 400})
	some f in fs
	f.rule == "maintenance/stale"
	f.severity == "warn"
	contains(f.message, "400 days")
}

test_recent_model_passes if {
	count(_eval_maintenance({}, {"days_since_modified": 365})) == 0
}

test_limit_is_configurable if {
	fx.has(_eval_maintenance({"vetting": {"max_days_since_modified": 90}}, {"days_since_modified": 91}), "maintenance/stale", "warn", 0)
}

test_popularity_does_not_excuse_staleness if {
	fx.has(_eval_maintenance({}, {"days_since_modified": 900, "downloads": 50000000, "likes": 9000}), "maintenance/stale", "warn", 0)
}

test_unknown_age_is_not_stale if {
	count(_eval_maintenance({}, {"days_since_modified": null})) == 0
}

test_missing_card_warns if {
	fx.has(_eval_maintenance({}, {"card_present": false}), "maintenance/missing-card", "warn", 0)
	count(_eval_maintenance({}, {"card_present": null})) == 0
}
