"""The fixers on the call shapes real code has: each file still parses, every byte outside the
edit is kept, and the scanner reads the result as pinned to the commit."""

from __future__ import annotations

import ast
import difflib
import json

from ruamel.yaml import YAML

from aiospo_ci.fix.interface import Edit
from aiospo_ci.fix.json_config import JsonFixer
from aiospo_ci.fix.plan import edits_for
from aiospo_ci.fix.python import PythonFixer
from aiospo_ci.fix.yaml_config import YamlFixer
from aiospo_ci.model import HubFacts
from aiospo_ci.scan.configs import JsonScanner, YamlScanner
from aiospo_ci.scan.python import PythonScanner

SHA = "0e9e39f249a16976918f6564b8830bc894c89659"

PYTHON = '''"""Loader calls in the shapes real code uses."""
import os

from datasets import load_dataset
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer, pipeline

BRANCH = "main"

# keyword argument, one line, with a trailing comment
tok = AutoTokenizer.from_pretrained(pretrained_model_name_or_path="org/keyword")  # tokenizer

# positional, spread over lines, trailing comma, comments inside
model = AutoModelForCausalLM.from_pretrained(
    "org/multi",  # the base
    torch_dtype="auto",  # bf16 where supported
    trust_remote_code=True,
)

# an existing branch revision in single quotes
legacy = AutoModel.from_pretrained('org/branch', revision='main', use_safetensors=False)

# one argument on its own line, no trailing comma
lone = AutoModel.from_pretrained(
    "org/lone"
)

# the model from a variable with a default, through pipeline()
MODEL = os.environ.get("MODEL", "org/env-default")
chat = pipeline("text-generation", model=MODEL)

data = load_dataset("org/data", split="train")

# a revision from a variable cannot be fixed here
var = AutoModel.from_pretrained("org/var", revision=BRANCH)

# unicode before the call: the scanner counts bytes, libcst characters
naïve = AutoModel.from_pretrained("org/unicode")
'''

FACTS_BY_ID = {
    "org/var": None,  # not needed: its revision is a variable
}


def _facts(ref) -> HubFacts:
    return HubFacts(id=ref.id, kind=ref.kind, status="ok", sha=SHA, resolved_commit=SHA if ref.pin == "mutable" else None,
                    has_custom_code=False, has_safetensors=True)


def _fix_python(source: str):
    refs = PythonScanner().scan("src/app.py", source.encode())
    edits, skipped = edits_for(refs, [_facts(r) for r in refs])
    return refs, PythonFixer().fix(source, edits), skipped


def _changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_python_call_shapes_are_pinned_and_every_other_byte_kept():
    refs, fixed, skipped = _fix_python(PYTHON)
    ast.parse(fixed.text)
    removed, added = _changed_lines(PYTHON, fixed.text)
    assert removed == [
        'tok = AutoTokenizer.from_pretrained(pretrained_model_name_or_path="org/keyword")  # tokenizer',
        "    trust_remote_code=True,",
        "legacy = AutoModel.from_pretrained('org/branch', revision='main', use_safetensors=False)",
        '    "org/lone"',
        'chat = pipeline("text-generation", model=MODEL)',
        'data = load_dataset("org/data", split="train")',
        'naïve = AutoModel.from_pretrained("org/unicode")',
    ]
    assert added == [
        f'tok = AutoTokenizer.from_pretrained(pretrained_model_name_or_path="org/keyword", revision="{SHA}")  # tokenizer',
        f'    revision="{SHA}",',
        f"legacy = AutoModel.from_pretrained('org/branch', revision='{SHA}', use_safetensors=True)",
        '    "org/lone",',
        f'    revision="{SHA}"',
        f'chat = pipeline("text-generation", model=MODEL, revision="{SHA}")',
        f'data = load_dataset("org/data", split="train", revision="{SHA}")',
        f'naïve = AutoModel.from_pretrained("org/unicode", revision="{SHA}")',
    ]
    not_fixed = list(skipped) + list(fixed.skipped)
    assert [s.edit.model for s in not_fixed] == ["org/var"]
    assert "pin the value it comes from" in not_fixed[0].reason


def test_rescanning_the_fixed_python_finds_every_fixable_reference_pinned():
    _, fixed, _ = _fix_python(PYTHON)
    again = {r.id: r for r in PythonScanner().scan("src/app.py", fixed.text.encode())}
    for model in ("org/keyword", "org/multi", "org/branch", "org/lone", "org/env-default", "org/data", "org/unicode"):
        assert (again[model].pin, again[model].revision) == ("commit", SHA), model
    assert "trust_remote_code" not in again["org/multi"].flags
    assert "use_safetensors_false" not in again["org/branch"].flags
    assert again["org/var"].pin == "mutable"
    _, refixed, _ = _fix_python(fixed.text)
    assert refixed.text == fixed.text  # a second run has nothing left to do


def test_trust_remote_code_is_kept_when_the_model_ships_code():
    source = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/custom", trust_remote_code=True)\n'
    refs = PythonScanner().scan("a.py", source.encode())
    facts = [HubFacts(id="org/custom", status="ok", sha=SHA, has_custom_code=True)]
    edits, _ = edits_for(refs, facts)
    assert [e.action for e in edits] == ["pin"]
    assert "trust_remote_code=True" in PythonFixer().fix(source, edits).text


def test_kwargs_and_unparsable_files_are_reported_not_guessed():
    source = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m", **options)\n'
    refs = PythonScanner().scan("a.py", source.encode())
    edits, _ = edits_for(refs, [_facts(r) for r in refs])
    fixed = PythonFixer().fix(source, edits)
    assert fixed.text == source and "**kwargs" in fixed.skipped[0].reason
    broken = PythonFixer().fix("def f(:\n", edits)
    assert broken.text == "def f(:\n" and "does not parse" in broken.skipped[0].reason


YAML_TEXT = """# axolotl fine-tuning config
defaults: &defaults
  base_model: org/anchored   # shared by both stages
  trust_remote_code: false

stage1:
  <<: *defaults
  learning_rate: 2.0e-5

stage2:
  base_model: "org/quoted"
  revision: main   # track the branch

adapters:
  - base_model: org/in-a-list
    lora_r: 8
flow: {base_model: org/flow}
"""


def _fix_yaml(text: str):
    refs = YamlScanner().scan("configs/train.yaml", text.encode())
    edits, _ = edits_for(refs, [_facts(r) for r in refs])
    return refs, YamlFixer().fix(text, edits)


def test_yaml_revision_next_to_the_model_key_keeps_comments_and_anchors():
    refs, fixed = _fix_yaml(YAML_TEXT)
    assert {r.id for r in refs} == {"org/anchored", "org/quoted", "org/in-a-list", "org/flow"}
    removed, added = _changed_lines(YAML_TEXT, fixed.text)
    assert removed == ["  revision: main   # track the branch"]
    assert added == [f"  revision: {SHA}", f"  revision: {SHA}   # track the branch", f"    revision: {SHA}"]
    assert [s.edit.model for s in fixed.skipped] == ["org/flow"] and "flow mapping" in fixed.skipped[0].reason
    document = YAML(typ="rt").load(fixed.text)
    assert document["stage1"]["revision"] == SHA  # through the anchor's merge key
    assert document["stage2"]["revision"] == SHA and document["adapters"][0]["revision"] == SHA
    again = {r.id: r for r in YamlScanner().scan("configs/train.yaml", fixed.text.encode())}
    assert all(again[m].pin == "commit" for m in ("org/anchored", "org/quoted", "org/in-a-list"))


JSON_TEXT = """{
  "base_model_name_or_path": "org/base",
  "peft_type": "LORA",
  "r": 8,
  "nested": {"model_name_or_path": "org/inline", "revision": "v1.0"}
}
"""


def test_json_revision_in_the_object_that_names_the_model():
    refs = JsonScanner().scan("adapter/adapter_config.json", JSON_TEXT.encode())
    edits, _ = edits_for(refs, [_facts(r) for r in refs])
    fixed = JsonFixer().fix(JSON_TEXT, edits)
    removed, added = _changed_lines(JSON_TEXT, fixed.text)
    assert removed == ['  "nested": {"model_name_or_path": "org/inline", "revision": "v1.0"}']
    assert added == [f'  "revision": "{SHA}",', f'  "nested": {{"model_name_or_path": "org/inline", "revision": "{SHA}"}}']
    parsed = json.loads(fixed.text)
    assert parsed["revision"] == SHA and parsed["nested"]["revision"] == SHA
    assert list(parsed) == ["base_model_name_or_path", "revision", "peft_type", "r", "nested"]


def test_unknown_commit_is_listed_with_the_way_to_get_one():
    source = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m")\n'
    refs = PythonScanner().scan("a.py", source.encode())
    edits, skipped = edits_for(refs, [HubFacts(id="org/m", status="unknown", origin="none")])
    assert edits == [] and "aiospo-ci lock" in skipped[0].reason


def test_edit_descriptions_name_the_change():
    assert Edit("a.py", 1, 1, "org/m", "pin", SHA).describe() == f"pin org/m to {SHA}"
