"""Tokens never leave the process except in the Authorization header they are meant for.

HF_TOKEN, GITHUB_TOKEN and OPA_TOKEN are set to distinctive values; every command aiospo-ci has
runs as a whole process against the local Hub and OPA servers (working and failing, with
--explain and --debug), and then every byte it produced - stdout, stderr, report files, the
lockfile, SARIF, the Hub cache, anything written under the test's folders - is searched for
the values and for long pieces of them. The test also proves the tokens were really in use (the
servers recorded them), so a run that never read the token cannot pass it vacuously.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.robustness.harness import BROKEN_POLICY, closed_port_url, fault_env, write_tree
from tests.support.opa_server import FakeOpaServer

TOKENS = {
    "HF_TOKEN": "hf_QzX9leakcanaryHubToken7Vw3",
    "GITHUB_TOKEN": "ghp_leakcanaryGitHubToken4Kp8Rt2",
    "OPA_TOKEN": "opa-leakcanary-BearerToken-5Mn6",
}
# Pieces long enough to be unmistakable: a truncated token (`token[:12] + '...'`) is a leak too.
PIECE = 12


def pieces(value: str) -> list[str]:
    return [value[i : i + PIECE] for i in range(0, len(value) - PIECE + 1)]


def leaks(blob: bytes) -> list[str]:
    found = []
    for name, value in TOKENS.items():
        for piece in pieces(value):
            for encoded in (piece.encode(), piece.encode("utf-16-le")):
                if encoded in blob:
                    found.append(name)
    return sorted(set(found))


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
    """The search below can fail: a token, a truncated token and a UTF-16 copy are all found."""
    assert leaks(f"Authorization: Bearer {TOKENS['HF_TOKEN']}".encode()) == ["HF_TOKEN"]
    assert leaks(TOKENS["OPA_TOKEN"][:14].encode())
    assert leaks(TOKENS["GITHUB_TOKEN"].encode("utf-16-le"))
    assert not leaks(b"Authorization: Bearer ***")


def test_no_token_in_any_artefact_of_any_command(secret_cli, project, hub_server, opa_with_token, tmp_path):
    cli = secret_cli
    hub = ["--hub-endpoint", hub_server.url]
    opa = ["--engine", "opa", "--opa-url", opa_with_token.url]
    out = tmp_path / "out"
    out.mkdir()
    runs = []

    def run(expected: tuple[int, ...], *args: str, env=None):
        result = cli(*args, env=env)
        assert result.rc in expected, result  # so every error path below was really taken
        runs.append(result)
        return result

    # every command and report format, through OPA (which demands its token) and embedded
    run((1,), "check", str(project), "--format", "text", "--explain", "--verbose", *opa, *hub)
    run((1,), "check", str(project), "--format", "markdown", *opa, *hub)
    for fmt in ("json", "sarif"):
        run((1,), "check", str(project), "--format", fmt, "-o", str(out / f"check.{fmt}"), "--engine", "embedded", *hub)
        run((0,), "scan", str(project), "--format", fmt, "-o", str(out / f"scan.{fmt}"))
    run((0,), "lock", str(project), *hub)
    run((1,), "check", str(project), "--offline", "--format", "json", "--engine", "embedded")  # from the lockfile
    run((0,), "inventory", str(project), "--format", "cyclonedx", "-o", str(out / "inventory.cdx.json"), *hub)

    # failing services and error paths, with --debug so stack traces are printed; a cold Hub
    # cache (also under tmp_path, so searched) makes the runs ask the failing Hub
    hub_server.inject("status", status=503, headers={"Retry-After": "0"})
    cold = {"AIOSPO_CACHE_DIR": str(tmp_path / "cold-cache")}
    run((2,), "check", str(project), "--debug", "--explain", "--engine", "embedded", *hub, env=cold)
    (project / ".aiospo.yaml").write_text("hub:\n  on_error: fail_open\n", encoding="utf-8")
    run((0, 1), "check", str(project), "--debug", "--format", "sarif", "--engine", "embedded", *hub, env=cold)
    (project / ".aiospo.yaml").unlink()
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
    assert {p.name for p in out.iterdir()} == {"check.sarif", "check.json", "scan.json", "scan.sarif", "inventory.cdx.json"}

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
