# The license catalogue: every license id the Hugging Face Hub accepts in a model card, with
# its category and its notable obligations. This file is data, not logic: the rules in
# rego/aiospo/rules/license/license.rego read it. Edit a category here (or override per id in the
# configuration's licenses.allow/warn/deny) rather than in a rule.
#
# Categories:
#   permissive      use, modify, redistribute; keep the notice
#   weak-copyleft   changes to the licensed files themselves must stay open
#   copyleft        derivatives must be released under the same terms (or, for -nd, not at all)
#   non-commercial  no commercial use (research or personal use only)
#   rail            OpenRAIL family: use restrictions that must pass to every derivative
#   community       vendor licenses with usage caps, naming rules or acceptable-use policies
#   unknown         needs a human: `other`, `unknown`, ambiguous or missing licenses
package aiospo.catalogue

_attribution := "keep the copyright and license notice"

_nc := "no commercial use: research, evaluation or personal use only"

_share_alike := "derivatives must be released under the same license"

_rail := [
	"the license's use restrictions (Attachment A) must be included in the license of every derivative and every user must be bound by them",
	"you may not use the model or its outputs for the restricted uses it lists",
]

licenses := {
	# permissive
	"apache-2.0": {"category": "permissive", "obligations": [_attribution, "state significant changes; no trademark grant"]},
	"mit": {"category": "permissive", "obligations": [_attribution]},
	"afl-3.0": {"category": "permissive", "obligations": [_attribution]},
	"artistic-2.0": {"category": "permissive", "obligations": [_attribution, "modified versions must be clearly marked"]},
	"bsl-1.0": {"category": "permissive", "obligations": [_attribution]},
	"bsd": {"category": "permissive", "obligations": [_attribution]},
	"bsd-2-clause": {"category": "permissive", "obligations": [_attribution]},
	"bsd-3-clause": {"category": "permissive", "obligations": [_attribution, "no endorsement using the authors' names"]},
	"bsd-3-clause-clear": {"category": "permissive", "obligations": [_attribution, "no patent grant"]},
	"isc": {"category": "permissive", "obligations": [_attribution]},
	"ncsa": {"category": "permissive", "obligations": [_attribution]},
	"postgresql": {"category": "permissive", "obligations": [_attribution]},
	"unlicense": {"category": "permissive", "obligations": []},
	"wtfpl": {"category": "permissive", "obligations": []},
	"zlib": {"category": "permissive", "obligations": ["altered versions must be marked as such"]},
	"ecl-2.0": {"category": "permissive", "obligations": [_attribution]},
	"apple-ascl": {"category": "permissive", "obligations": [_attribution]},
	"openmdw-1.0": {"category": "permissive", "obligations": [_attribution]},
	"cc0-1.0": {"category": "permissive", "obligations": []},
	"cc-by-2.0": {"category": "permissive", "obligations": ["give attribution to the creator"]},
	"cc-by-2.5": {"category": "permissive", "obligations": ["give attribution to the creator"]},
	"cc-by-3.0": {"category": "permissive", "obligations": ["give attribution to the creator"]},
	"cc-by-4.0": {"category": "permissive", "obligations": ["give attribution to the creator and indicate changes"]},
	"pddl": {"category": "permissive", "obligations": []},
	"odc-by": {"category": "permissive", "obligations": ["attribute the database"]},
	"cdla-permissive-1.0": {"category": "permissive", "obligations": [_attribution]},
	"cdla-permissive-2.0": {"category": "permissive", "obligations": ["include the license text when sharing the data"]},
	"etalab-2.0": {"category": "permissive", "obligations": ["give attribution and the date of the last update"]},
	# The Computational Use of Data Agreement allows computational use, commercial included, and
	# places no restriction on the results (a trained model); it forbids redistributing the
	# data itself, so its terms are named wherever it is used.
	"c-uda": {"category": "permissive", "notice": true, "obligations": [
		"use the data for computational analysis only (training and evaluation, commercial use included)",
		"do not redistribute the data itself; results such as trained models are not restricted",
	]},
	# weak copyleft
	"lgpl": {"category": "weak-copyleft", "obligations": ["changes to the library must be released under the LGPL"]},
	"lgpl-2.1": {"category": "weak-copyleft", "obligations": ["changes to the library must be released under the LGPL"]},
	"lgpl-3.0": {"category": "weak-copyleft", "obligations": ["changes to the library must be released under the LGPL"]},
	"lgpl-lr": {"category": "weak-copyleft", "obligations": ["changes to the linguistic resource must be released under the same license"]},
	"mpl-2.0": {"category": "weak-copyleft", "obligations": ["changed MPL files must stay under the MPL and be published"]},
	"epl-1.0": {"category": "weak-copyleft", "obligations": ["changed files must stay under the EPL"]},
	"epl-2.0": {"category": "weak-copyleft", "obligations": ["changed files must stay under the EPL"]},
	"ms-pl": {"category": "weak-copyleft", "obligations": ["source distributions must keep the Ms-PL"]},
	"lppl-1.3c": {"category": "weak-copyleft", "obligations": ["modified files must be renamed or clearly marked"]},
	"ofl-1.1": {"category": "weak-copyleft", "obligations": ["modified fonts must not use the reserved name and must stay under the OFL"]},
	# copyleft
	"gpl": {"category": "copyleft", "obligations": [_share_alike, "distribute the corresponding source"]},
	"gpl-2.0": {"category": "copyleft", "obligations": [_share_alike, "distribute the corresponding source"]},
	"gpl-3.0": {"category": "copyleft", "obligations": [_share_alike, "distribute the corresponding source"]},
	"agpl-3.0": {"category": "copyleft", "obligations": [_share_alike, "offer the source to users who interact with it over a network"]},
	"osl-3.0": {"category": "copyleft", "obligations": [_share_alike, "network use counts as distribution"]},
	"eupl-1.1": {"category": "copyleft", "obligations": [_share_alike]},
	"eupl-1.2": {"category": "copyleft", "obligations": [_share_alike]},
	"gfdl": {"category": "copyleft", "obligations": [_share_alike]},
	"cc-by-sa-3.0": {"category": "copyleft", "obligations": ["give attribution", _share_alike]},
	"cc-by-sa-4.0": {"category": "copyleft", "obligations": ["give attribution", _share_alike]},
	"odbl": {"category": "copyleft", "obligations": ["attribute the database", "derived databases must be shared under the ODbL"]},
	"cdla-sharing-1.0": {"category": "copyleft", "obligations": ["shared data must stay under the CDLA-Sharing"]},
	# cc-by-nd allows commercial use but no modified versions: a fine-tune cannot be shared, so
	# it is at least as restrictive as copyleft for a model.
	"cc-by-nd-4.0": {"category": "copyleft", "notice": true, "obligations": ["give attribution", "no derivatives: you may not distribute modified versions such as fine-tunes"]},
	# non-commercial and research-only
	"cc-by-nc-2.0": {"category": "non-commercial", "obligations": [_nc, "give attribution"]},
	"cc-by-nc-3.0": {"category": "non-commercial", "obligations": [_nc, "give attribution"]},
	"cc-by-nc-4.0": {"category": "non-commercial", "obligations": [_nc, "give attribution"]},
	"cc-by-nc-sa-2.0": {"category": "non-commercial", "obligations": [_nc, _share_alike]},
	"cc-by-nc-sa-3.0": {"category": "non-commercial", "obligations": [_nc, _share_alike]},
	"cc-by-nc-sa-4.0": {"category": "non-commercial", "obligations": [_nc, _share_alike]},
	"cc-by-nc-nd-3.0": {"category": "non-commercial", "obligations": [_nc, "no derivatives"]},
	"cc-by-nc-nd-4.0": {"category": "non-commercial", "obligations": [_nc, "no derivatives"]},
	"fair-noncommercial-research-license": {"category": "non-commercial", "obligations": [_nc]},
	"deepfloyd-if-license": {"category": "non-commercial", "obligations": [_nc, "research use under the DeepFloyd IF terms"]},
	"apple-amlr": {"category": "non-commercial", "obligations": ["research use only (Apple Machine Learning Research license)"]},
	"intel-research": {"category": "non-commercial", "obligations": ["research use only"]},
	"h-research": {"category": "non-commercial", "obligations": ["research use only"]},
	# rail: OpenRAIL family
	"openrail": {"category": "rail", "obligations": _rail},
	"openrail++": {"category": "rail", "obligations": _rail},
	"creativeml-openrail-m": {"category": "rail", "obligations": _rail},
	"bigscience-openrail-m": {"category": "rail", "obligations": _rail},
	"bigscience-bloom-rail-1.0": {"category": "rail", "obligations": _rail},
	"bigcode-openrail-m": {"category": "rail", "obligations": _rail},
	# community: vendor licenses with caps, naming rules and acceptable-use policies
	"llama2": {"category": "community", "obligations": [
		"a separate license from Meta is required above 700 million monthly active users",
		"follow the Llama 2 Acceptable Use Policy",
		"do not use outputs to improve other large language models",
	]},
	"llama3": {"category": "community", "obligations": [
		"display \"Built with Meta Llama 3\" with products that use it",
		"derived model names must start with \"Llama 3\"",
		"follow the Acceptable Use Policy",
		"a separate license is required above 700 million monthly active users",
	]},
	"llama3.1": {"category": "community", "obligations": [
		"display \"Built with Llama\" with products that use it",
		"derived model names must start with \"Llama\"",
		"follow the Acceptable Use Policy",
		"a separate license is required above 700 million monthly active users",
	]},
	"llama3.2": {"category": "community", "obligations": [
		"display \"Built with Llama\" with products that use it",
		"derived model names must start with \"Llama\"",
		"follow the Acceptable Use Policy (multimodal models: no license for EU-domiciled entities)",
		"a separate license is required above 700 million monthly active users",
	]},
	"llama3.3": {"category": "community", "obligations": [
		"display \"Built with Llama\" with products that use it",
		"derived model names must start with \"Llama\"",
		"follow the Acceptable Use Policy",
		"a separate license is required above 700 million monthly active users",
	]},
	"llama4": {"category": "community", "obligations": [
		"display \"Built with Llama\" with products that use it",
		"derived model names must start with \"Llama\"",
		"follow the Acceptable Use Policy",
		"a separate license is required above 700 million monthly active users",
	]},
	"gemma": {"category": "community", "obligations": [
		"follow the Gemma Prohibited Use Policy and pass its restrictions on to every derivative and user",
		"Google may restrict usage it believes violates the terms",
		"ship a copy of the Gemma Terms of Use with redistributions",
	]},
	# unknown: needs review
	"other": {"category": "unknown", "obligations": ["read the license named by license_name / license_link"]},
	"unknown": {"category": "unknown", "obligations": []},
	"cc": {"category": "unknown", "obligations": ["ambiguous: name the exact Creative Commons license"]},
}

# Licenses published as `license: other` with a `license_name`: the category of the ones
# we know. A name that is not here, or that names a permissive license, stays unknown: an
# `other` license is never treated as permissive without a human reading it.
other_names := {
	"flux-1-dev-non-commercial-license": "non-commercial",
	"mrl": "non-commercial",
	"mistral-research-license": "non-commercial",
	"mnpl": "non-commercial",
	"stabilityai-ai-community": "community",
	"stabilityai-nc-research-community": "non-commercial",
	"sai-nc-community": "non-commercial",
	"tongyi-qianwen": "community",
	"tongyi-qianwen-research": "non-commercial",
	"qwen": "community",
	"qwen-research": "non-commercial",
	# The DeepSeek License is an OpenRAIL-style license: use restrictions (its Attachment A)
	# that must pass to every derivative, no user caps or naming rules.
	"deepseek": "rail",
	"deepseek-license": "rail",
	"llama3": "community",
	"llama-3": "community",
	"gemma": "community",
	"gemma-terms-of-use": "community",
	"health-ai-developer-foundations": "community",
	"nvidia-open-model-license": "community",
	"cogvlm2": "community",
	"yi-license": "community",
	"bigscience-bloom-rail-1.0": "rail",
	"openrail": "rail",
}

# Substrings of a `license_link` that identify a license we know (for `other` without a
# known `license_name`).
other_links := {
	"FLUX.1-dev/blob/main/LICENSE": "non-commercial",
	"mistral.ai/licenses/MRL": "non-commercial",
	"mistral.ai/licenses/MNPL": "non-commercial",
	"ai.google.dev/gemma/terms": "community",
	"llama.meta.com/llama3/license": "community",
	"stability.ai/community-license": "community",
}

# How restrictive a category is, for comparing a model's license with its ancestors'
# (rego/aiospo/rules/inheritance/inheritance.rego). Categories of the same rank are not compared; unknown has
# no rank (it cannot prove a conflict).
restrictiveness := {
	"permissive": 0,
	"weak-copyleft": 1,
	"copyleft": 2,
	"rail": 2,
	"community": 2,
	"non-commercial": 3,
}

# What each category means, in one phrase, for messages.
category_meaning := {
	"permissive": "permissive",
	"weak-copyleft": "weak copyleft: changes to the licensed files must stay open",
	"copyleft": "copyleft: derivatives must use the same license",
	"non-commercial": "non-commercial: no commercial use",
	"rail": "OpenRAIL: use restrictions that pass to every derivative",
	"community": "community license: usage caps, naming rules and an acceptable-use policy",
	"unknown": "unknown: no license a policy can judge",
}
