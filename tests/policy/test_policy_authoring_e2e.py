"""The policy author's path end to end, as a user runs it.

- `check` with the shipped examples and a custom policy that calls lib.finding, both loaded
  from `policy_dirs` in .aiospo.yaml, gives byte-identical findings on regorus, regopy and OPA's
  Go evaluator (in process: no server, no binary);
- `policy test --engine both --coverage` passes the library's and the examples' tests on the
  embedded engine and on OPA, with coverage printed;
- `check --dump-input` writes the document `policy eval --input` then judges to the same
  findings, and it carries the CODEOWNERS owners of each reference.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aiospo_ci.cli import main
from tests.support.opa_reference import require_opa_bindings

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-26"
ENGINES = ("regorus", "regopy", "opa")

CUSTOM = """package aiospo.rules.size

import data.aiospo.lib

# METADATA
# title: Large model in a service
# description: A model of more than 5 billion parameters in src/ needs a capacity review.
# custom:
#   id: size/large-model
#   severity: warn
#   config: custom.size.max_parameters
findings contains lib.finding("size/large-model", "warn", msg, r.index) if {
	some r in input.references
	startswith(r.file, "src/")
	is_number(r.facts.parameter_count) # a fact the Hub did not give is null, which regopy orders above numbers
	r.facts.parameter_count > _limit
	msg := sprintf("%s has %v parameters (limit %v); book a capacity review.", [lib.name(r), r.facts.parameter_count, _limit])
}

_limit := n if {
	n := lib.config.custom.size.max_parameters
	is_number(n)
} else := 5000000000
"""

CONFIG = """\
policy_dirs: [policies/examples, policies/mine]
custom:
  org_allowlist:
    allowed_orgs: [google-bert, sentence-transformers]
  size:
    max_parameters: 1000000000
approved_models:
  - id: google-bert/*
    owner: nlp@example.com
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo repository with the examples and a custom policy in policy_dirs."""
    require_opa_bindings()
    root = tmp_path_factory.mktemp("e2e") / "demo"
    shutil.copytree(ROOT / "examples" / "demo", root)
    shutil.copytree(ROOT / "examples" / "policies", root / "policies" / "examples")
    (root / "policies" / "mine").mkdir(parents=True)
    (root / "policies" / "mine" / "size.rego").write_text(CUSTOM, encoding="utf-8")
    (root / "policies" / "mine" / "config.schema.json").write_text(
        json.dumps({"type": "object", "additionalProperties": False, "properties": {"max_parameters": {"type": "integer", "minimum": 1}}}), encoding="utf-8"
    )
    (root / ".aiospo.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "CODEOWNERS").write_text("* @org/everyone\nsrc/ @org/ml-platform ml@example.com\n", encoding="utf-8")
    return root


def _check(root: Path, engine: str, tmp: Path, hub, *extra: str) -> tuple[int, str]:
    out = tmp / f"report-{engine}.json"
    code = main(["check", str(root), "--hub-endpoint", hub.url, "--today", TODAY, "--engine", engine, "--cache-dir", str(tmp / f"cache-{engine}"),
                 "--format", "json", "--output", str(out), *extra])
    return code, out.read_text(encoding="utf-8")


def test_examples_and_a_custom_policy_decide_alike_on_every_engine(demo: Path, tmp_path: Path, hub_server, monkeypatch):
    monkeypatch.setenv("AIOSPO_OPA_BIN", str(tmp_path / "no-opa"))  # --engine opa: the Go evaluator in process
    monkeypatch.delenv("HF_TOKEN", raising=False)
    reports = {}
    for engine in ENGINES:
        code, text = _check(demo, engine, tmp_path, hub_server)
        assert code == 1, engine
        reports[engine] = text
    assert reports["regorus"] == reports["regopy"] == reports["opa"]
    report = json.loads(reports["regorus"])
    refs = report["references"]
    fired = {(f["rule"], refs[f["ref"]]["id"]) for f in report["findings"] if f["ref"] is not None}
    assert ("org/not-allowed", "meta-llama/Llama-3.1-8B-Instruct") in fired
    assert ("org/not-allowed", "google-bert/bert-base-uncased") not in fired
    assert ("owner/missing", "meta-llama/Llama-3.1-8B-Instruct") in fired
    # the custom rule reads the parameter counts the Hub's safetensors metadata gives
    assert {model for rule, model in fired if rule == "size/large-model"} == {"meta-llama/Llama-3.1-8B-Instruct", "microsoft/phi-2"}
    large = next(f for f in report["findings"] if f["rule"] == "size/large-model" and refs[f["ref"]]["id"] == "microsoft/phi-2")
    assert "has 2779683840 parameters (limit 1000000000)" in large["message"]


def test_a_misspelt_key_of_the_custom_policy_stops_the_check(demo: Path, tmp_path: Path, capsys):
    root = tmp_path / "demo"
    shutil.copytree(demo, root)
    (root / ".aiospo.yaml").write_text(CONFIG.replace("max_parameters:", "max_paramters:"), encoding="utf-8")
    assert main(["check", str(root), "--offline", "--today", TODAY, "--engine", "regorus", "--cache-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "key custom.size: Additional properties are not allowed ('max_paramters' was unexpected)" in err
    assert "policies/mine/config.schema.json" in err


def test_policy_test_both_engines_with_coverage_over_the_library_and_examples(capsys):
    require_opa_bindings()
    from aiospo_ci.policy.testing import discover_tests, test_modules

    examples = ROOT / "examples" / "policies"
    code = main(["policy", "test", "--engine", "both", "--coverage", str(examples)])
    out = capsys.readouterr().out
    print(out)  # the coverage, in the test log
    assert code == 0, out
    count = len(discover_tests(test_modules([examples])))
    assert count >= 159  # the library's tests and the examples'
    assert out.count(f"PASS: {count}/{count}") == 2
    assert "engine: regorus" in out and "engine: opa" in out
    for engine in ("regorus", "opa"):
        assert f"coverage ({engine}):" in out
    assert "examples/policies/org_allowlist/org_allowlist.rego  100.0%" in out
    assert "engines disagree" not in out


def test_dump_input_is_what_policy_eval_judges(demo: Path, tmp_path: Path, hub_server, capsys, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    dumped = tmp_path / "input.json"
    code, text = _check(demo, "regorus", tmp_path, hub_server, "--dump-input", str(dumped))
    assert code == 1
    document = json.loads(dumped.read_text(encoding="utf-8"))
    by_file = {r["file"]: r["owners"] for r in document["references"]}
    assert by_file["src/app.py"] == ["@org/ml-platform", "ml@example.com"]
    assert by_file["configs/train.yaml"] == ["@org/everyone"]
    llama = next(r for r in document["references"] if r["id"] == "meta-llama/Llama-3.1-8B-Instruct")
    assert (llama["facts"]["pipeline_tag"], llama["facts"]["library"]) == ("text-generation", "transformers")
    assert (llama["facts"]["parameter_count"], llama["facts"]["tensor_types"]) == (8030261248, ["BF16"])
    policies = [str(demo / "policies" / "examples"), str(demo / "policies" / "mine")]
    capsys.readouterr()
    assert main(["policy", "eval", "--input", str(dumped), *sum((["--policy", p] for p in policies), [])]) == 0
    evaluated = json.loads(capsys.readouterr().out)
    reported = json.loads(text)["findings"]
    key = lambda f: (f["rule"], f["ref"], f["severity"], f["message"], f["waived"])  # noqa: E731
    assert sorted(map(key, evaluated)) == sorted(map(key, reported))
