"""An organisation's custom policies as an author writes them, for the bundle and OPA tests.

The rule module imports the library (`lib.finding`) and a helper package of its own that sits in
a folder sorting after it, and the helper reads the organisation's data (data.json): the layout
that an upload of modules one by one, sorted by name, cannot load on OPA.
"""

from __future__ import annotations

from pathlib import Path

RULE = """# The organisation's allow-list of model publishers.
package aiospo.rules.acme_allowlist

import data.acme.helpers
import data.aiospo.lib

# METADATA
# title: Model outside ACME's allow-list
# description: Only models from publishers on ACME's list may be used.
# custom:
#   id: acme/not-allowed
#   severity: deny
findings contains lib.finding("acme/not-allowed", "deny", msg, r.index) if {
	some r in input.references
	r.source == "huggingface"
	not helpers.allowed(r.id)
	msg := sprintf("%s is not from a publisher on ACME's list.", [r.id])
}
"""

HELPERS = """package acme.helpers

allowed(id) if {
	some prefix in data.lists.publishers
	startswith(id, prefix)
}
"""

DATA = '{"publishers": ["google-bert/"]}\n'

APP = '''from transformers import AutoModel, pipeline

model = AutoModel.from_pretrained("google-bert/bert-base-uncased")
translator = pipeline("translation", model="facebook/nllb-200-distilled-600M")
'''


def write_acme(folder: Path) -> Path:
    """The policies under folder: aaa_rules/ (the rule), zzz_helpers/ (the helper), lists/data.json."""
    for rel, text in {"aaa_rules/allowlist.rego": RULE, "zzz_helpers/helpers.rego": HELPERS, "lists/data.json": DATA}.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def flag_rule(package: str, rule: str) -> str:
    """A custom rule that flags every reference: which repository's policies decided shows."""
    return f"""package aiospo.rules.{package}

import data.aiospo.lib

findings contains lib.finding("{rule}", "warn", "flagged by {rule}", r.index) if {{
	some r in input.references
}}
"""


def write_project(folder: Path, files: dict[str, str] | None = None) -> Path:
    """A repository with two models: one from an allowed publisher, one not."""
    for rel, text in {"src/app.py": APP, **(files or {})}.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
