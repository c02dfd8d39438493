"""The published JSON Schemas describe what the pipeline sends and what the policies answer."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.support.policy_corpus import embedded_decision

SCHEMAS = Path(__file__).resolve().parents[2] / "aiospo_ci" / "schemas"
CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.json"))


def _validator(name: str):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_corpus_input_and_config_is_valid():
    inputs = _validator("input.schema.json")
    config = _validator("config.schema.json")
    for path in CORPUS:
        document = json.loads(path.read_text(encoding="utf-8"))["input"]
        inputs.validate(document)
        config.validate(document["config"])


def test_every_finding_matches_the_finding_schema():
    findings = _validator("finding.schema.json")
    seen = 0
    for path in CORPUS:
        for finding in embedded_decision(path.name):
            findings.validate(finding)
            seen += 1
    assert seen > 50


def test_schemas_reject_what_they_should():
    with pytest.raises(jsonschema.ValidationError):
        _validator("finding.schema.json").validate({"rule": "x/y", "severity": "fatal", "message": "m", "ref": None, "waived": False, "waiver": None})
    with pytest.raises(jsonschema.ValidationError):
        _validator("input.schema.json").validate({"schema_version": 1, "today": "26/11/2026", "config": {}, "references": []})
