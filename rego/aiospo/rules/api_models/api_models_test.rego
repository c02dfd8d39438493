package aiospo.rules.api_models_test

import data.aiospo.lib.fixtures_test as fx
import data.aiospo.rules.api_models

_api_ref(id, provider) := fx.ref(id, {}, {"source": "api", "provider": provider, "facts": null, "pin": "none", "revision": null})

_eval_api_models(config, refs) := fs if {
	fs := api_models.findings with input.today as "2026-11-26" with input.config as config with input.references as refs
}

test_no_lists_no_opinion if {
	count(_eval_api_models({}, [_api_ref("gpt-4o", "openai")])) == 0
}

test_unapproved_provider if {
	fs := _eval_api_models({"api_models": {"providers": ["openai"]}}, [_api_ref("claude-3-opus", "anthropic")])
	fx.has(fs, "api/unapproved-provider", "warn", 0)
}

test_approved_provider if {
	count(_eval_api_models({"api_models": {"providers": ["openai"]}}, [_api_ref("gpt-4o", "openai")])) == 0
}

test_model_globs if {
	config := {"api_models": {"models": ["gpt-4o*"], "unapproved": "deny"}}
	count(_eval_api_models(config, [_api_ref("gpt-4o-mini", "openai")])) == 0
	fx.has(_eval_api_models(config, [_api_ref("gpt-3.5-turbo", "openai")]), "api/unapproved-model", "deny", 0)
}

test_hub_models_are_not_api_models if {
	count(_eval_api_models({"api_models": {"providers": ["openai"]}}, [fx.hub("org/m", {})])) == 0
}
