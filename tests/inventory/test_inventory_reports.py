"""The inventory renderers on hand-made scan results and facts: CycloneDX 1.6 (validated with
the schema cyclonedx-python-lib ships), markdown and CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aiospo_ci.codeowners import CodeOwners
from aiospo_ci.inventory import build_inventory
from aiospo_ci.model import Ancestor, DatasetFacts, HubFacts, ModelReference
from aiospo_ci.report.cyclonedx import render_cyclonedx
from aiospo_ci.report.inventory_csv import render_inventory_csv
from aiospo_ci.report.inventory_markdown import render_inventory_markdown

BERT_SHA = "86b5e0934494bd15c9632b12f734a8a67f723594"
MISTRAL_SHA = "7231864981174d9bee8c7687c24c8344414eae6b"
CODEOWNERS = "* @org/everyone\n/src/ @org/backend\n/src/search/ @org/search @alice\n"


def _references():
    return [
        ModelReference(file="src/search/index.py", line=12, id="google-bert/bert-base-uncased", call="transformers.AutoModel.from_pretrained", revision=BERT_SHA, pin="commit", column=5),
        ModelReference(file="src/app.py", line=3, id="google-bert/bert-base-uncased", call="transformers.AutoTokenizer.from_pretrained", revision=BERT_SHA, pin="commit"),
        ModelReference(file="configs/train.yaml", line=2, id="mistralai/Mistral-7B-v0.1", call="yaml:base_model"),
        ModelReference(file="src/chat.py", line=8, id="gpt-4o", source="api", provider="openai", call="openai.chat.completions.create"),
        ModelReference(file="models/clf.pt", line=1, id="models/clf.pt", source="file", call="weights:pytorch", detail=(("format", "pytorch"),)),
        ModelReference(file="src/legacy.py", line=6, id="./checkpoints/finetuned", source="local", call="transformers.AutoModel.from_pretrained"),
        ModelReference(file="src/eval.py", line=30, id="stanfordnlp/imdb", kind="dataset", call="datasets.load_dataset"),
        ModelReference(file="src/dyn.py", line=4, id="=cmd|' /C calc'!A0", source="unresolved", call="transformers.pipeline"),
    ]


def _facts():
    bert = HubFacts(
        id="google-bert/bert-base-uncased", sha=BERT_SHA, revision=BERT_SHA, resolved_commit=BERT_SHA, license="apache-2.0",
        pipeline_tag="fill-mask", library="transformers", datasets=("bookcorpus/bookcorpus", "wikimedia/wikipedia"),
        dataset_facts=(DatasetFacts(id="wikimedia/wikipedia", license="cc-by-sa-3.0"),), gated="false",
    )
    mistral = HubFacts(
        id="mistralai/Mistral-7B-v0.1", sha=MISTRAL_SHA, license="other", license_name="mistral-research",
        license_link="https://mistral.ai/licenses/MRL-0.1.md", pipeline_tag="text-generation",
        base_models=("mistralai/Mistral-base",),
        lineage=(Ancestor(id="mistralai/Mistral-base", depth=1, license="apache-2.0"), Ancestor(id="root-org/root", depth=2, license="mit")),
    )
    imdb = HubFacts(id="stanfordnlp/imdb", kind="dataset", sha="e6281661ce1c48d982bc483cf8a173c1bbeb5d31", license="other")
    return [bert, bert, mistral, None, None, None, imdb, None]


@pytest.fixture()
def inventory(tmp_path: Path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "clf.pt").write_bytes(b"not really weights")
    return build_inventory(_references(), _facts(), CodeOwners.parse(CODEOWNERS, "CODEOWNERS"), tmp_path, root_name="demo")


def _components(document):
    return {c["bom-ref"]: c for c in document["components"]}


def test_cyclonedx_validates_against_the_1_6_schema(inventory):
    text = render_cyclonedx(inventory)
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    assert errors is None, [str(e) for e in errors]
    assert json.loads(text)["specVersion"] == "1.6"


def test_the_validator_used_above_rejects_a_broken_bom(inventory):
    document = json.loads(render_cyclonedx(inventory))
    document["components"][0]["type"] = "not-a-type"
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document)) is not None


def test_hub_model_component(inventory):
    components = _components(json.loads(render_cyclonedx(inventory)))
    bert = components[f"pkg:huggingface/google-bert/bert-base-uncased@{BERT_SHA}"]
    assert bert["type"] == "machine-learning-model"
    assert bert["purl"] == f"pkg:huggingface/google-bert/bert-base-uncased@{BERT_SHA}"
    assert (bert["group"], bert["name"], bert["version"]) == ("google-bert", "bert-base-uncased", BERT_SHA)
    assert bert["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert bert["supplier"]["name"] == "google-bert"
    assert bert["modelCard"]["modelParameters"]["task"] == "fill-mask"
    assert bert["modelCard"]["modelParameters"]["datasets"] == [
        {"type": "dataset", "name": "bookcorpus/bookcorpus"},
        {"type": "dataset", "name": "wikimedia/wikipedia", "description": "license: cc-by-sa-3.0"},
    ]
    # Both uses, each with the owners of its own file (last CODEOWNERS match wins).
    occurrences = bert["evidence"]["occurrences"]
    assert [(o["location"], o["line"]) for o in occurrences] == [("src/app.py", 3), ("src/search/index.py", 12)]
    assert "owners: @org/backend;" in occurrences[0]["additionalContext"]
    assert "owners: @org/search @alice;" in occurrences[1]["additionalContext"]
    assert occurrences[1]["offset"] == 5
    props = [(p["name"], p["value"]) for p in bert["properties"]]
    assert ("aiospo:owner", "@alice") in props and ("aiospo:owner", "@org/backend") in props
    assert ("aiospo:use", "src/search/index.py:12 transformers.AutoModel.from_pretrained owners=@org/search @alice") in props


def test_base_models_are_pedigree_ancestors_and_other_license_is_named(inventory):
    components = _components(json.loads(render_cyclonedx(inventory)))
    mistral = components[f"pkg:huggingface/mistralai/mistral-7b-v0.1@{MISTRAL_SHA}"]
    assert mistral["licenses"] == [{"license": {"name": "mistral-research", "url": "https://mistral.ai/licenses/MRL-0.1.md"}}]
    ancestors = mistral["pedigree"]["ancestors"]
    assert [(a["purl"], a["licenses"][0]["license"]["id"]) for a in ancestors] == [
        ("pkg:huggingface/mistralai/mistral-base", "Apache-2.0"),
        ("pkg:huggingface/root-org/root", "MIT"),
    ]
    assert {"name": "aiospo:lineage-depth", "value": "2"} in ancestors[1]["properties"]


def test_api_local_file_dataset_and_unresolved_are_listed(inventory, tmp_path):
    components = _components(json.loads(render_cyclonedx(inventory)))
    assert set(components) == {
        f"pkg:huggingface/google-bert/bert-base-uncased@{BERT_SHA}",
        f"pkg:huggingface/mistralai/mistral-7b-v0.1@{MISTRAL_SHA}",
        "model:api:openai/gpt-4o",
        "model:file:models/clf.pt",
        "model:local:./checkpoints/finetuned",
        "dataset:huggingface:stanfordnlp/imdb@e6281661ce1c48d982bc483cf8a173c1bbeb5d31",
        "model:unresolved:=cmd|' /C calc'!A0",
    }
    weights = components["model:file:models/clf.pt"]
    assert weights["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(b"not really weights").hexdigest()}]
    assert components["dataset:huggingface:stanfordnlp/imdb@e6281661ce1c48d982bc483cf8a173c1bbeb5d31"]["type"] == "data"
    api = components["model:api:openai/gpt-4o"]
    assert {"name": "aiospo:provider", "value": "openai"} in api["properties"]
    assert api["evidence"]["occurrences"][0]["location"] == "src/chat.py"


def test_output_is_deterministic_and_the_serial_follows_the_content(inventory, tmp_path):
    first = render_cyclonedx(inventory)
    rebuilt = build_inventory(list(reversed(_references())), list(reversed(_facts())), CodeOwners.parse(CODEOWNERS, "CODEOWNERS"), tmp_path, root_name="demo")
    assert render_cyclonedx(rebuilt) == first
    assert "timestamp" not in json.loads(first)["metadata"]
    changed = build_inventory(_references()[:-1], _facts()[:-1], CodeOwners.parse(CODEOWNERS, "CODEOWNERS"), tmp_path, root_name="demo")
    assert json.loads(render_cyclonedx(changed))["serialNumber"] != json.loads(first)["serialNumber"]
    dated = build_inventory(_references(), _facts(), CodeOwners.parse(CODEOWNERS), tmp_path, root_name="demo", today="2026-11-26")
    assert json.loads(render_cyclonedx(dated))["metadata"]["timestamp"] == "2026-11-26T00:00:00Z"


def test_markdown_lists_every_model_with_its_uses_and_owners(inventory):
    text = render_inventory_markdown(inventory)
    assert text.startswith("# AI inventory: demo\n")
    assert "6 models and 1 dataset in 8 places in the code (owners from `CODEOWNERS`)." in text
    assert "| model | `google-bert/bert-base-uncased` | 86b5e0934494 | apache-2.0 | Hugging Face (google-bert) | fill-mask | @alice @org/backend @org/search | 2 |" in text
    assert "| `src/search/index.py:12` | transformers.AutoModel.from_pretrained | commit (86b5e0934494bd15c9632b12f734a8a67f723594) | @org/search @alice |" in text
    assert "Base models: `mistralai/Mistral-base`." in text
    assert "other: mistral-research" in text
    assert "| model | `gpt-4o` | - | n/a | API (openai) |" in text


def test_csv_has_one_row_per_use_and_defuses_formulas(inventory):
    rows = list(csv.DictReader(io.StringIO(render_inventory_csv(inventory))))
    assert len(rows) == 8
    bert_rows = [r for r in rows if r["id"] == "google-bert/bert-base-uncased"]
    assert [(r["file"], r["owners"], r["license"]) for r in bert_rows] == [
        ("src/app.py", "@org/backend", "apache-2.0"),
        ("src/search/index.py", "@org/search @alice", "apache-2.0"),
    ]
    weights = next(r for r in rows if r["source"] == "file")
    assert weights["sha256"] == hashlib.sha256(b"not really weights").hexdigest()
    unresolved = next(r for r in rows if r["source"] == "unresolved")
    assert unresolved["id"] == "'=cmd|' /C calc'!A0"
