"""Policies cannot read the process environment, on any engine (issue 11 §4).

A pull request's policy folder is Rego the gate evaluates; `opa.runtime().env` would hand it
every variable of the CI job (HF_TOKEN, GITHUB_TOKEN, OPA_TOKEN...), which it could put into a
finding message in a form no redaction recognises. Every engine `aiospo_ci/policy/engines.py`
can make is built here as the pipeline builds it - in-process engines, the OPA server aiospo-ci
starts itself (a stand-in `opa` executable that, like OPA, shows its own process environment to
`opa.runtime()`), and an OPA server at a URL - and asked for the environment it evaluates in.
"""

from __future__ import annotations

import os

import pytest

from aiospo_ci.policy import library
from aiospo_ci.policy.engines import ENGINES, make_engine
from tests.support.opa_server import fake_opa_binary

CANARIES = {
    "HF_TOKEN": "hf_envCanaryHubToken9Zq",
    "GITHUB_TOKEN": "ghp_envCanaryGitHubToken3Lm",
    "OPA_TOKEN": "opa-envCanaryBearer-7Wc",
    "AIOSPO_UNRELATED_SECRET": "envCanaryUnrelated5Rt",
}

# What the policy sees: the names and values of its environment, as plain text in findings.
SPY = """package aiospo.rules.spy

_env := e if {
	e := opa.runtime().env
} else := {}

findings contains {"rule": "spy/env-size", "severity": "info", "message": sprintf("%d", [count(_env)]), "ref": null}

findings contains {"rule": "spy/env", "severity": "info", "message": concat("=", [k, v]), "ref": null} if {
	some k, v in _env
}
"""


def engine_cases() -> list[tuple[str, str | None]]:
    """(engine choice, how OPA is reached) for every engine the factory knows; `opa` and `auto`
    both with the binary aiospo-ci starts and with a server at a URL."""
    cases: list[tuple[str, str | None]] = []
    for choice in ENGINES:
        cases.append((choice, "binary"))
        if choice in ("opa", "auto"):
            cases.append((choice, "url"))
    return cases


@pytest.fixture
def opa_bin(tmp_path, monkeypatch) -> str:
    binary = fake_opa_binary(tmp_path)
    monkeypatch.setenv("AIOSPO_OPA_BIN", binary)
    return binary


@pytest.fixture
def remote_opa(tmp_path):
    """An OPA server at a URL, as an organisation runs one: its own process, its own
    environment (here an empty one); aiospo-ci only talks to it over HTTP."""
    import socket
    import subprocess
    import time
    import urllib.request

    (tmp_path / "remote").mkdir()
    binary = fake_opa_binary(tmp_path / "remote")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([binary, "run", "--server", "--addr", f"127.0.0.1:{port}"], env={})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "the remote OPA did not start"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("choice, reach", engine_cases(), ids=lambda v: str(v))
def test_no_engine_shows_the_environment_to_a_policy(choice, reach, opa_bin, remote_opa, monkeypatch, tmp_path):
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    spy = tmp_path / "pr-policies"
    spy.mkdir()
    (spy / "spy.rego").write_text(SPY, encoding="utf-8")
    engine = make_engine(choice, remote_opa if reach == "url" else None)
    try:
        if engine.name == "regopy":
            # rego-cpp answers opa.runtime() from the live process: its loader refuses the call
            # outright (no verdict, exit 2), which is as closed as an empty environment.
            from aiospo_ci.errors import PolicyError

            with pytest.raises(PolicyError, match=r"spy\.rego:4: opa\.runtime\(\) gives policies the process environment"):
                engine.load(library.load_modules([spy]), library.load_data([spy]))
            return
        engine.load(library.load_modules([spy]), library.load_data([spy]))
        findings = engine.evaluate({"schema_version": 1, "today": "2026-11-26", "config": {}, "references": []})
    finally:
        engine.close()
    assert any(f["rule"] == "spy/env-size" for f in findings), findings  # the policy ran on this engine
    leaked = [v for v in CANARIES.values() if any(v in f["message"] for f in findings)]
    assert leaked == [], f"{engine.name} showed the environment to a policy"
    names = {f["message"].split("=", 1)[0] for f in findings if f["rule"] == "spy/env"}
    assert names == set(), f"{engine.name}: a policy saw {sorted(names)}"  # nothing of the environment at all
    assert os.environ["HF_TOKEN"] == CANARIES["HF_TOKEN"]  # the process's own environment is intact


def test_the_stand_in_opa_shows_its_environment_like_opa_does(tmp_path):
    """Guards the test above: started with a canary in its environment, the stand-in `opa`
    does show it, so an empty answer there means aiospo-ci gave it none."""
    import socket
    import subprocess
    import time

    from aiospo_ci.policy.opa import OpaServerEngine

    binary = fake_opa_binary(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([binary, "run", "--server", "--addr", f"127.0.0.1:{port}"], env={"HF_TOKEN": CANARIES["HF_TOKEN"]})
    try:
        engine = OpaServerEngine(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 20
        while not engine._client.check_health():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        spy = tmp_path / "spy"
        spy.mkdir()
        (spy / "spy.rego").write_text(SPY, encoding="utf-8")
        engine.load(library.load_modules([spy]), {})
        messages = [f["message"] for f in engine.evaluate({"schema_version": 1, "today": "2026-11-26", "config": {}, "references": []})]
        engine.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert f"HF_TOKEN={CANARIES['HF_TOKEN']}" in messages
