"""Both engines behind PolicyEngine: the same decision, and no verdict is never a pass.

The OPA path runs opa-python-client over real HTTP against tests/support/opa_server.py, which
evaluates with an embedded engine or with OPA's own Go evaluator (opa-golib-python-bindings)."""

from __future__ import annotations

import json
import re

import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.embedded import EMBEDDED_ENGINES, embedded_engine
from aiospo_ci.policy.opa import OpaServerEngine
from aiospo_ci.policy.regorus_engine import RegorusEngine
from tests.support.opa_reference import require_opa_bindings
from tests.support.opa_server import FakeOpaServer

MAIN = """package aiospo.main

findings contains f if {
    some ref in input.references
    ref.pin == "none"
    f := {"rule": "test/unpinned", "severity": data.testdata.levels.none, "message": sprintf("%s is not pinned", [ref.id]), "ref": ref.index}
}

findings contains f if {
    some ref in input.references
    "trust_remote_code" in ref.flags
    f := {"rule": "test/trc", "severity": "deny", "message": sprintf("%s runs remote code", [ref.id]), "ref": ref.index}
}
"""
DATA = {"testdata": {"levels": {"none": "warn"}}}
INPUT = {
    "schema_version": 1,
    "today": "2026-11-26",
    "config": {},
    "references": [
        {"index": 0, "id": "gpt2", "pin": "none", "flags": []},
        {"index": 1, "id": "org/model", "pin": "commit", "flags": ["trust_remote_code"]},
        {"index": 2, "id": 'evil"} ; deny := true #', "pin": "none", "flags": []},
    ],
}


def canonical(findings):
    return sorted(json.dumps(f, sort_keys=True) for f in findings)


@pytest.fixture(params=[*EMBEDDED_ENGINES, "opa-golib"])
def opa_server(request):
    if request.param == "opa-golib":
        require_opa_bindings()
    with FakeOpaServer(backend=request.param) as server:
        yield server


def test_embedded_engine_decides():
    engine = embedded_engine()
    engine.load({"main.rego": MAIN}, DATA)
    findings = engine.evaluate(INPUT)
    assert canonical(findings) == canonical(
        [
            {"rule": "test/unpinned", "severity": "warn", "message": "gpt2 is not pinned", "ref": 0},
            {"rule": "test/trc", "severity": "deny", "message": "org/model runs remote code", "ref": 1},
            {"rule": "test/unpinned", "severity": "warn", "message": 'evil"} ; deny := true # is not pinned', "ref": 2},
        ]
    )


def test_opa_engine_matches_embedded_in_one_query(opa_server):
    embedded = embedded_engine()
    embedded.load({"main.rego": MAIN}, DATA)
    engine = OpaServerEngine(opa_server.url)
    engine.load({"main.rego": MAIN}, DATA)
    findings = engine.evaluate(INPUT)
    engine.close()
    assert canonical(findings) == canonical(embedded.evaluate(INPUT))
    queries = [r for r in opa_server.requests if r.method == "POST"]
    # One query for the run, in the run's own namespace (tests/engines/test_opa_isolation.py).
    [run] = re.findall(r"^/v1/data/aiospo_ci_runs/(r[0-9a-f]{16})/aiospo/main/findings\?strict-builtin-errors=true$", queries[0].path)
    assert len(queries) == 1
    puts = sorted(r.path for r in opa_server.requests if r.method == "PUT")
    assert puts == [f"/v1/data/aiospo_ci_runs/{run}", f"/v1/policies/aiospo-ci/{run}/main.rego"]
    deletes = [r.path for r in opa_server.requests if r.method == "DELETE"]
    assert deletes == [f"/v1/policies/aiospo-ci/{run}/main.rego", f"/v1/data/aiospo_ci_runs/{run}"]  # nothing left behind
    # Scanned strings reach OPA only as JSON input, never as policy text.
    assert b"evil" in queries[0].body and all(b"evil" not in r.body for r in opa_server.requests if r.method == "PUT")


@pytest.mark.parametrize("name", EMBEDDED_ENGINES)
def test_each_embedded_engine_decides(name):
    engine = embedded_engine(name)
    engine.load({"main.rego": MAIN}, DATA)
    assert canonical(engine.evaluate(INPUT)) == canonical(_expected())


def _expected():
    return [
        {"rule": "test/unpinned", "severity": "warn", "message": "gpt2 is not pinned", "ref": 0},
        {"rule": "test/trc", "severity": "deny", "message": "org/model runs remote code", "ref": 1},
        {"rule": "test/unpinned", "severity": "warn", "message": 'evil"} ; deny := true # is not pinned', "ref": 2},
    ]


def test_embedded_is_regorus_where_it_is_installed():
    assert embedded_engine().name == "regorus"


def test_regopy_compile_error_names_the_module():
    engine = embedded_engine("regopy")
    with pytest.raises(PolicyError, match="broken.rego: Invalid assignment operator"):
        engine.load({"broken.rego": "package aiospo.main\nfindings contains f if { f := }\n"}, {})


def test_regorus_compile_error_names_the_module_line_and_message():
    with pytest.raises(PolicyError, match=r"broken.rego:2:\d+: expecting "):
        RegorusEngine().load({"broken.rego": "package aiospo.main\nfindings contains f if { f := }\n"}, {})


def test_an_evaluation_error_carries_the_engine_message_and_place():
    """regorus stops on an evaluation error as OPA does (regopy answers undefined: rego/README.md)."""
    engine = RegorusEngine()
    engine.load({"main.rego": "package aiospo.main\n\nfindings := [x | x := 1 / count(input.references)]\n"}, {})
    with pytest.raises(PolicyError, match=r"main.rego:3:\d+: divide by zero"):
        engine.evaluate({"references": []})


RUNTIME_POLICY = "package p\n\nenv := opa.runtime().env\n\nruntime := opa.runtime()\n"


def test_regorus_gives_policies_no_process_environment(monkeypatch):
    monkeypatch.setenv("AIOSPO_ENGINE_SECRET", "s3cr3t-value")
    engine = RegorusEngine()
    engine.load({"p.rego": RUNTIME_POLICY}, {})
    from aiospo_ci.policy.interface import UNDEFINED

    assert engine.query_value("data.p.env", {}) is UNDEFINED
    assert "s3cr3t-value" not in json.dumps(engine.query_value("data.p.runtime", {}))


def test_regopy_refuses_opa_runtime_which_holds_the_environment(monkeypatch):
    """rego-cpp's opa.runtime().env is the whole process environment (tokens included)."""
    engine = embedded_engine("regopy")
    with pytest.raises(PolicyError, match=r"p.rego:3: opa.runtime\(\) .*process environment"):
        engine.load({"p.rego": RUNTIME_POLICY}, {})
    with pytest.raises(PolicyError, match="opa.runtime"):
        embedded_engine("regopy").load({"q.rego": "package q\n\nx := opa . runtime ( )\n"}, {})


def test_embedded_undefined_decision_is_an_error():
    engine = embedded_engine()
    engine.load({"other.rego": "package other\nx := 1\n"}, {})
    with pytest.raises(PolicyError, match="undefined"):
        engine.evaluate(INPUT)


def test_opa_rejected_policy_is_an_error_with_opa_message(opa_server):
    engine = OpaServerEngine(opa_server.url)
    with pytest.raises(PolicyError, match=r"rejected policy broken.rego"):
        engine.load({"broken.rego": "package aiospo.main\nfindings contains f if { f := }\n"}, {})


def test_opa_undefined_decision_is_an_error(opa_server):
    engine = OpaServerEngine(opa_server.url)
    engine.load({"other.rego": "package other\nx := 1\n"}, {})
    with pytest.raises(PolicyError, match="undefined"):
        engine.evaluate(INPUT)


def test_opa_server_errors_are_errors():
    with FakeOpaServer() as server:
        engine = OpaServerEngine(server.url)
        engine.load({"main.rego": MAIN}, DATA)
        server.state.fail_with = 500
        with pytest.raises(PolicyError, match="HTTP 500: injected failure"):
            engine.evaluate(INPUT)


def test_opa_slow_server_times_out_as_an_error():
    with FakeOpaServer() as server:
        engine = OpaServerEngine(server.url, timeout=0.3)
        engine.load({"main.rego": MAIN}, DATA)
        server.state.delay = 1.0
        with pytest.raises(PolicyError, match="failed to evaluate"):
            engine.evaluate(INPUT)


def test_opa_unreachable_is_an_error():
    with FakeOpaServer() as server:
        url = server.url
    with pytest.raises(PolicyError, match="not reachable"):
        OpaServerEngine(url, timeout=0.5).load({"main.rego": MAIN}, DATA)


def test_opa_bearer_token_is_sent_and_never_echoed():
    token = "opa-secret-token-123456"
    with FakeOpaServer() as server:
        server.state.token = token
        engine = OpaServerEngine(server.url, token=token)
        engine.load({"main.rego": MAIN}, DATA)
        assert engine.evaluate(INPUT)
        assert all(r.headers.get("Authorization") == f"Bearer {token}" for r in server.requests if r.path.startswith("/v1"))
        wrong = OpaServerEngine(server.url, token="wrong-token-abcdef")
        with pytest.raises(PolicyError) as err:
            wrong.load({"main.rego": MAIN}, DATA)
        assert token not in str(err.value) and "wrong-token-abcdef" not in str(err.value)


def test_opa_url_with_path_is_refused():
    with pytest.raises(PolicyError, match="has a path"):
        OpaServerEngine("http://127.0.0.1:8181/v1/data")
