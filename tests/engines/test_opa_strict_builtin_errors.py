"""A builtin error on an OPA server is loud, as on OPA's Go evaluator in process and regorus.

Without `strict-builtin-errors`, an OPA server leaves an expression whose builtin fails
(`lower(null)`, a division by zero) undefined: the rule that called it finds nothing, and the
check passes with a finding missing. aiospo-ci asks every query with the parameter, so the
server answers HTTP 500 with OPA's error list and the run stops with exit 2 naming the call.

The server is tests/support/opa_server.py with OPA's Go evaluator behind it, honouring the
parameter as OPA's Data API does (checked first, so the tests below can fail)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import library
from aiospo_ci.policy.opa import OpaServerEngine
from tests.robustness.harness import Cli, write_tree
from tests.support.opa_reference import require_opa_bindings
from tests.support.opa_server import FakeOpaServer

# A custom rule that lowercases each reference's revision: null for an unpinned reference.
TEAM = """package aiospo.rules.team

import data.aiospo.lib

findings contains lib.finding("team/revision", "deny", msg, r.index) if {
	some r in input.references
	rev := lower(r.revision)
	msg := sprintf("%s is pinned to %s", [r.id, rev])
}
"""
APP = 'from transformers import AutoModel\n\nAutoModel.from_pretrained("org/pinned", revision="MAIN")\nAutoModel.from_pretrained("org/unpinned")\n'


@pytest.fixture
def opa() -> FakeOpaServer:
    require_opa_bindings()
    with FakeOpaServer(backend="opa-golib") as server:
        yield server


def _document(*revisions: str | None) -> dict:
    refs = [
        {"index": i, "id": f"org/m{i}", "kind": "model", "source": "huggingface", "file": "a.py", "line": i + 1, "pin": "none", "revision": rev, "flags": []}
        for i, rev in enumerate(revisions)
    ]
    return {"schema_version": 1, "today": "2026-11-26", "config": {}, "references": refs}


def test_the_server_leaves_a_failing_builtin_undefined_unless_asked_to_be_strict(opa):
    """OPA's Data API: the same query is a silent undefined without the parameter and HTTP 500
    with OPA's evaluation errors with it."""
    assert requests.put(f"{opa.url}/v1/policies/p", data="package p\n\nx := lower(input.n)\n\ny := 1\n", timeout=10).status_code == 200
    plain = requests.post(f"{opa.url}/v1/data/p/x", json={"input": {"n": None}}, timeout=10)
    assert (plain.status_code, plain.json()) == (200, {})
    assert requests.post(f"{opa.url}/v1/data/p/y", json={"input": {"n": None}}, params={"strict-builtin-errors": "true"}, timeout=10).json() == {"result": 1}
    for params in ({"strict-builtin-errors": "true"}, {"strict-builtin-errors": ""}):
        strict = requests.post(f"{opa.url}/v1/data/p/x", json={"input": {"n": None}}, params=params, timeout=10)
        assert strict.status_code == 500
        body = strict.json()
        assert (body["code"], body["message"]) == ("internal_error", "error(s) occurred while evaluating query")
        assert body["errors"] == [
            {"code": "eval_type_error", "message": "lower: operand 1 must be string but got null", "location": {"file": "p", "row": 3, "col": 1}}
        ]
    assert requests.post(f"{opa.url}/v1/data/p/x", json={"input": {"n": None}}, params={"strict-builtin-errors": "false"}, timeout=10).json() == {}


def test_without_the_parameter_the_finding_would_be_dropped(opa):
    """Why aiospo-ci asks to be strict: the decision itself answers, one finding short."""
    engine = OpaServerEngine(opa.url)
    engine.load({**library.load_modules([]), "policies/team.rego": TEAM}, {})
    try:
        run = next(r.path.split("/")[4] for r in opa.requests if r.method == "PUT" and r.path.startswith("/v1/policies/aiospo-ci/"))
        answer = requests.post(f"{opa.url}/v1/data/aiospo_ci_runs/{run}/aiospo/main/findings", json={"input": _document("main", None)}, timeout=30).json()
        rules = [(f["rule"], f["ref"]) for f in answer["result"] if f["rule"] == "team/revision"]
        assert rules == [("team/revision", 0)]  # the unpinned reference's finding is silently missing
        with pytest.raises(PolicyError) as raised:
            engine.evaluate(_document("main", None))
    finally:
        engine.close()
    message = str(raised.value)
    assert "failed to evaluate data.aiospo.main.findings" in message
    assert "lower: operand 1 must be string but got null (policies/team.rego:7)" in message
    assert "aiospo_ci_runs" not in message  # the run's namespace is taken out of OPA's words
    queries = [r.path for r in opa.requests if r.method == "POST" and "/aiospo/main/findings" in r.path]
    assert queries[-1].endswith("?strict-builtin-errors=true")


def test_check_on_an_opa_server_stops_at_a_builtin_error(tmp_path: Path, opa):
    """End to end: exit 2 naming the call and its line, where the server would have answered
    the decision without the failing finding; the embedded engine (regorus) agrees."""
    policies = write_tree(tmp_path / "policies", {"team.rego": TEAM})
    root = write_tree(tmp_path / "repo", {"src/app.py": APP})
    cli = Cli(tmp_path)
    common = ("check", "--offline", str(root), "--today", "2026-11-26", "--policy", str(policies), "--format", "json")
    via_opa = cli(*common, "--engine", "opa", "--opa-url", opa.url)
    assert via_opa.rc == 2, via_opa
    assert "lower: operand 1 must be string but got null" in via_opa.stderr and "team.rego:7" in via_opa.stderr, via_opa
    assert via_opa.stdout == ""
    embedded = cli(*common, "--engine", "regorus")
    assert embedded.rc == 2 and "lower" in embedded.stderr, embedded
    # Guarded, the same rule decides alike on both.
    (policies / "team.rego").write_text(TEAM.replace("\trev := lower(r.revision)\n", "\tis_string(r.revision)\n\trev := lower(r.revision)\n"), encoding="utf-8")
    results = [cli(*common, "--engine", "opa", "--opa-url", opa.url), cli(*common, "--engine", "regorus")]
    assert [r.rc for r in results] == [1, 1], results
    assert json.loads(results[0].stdout)["findings"] == json.loads(results[1].stdout)["findings"]
