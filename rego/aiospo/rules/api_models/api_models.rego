# Hosted API models (OpenAI, Anthropic, ...): judged against the configuration's approved
# providers and model names (api_models). No list configured means no opinion.
package aiospo.rules.api_models

import data.aiospo.lib

_api(r) if r.source == "api"

_provider(r) := r.provider if {
	is_string(r.provider)
} else := "unknown"

# METADATA
# title: API provider not approved
# description: A hosted model is called through a provider not listed in api_models.providers.
# custom:
#   id: api/unapproved-provider
#   severity: warn
#   config: api_models.providers, api_models.unapproved
findings contains lib.finding("api/unapproved-provider", action, msg, r.index) if {
	providers := lib.setting(["api_models", "providers"])
	count(providers) > 0
	action := lib.setting(["api_models", "unapproved"])
	lib.reported(action)
	some r in input.references
	_api(r)
	not lib.matches_any(providers, _provider(r))
	msg := sprintf("%s is called through provider '%s', which is not in api_models.providers (%s). Use an approved provider, or have this one reviewed and add it.", [r.id, _provider(r), trim_space(concat(", ", providers))])
}

# METADATA
# title: API model not approved
# description: A hosted model's name matches none of the patterns in api_models.models.
# custom:
#   id: api/unapproved-model
#   severity: warn
#   config: api_models.models, api_models.unapproved
findings contains lib.finding("api/unapproved-model", action, msg, r.index) if {
	models := lib.setting(["api_models", "models"])
	count(models) > 0
	action := lib.setting(["api_models", "unapproved"])
	lib.reported(action)
	some r in input.references
	_api(r)
	not lib.matches_any(models, r.id)
	msg := sprintf("%s (provider '%s') is not in api_models.models (%s). Use an approved model, or have this one reviewed and add it.", [r.id, _provider(r), trim_space(concat(", ", models))])
}
