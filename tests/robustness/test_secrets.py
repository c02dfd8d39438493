"""Tokens never leave the process except in the Authorization header they are meant for.

HF_TOKEN, GITHUB_TOKEN and OPA_TOKEN are set to distinctive values; every command aiospo-ci has
runs as a whole process against the local Hub and OPA servers (working and failing, with
--explain and --debug), in every format, under the embedded engine, an OPA server at a URL and
the OPA server aiospo-ci starts itself; and then every byte it produced - stdout, stderr,
report files, the lockfile, SARIF, the Hub cache, anything written under the test's folders -
is searched for the values, for long pieces of them and for the encodings a policy could hide
them in. The repository under review carries a policy (loaded through its own .aiospo.yaml)
that tries to read the tokens from the environment and print them, encoded, in its findings.
The test also proves the tokens were really in use (the servers recorded them) and that the
spying policy really ran, so nothing passes vacuously.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests.robustness.harness import BROKEN_POLICY, closed_port_url, fault_env, write_tree
from tests.support.opa_server import FakeOpaServer, fake_opa_binary

TOKENS = {
    "HF_TOKEN": "hf_QzX9leakcanaryHubToken7Vw3",
    "GITHUB_TOKEN": "ghp_leakcanaryGitHubToken4Kp8Rt2",
    "OPA_TOKEN": "opa-leakcanary-BearerToken-5Mn6",
}
# Pieces long enough to be unmistakable: a truncated token (`token[:12] + '...'`) is a leak too.
PIECE = 12


def pieces(value: str, size: int = PIECE) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value) - size + 1)]


def disguises(value: str) -> list[str]:
    """The token and the forms the spying policy below writes it in."""
    return [value, value[::-1], value.upper(), " ".join(value), base64.b64encode(value.encode()).decode(), value.encode().hex()]


def leaks(blob: bytes) -> list[str]:
    found = []
    for name, value in TOKENS.items():
        for form in disguises(value):
            # a disguise spreads the token out (hex, spaced, base64): longer pieces, so the
            # parts the tokens share ("leakcanary") do not match another token's
            for piece in pieces(form, PIECE * -(-len(form) // len(value))):
                for encoded in (piece.encode(), piece.encode("utf-16-le")):
                    if encoded in blob:
                        found.append(name)
    return sorted(set(found))


#: The pull request's own policy: it reads every token-like variable it can see and writes it
#: into findings, plain and disguised, so that redaction of the plain value would not catch it.
SPY_POLICY = """package aiospo.rules.spy

_env := e if {
	e := opa.runtime().env
} else := {}

findings contains {"rule": "spy/ran", "severity": "info", "message": sprintf("spy saw %v variables", [count(_env)]), "ref": null}

findings contains {"rule": "spy/read", "severity": "info", "message": m, "ref": null} if {
	some name, value in _env
	contains(name, "TOKEN")
	some m in [value, strings.reverse(value), upper(value), concat(" ", split(value, "")), base64.encode(value), hex.encode(value)]
}
"""
SPY_TEST = """package aiospo_test.spy

import data.aiospo.rules.spy

test_the_spy_runs if {
	some f in spy.findings
	f.rule == "spy/ran"
}
"""


def search_tree(root: Path) -> dict[str, list[str]]:
    """Every file under root (the cache, HF_HOME, reports, lockfile) that holds a token piece."""
    hits = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found = leaks(path.read_bytes())
            if found:
                hits[str(path.relative_to(root))] = found
    return hits


@pytest.fixture
def secret_cli(cli):
    cli.env.update(TOKENS)
    return cli


@pytest.fixture
def opa_with_token():
    with FakeOpaServer() as server:
        server.state.token = TOKENS["OPA_TOKEN"]  # answers 401 without the right bearer token
        yield server


def test_the_leak_detector_finds_what_it_looks_for():
    """The search below can fail: a token, a truncated token, a UTF-16 copy and every disguise
    the spying policy uses are all found."""
    assert leaks(f"Authorization: Bearer {TOKENS['HF_TOKEN']}".encode()) == ["HF_TOKEN"]
    assert leaks(TOKENS["OPA_TOKEN"][:14].encode())
    assert leaks(TOKENS["GITHUB_TOKEN"].encode("utf-16-le"))
    for form in disguises(TOKENS["HF_TOKEN"])[1:]:
        assert leaks(f'"message": "{form}"'.encode()) == ["HF_TOKEN"], form
    assert not leaks(b"Authorization: Bearer ***")


def test_the_spying_policy_finds_tokens_where_the_environment_is_visible(tmp_path):
    """Guards the search below: given an environment holding a token, the spy writes it out in
    every disguise (rego-cpp evaluating with the environment in view, as OPA does)."""
    import subprocess
    import sys

    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1])\n"
        "from tests.support.opa_server import _evaluate_raw\n"
        "print(json.dumps(_evaluate_raw({'spy.rego': sys.argv[2]}, {}, 'x := data.aiospo.rules.spy.findings', {})))\n"
    )
    repo = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-c", script, repo, SPY_POLICY], env={"HF_TOKEN": TOKENS["HF_TOKEN"]},
                          capture_output=True, text=True, check=True)
    assert leaks(done.stdout.encode()) == ["HF_TOKEN"]


def test_no_token_in_any_artefact_of_any_command(secret_cli, project, hub_server, opa_with_token, tmp_path):
    cli = secret_cli
    hub = ["--hub-endpoint", hub_server.url]
    opa = ["--engine", "opa", "--opa-url", opa_with_token.url]
    out = tmp_path / "out"
    out.mkdir()
    runs = []
    # the pull request's configuration loads its own spying policy
    spy_config = "policy_dirs: [pr-policies]\n"
    write_tree(project, {".aiospo.yaml": spy_config, "pr-policies/spy.rego": SPY_POLICY, "pr-policies/spy_test.rego": SPY_TEST})
    # the OPA server aiospo-ci starts itself (a stand-in `opa` that shows its environment to
    # opa.runtime(), as OPA does)
    (tmp_path / "opa-bin").mkdir()
    local_opa = {"AIOSPO_OPA_BIN": fake_opa_binary(tmp_path / "opa-bin")}

    def run(expected: tuple[int, ...], *args: str, env=None):
        result = cli(*args, env=env)
        assert result.rc in expected, result  # so every error path below was really taken
        runs.append(result)
        return result

    # every command and report format, through OPA (which demands its token), the OPA server
    # aiospo-ci starts, and the embedded engine
    run((1,), "check", str(project), "--format", "text", "--explain", "--verbose", *opa, *hub)
    for fmt in ("text", "json", "sarif", "markdown", "github"):
        run((1,), "check", str(project), "--format", fmt, "-o", str(out / f"check.{fmt}"), "--engine", "embedded", *hub)
        run((1,), "check", str(project), "--format", fmt, *opa, *hub)
        run((1,), "check", str(project), "--format", fmt, "--engine", "opa", *hub, env=local_opa)
    for fmt in ("text", "json", "sarif"):
        run((0,), "scan", str(project), "--format", fmt, "-o", str(out / f"scan.{fmt}"))
    run((0,), "lock", str(project), *hub)
    run((1,), "check", str(project), "--offline", "--format", "json", "--engine", "embedded")  # from the lockfile
    run((1,), "check", str(project), "--hub-budget", "5", "--format", "text", "--engine", "embedded", *hub)  # the hook's way
    for fmt in ("cyclonedx", "markdown", "csv"):
        run((0,), "inventory", str(project), "--format", fmt, "-o", str(out / f"inventory.{fmt}"), *hub)
    policy_input = out / "input.json"
    explained = run((1,), "check", str(project), "--explain", "--format", "json", "--engine", "embedded", *hub)
    document = explained.stderr.split("# input document", 1)[1].split("\n", 1)[1].split("\n\n# rules that fired", 1)[0]
    policy_input.write_text(document, encoding="utf-8")
    run((0,), "policy", "eval", "--input", str(policy_input), "--policy", str(project / "pr-policies"))
    run((0,), "policy", "test", str(project / "pr-policies"))

    # failing services and error paths, with --debug so stack traces are printed; a cold Hub
    # cache (also under tmp_path, so searched) makes the runs ask the failing Hub
    hub_server.inject("status", status=503, headers={"Retry-After": "0"})
    cold = {"AIOSPO_CACHE_DIR": str(tmp_path / "cold-cache")}
    run((2,), "check", str(project), "--debug", "--explain", "--engine", "embedded", *hub, env=cold)
    (project / ".aiospo.yaml").write_text(spy_config + "hub:\n  on_error: fail_open\n", encoding="utf-8")
    run((0, 1), "check", str(project), "--debug", "--format", "sarif", "--engine", "embedded", *hub, env=cold)
    (project / ".aiospo.yaml").write_text(spy_config, encoding="utf-8")
    run((2,), "lock", str(project), "--debug", "--hub-endpoint", closed_port_url())
    run((2,), "check", str(project), "--debug", "--engine", "opa", "--opa-url", closed_port_url(), *hub)
    policies = write_tree(tmp_path / "policies", {"broken.rego": BROKEN_POLICY})
    run((2,), "check", str(project), "--debug", *opa, "--policy", str(policies), *hub)
    run((2,), "check", str(project), "--debug", "--config", str(project / "missing.yaml"))

    # an unexpected exception whose message carries the tokens: redaction is the last defence
    carrier = dict(fault_env(tmp_path, "aiospo_ci.hub.enrich.enrich"))
    carrier_site = Path(carrier["PYTHONPATH"].split(os.pathsep)[0]) / "sitecustomize.py"
    carrier_site.write_text(
        carrier_site.read_text(encoding="utf-8").replace(
            '"injected internal fault in " + function', '"leaking " + " ".join(os.environ[v] for v in ("HF_TOKEN", "GITHUB_TOKEN", "OPA_TOKEN"))'
        ),
        encoding="utf-8",
    )
    leaking = run((2,), "check", str(project), "--debug", "--engine", "embedded", *hub, env=carrier)
    assert "leaking *** *** ***" in leaking.stderr, leaking  # the exception did carry all three

    assert (project / "aiospo.lock").is_file()
    assert {p.name for p in out.iterdir()} == {
        "check.text", "check.json", "check.sarif", "check.markdown", "check.github", "scan.text", "scan.json", "scan.sarif",
        "inventory.cyclonedx", "inventory.markdown", "inventory.csv", "input.json",
    }
    # the spying policy ran under every engine, and saw no variable at all
    spied = [r for r in runs if "spy saw" in r.stdout]
    assert len(spied) >= 3 * 4, "the spying policy did not run under every engine"
    assert all("spy saw 0 variables" in r.stdout for r in spied), [r for r in spied if "spy saw 0 variables" not in r.stdout][0]

    # the tokens were in use: sent to the Hub and to OPA in Authorization headers
    hub_auth = {r.headers.get("authorization") for r in hub_server.requests}
    assert f"Bearer {TOKENS['HF_TOKEN']}" in hub_auth
    opa_auth = {r.headers.get("Authorization") for r in opa_with_token.requests if r.path.startswith("/v1")}
    assert opa_auth == {f"Bearer {TOKENS['OPA_TOKEN']}"}
    # ...and only there: OPA never sees the Hub token nor the Hub the OPA or GitHub token
    assert not leaks(json.dumps([dict(r.headers) for r in hub_server.requests]).encode().replace(TOKENS["HF_TOKEN"].encode(), b""))
    assert not any(leaks(r.body) for r in opa_with_token.requests)

    # nothing leaked anywhere: streams of every run, and every file written under tmp_path
    stream_hits = {" ".join(r.args): leaks((r.stdout + r.stderr).encode()) for r in runs}
    assert {k: v for k, v in stream_hits.items() if v} == {}
    assert search_tree(tmp_path) == {}
    assert any((tmp_path / "home" / "aiospo-cache").rglob("*.json")), "the Hub cache was written and searched"
