"""The example custom policies show up in every report format without code changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiospo_ci.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
custom:
  org_allowlist:
    allowed_orgs: [google-bert, sentence-transformers]
approved_models:
  - id: google-bert/*
    owner: nlp@example.com
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    config = tmp / "aiospo.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    out = {}
    for fmt in ("text", "json", "sarif"):
        target = tmp / f"report.{fmt}"
        code = main([
            "check", str(ROOT / "examples" / "demo"), "--offline", "--today", "2026-11-26", "--cache-dir", str(tmp / "cache"),
            "--config", str(config), "--policy", str(ROOT / "examples" / "policies"), "--format", fmt, "--output", str(target),
        ])
        assert code == 1
        out[fmt] = target.read_text(encoding="utf-8")
    return out


def test_text_report_lists_the_custom_findings(reports):
    text = reports["text"]
    assert "deny org/not-allowed meta-llama/Llama-3.1-8B-Instruct is published by 'meta-llama'" in text
    assert "deny owner/missing meta-llama/Llama-3.1-8B-Instruct is used in production code (src/app.py)" in text


def test_json_report_carries_custom_rules(reports):
    findings = json.loads(reports["json"])["findings"]
    rules = {f["rule"] for f in findings}
    assert {"org/not-allowed", "owner/missing"} <= rules


def test_sarif_describes_custom_rules_from_their_metadata(reports):
    sarif = json.loads(reports["sarif"])
    driver_rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert driver_rules["org/not-allowed"]["shortDescription"]["text"] == "Model from an organisation outside the allow-list"
    assert "owner/missing" in driver_rules
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"org/not-allowed", "owner/missing"}
