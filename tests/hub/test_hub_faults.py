"""A failing Hub gives `error` facts with one clear sentence, in bounded time, and never leaks a token."""

from __future__ import annotations

import time

import pytest

from aiospo_ci.hub.client import HubClient, retry_after_seconds
from aiospo_ci.hub.enrich import enrich
from aiospo_ci.hub.interface import FactsKey
from tests.hub.helpers import TODAY, ref
from tests.support.hub_server import HubServer

TOKEN = "hf_TESTtokenValue0123456789abcdefXYZ"
GPT2 = "/api/models/openai-community/gpt2"


def one(hub_server, repo="openai-community/gpt2", revision=None, **settings):
    (f,) = enrich([ref(repo, revision)], hub_server.hub_settings(**settings), TODAY).facts
    return f


def test_429_then_success_is_retried(hub_server) -> None:
    hub_server.inject("status", GPT2, times=2, status=429, headers={"Retry-After": "0"})
    f = one(hub_server)
    assert (f.status, f.license) == ("ok", "mit")
    assert hub_server.count(GPT2) == 3


def test_persistent_500_becomes_an_error_fact_after_bounded_retries(hub_server) -> None:
    hub_server.inject("status", GPT2, status=500)
    f = one(hub_server, retries=2)
    assert f.status == "error" and f.license is None
    assert f.error == "Could not get facts for the model openai-community/gpt2: the Hub gave HTTP 500 after 3 attempt(s)."
    assert hub_server.count(GPT2) == 3


def test_503_on_refs_is_an_error_too(hub_server) -> None:
    hub_server.inject("status", "/refs", status=503)
    f = one(hub_server, "example-org/llama-3.1-8b-support-ft", "dev", retries=1)
    assert f.status == "error" and "HTTP 503" in f.error


def test_retry_after_and_ratelimit_headers_are_honoured(hub_server) -> None:
    waits: list[float] = []
    hub_server.inject("status", GPT2, times=1, status=429, headers={"Retry-After": "7"})
    hub_server.inject("status", GPT2, times=1, status=429, headers={"RateLimit": '"api";r=0;t=3'})
    client = HubClient(hub_server.hub_settings(max_retry_wait=10), sleep=waits.append)
    f = client.lookup(FactsKey("model", "openai-community/gpt2"))
    assert f.status == "ok"
    assert waits == [7.0, 3.0]


def test_retry_after_longer_than_allowed_gives_up_at_once(hub_server) -> None:
    waits: list[float] = []
    hub_server.inject("status", GPT2, status=429, headers={"Retry-After": "3600"})
    f = HubClient(hub_server.hub_settings(max_retry_wait=30), sleep=waits.append).lookup(FactsKey("model", "openai-community/gpt2"))
    assert f.status == "error" and "rate limited (HTTP 429)" in f.error and "3600s" in f.error
    assert waits == [] and hub_server.count(GPT2) == 1


def test_backoff_doubles_without_retry_after(hub_server) -> None:
    waits: list[float] = []
    hub_server.inject("status", GPT2, status=502)
    HubClient(hub_server.hub_settings(retries=3, backoff=0.5), sleep=waits.append).lookup(FactsKey("model", "openai-community/gpt2"))
    assert waits == [0.5, 1.0, 2.0]


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"Retry-After": "12"}) == 12.0
    assert retry_after_seconds({"Retry-After": "Thu, 26 Nov 2026 18:00:10 GMT"}, now=1795716000.0) == 10.0
    assert retry_after_seconds({"RateLimit": '"api";r=0;t=55'}) == 55.0
    assert retry_after_seconds({}) is None


def test_timeouts_are_bounded_on_info_and_on_refs(hub_server) -> None:
    hub_server.inject("timeout", GPT2, delay=5)
    hub_server.inject("timeout", "/refs", delay=5)
    start = time.monotonic()
    e = enrich([ref("openai-community/gpt2"), ref("example-org/llama-3.1-8b-support-ft", "dev")],
               hub_server.hub_settings(timeout=0.3, retries=1), TODAY)
    elapsed = time.monotonic() - start
    assert [f.status for f in e.facts] == ["error", "error"]
    assert "no answer within 0.3s after 2 attempt(s)" in e.facts[0].error
    assert "no answer within 0.3s" in e.facts[1].error
    assert elapsed < 4  # two attempts of 0.3s each, not the server's 5s delay


def test_global_deadline_stops_retrying(hub_server) -> None:
    hub_server.inject("status", GPT2, status=500)
    f = one(hub_server, retries=50, backoff=0.2, deadline=0.5)
    assert f.status == "error" and "deadline" in f.error
    assert hub_server.count(GPT2) < 5


@pytest.mark.parametrize("body", [b'{"id": "truncated", "sha": ', b"<html>busy</html>", b"[1, 2]", b'{"sha": "no id"}',
                                  b'{"id": "x", "siblings": [{"size": 1}]}', b'{"id": "x", "cardData": {"tags": false}}'])
def test_malformed_answers(hub_server, body) -> None:
    hub_server.inject("malformed", GPT2, body=body)
    f = one(hub_server)
    assert f.status == "error"
    assert f.error == "The Hub's answer for the model openai-community/gpt2 is malformed (not the JSON a repo info has)."


def test_redirect_to_another_host_is_not_followed(hub_server) -> None:
    other = HubServer().start()
    try:
        hub_server.inject("redirect", GPT2, location=f"{other.url}{GPT2}")
        f = one(hub_server, token=TOKEN)
        assert f.status == "error"
        assert "redirected to another host (127.0.0.1)" in f.error and "not followed" in f.error
        assert other.count() == 0
    finally:
        other.stop()


def test_same_host_rename_redirect_keeps_working_with_the_token(hub_server) -> None:
    f = one(hub_server, "gpt2", token=TOKEN)
    assert f.status == "ok" and f.canonical_id == "openai-community/gpt2"
    assert [r.headers.get("authorization") for r in hub_server.requests] == [f"Bearer {TOKEN}"] * 2


def test_unreachable_hub(tmp_path) -> None:
    server = HubServer().start()
    url = server.url
    server.stop()
    from aiospo_ci.hub.settings import HubSettings

    settings = HubSettings(endpoint=url, timeout=0.5, retries=0, cache_dir=None)
    (f,) = enrich([ref("openai-community/gpt2")], settings, TODAY).facts
    assert f.status == "error" and f.error.startswith("Could not reach 127.0.0.1 for the model openai-community/gpt2")


def test_token_never_leaks(hub_server, tmp_path) -> None:
    """Every artefact of a run that used a token: cache files, lockfile, facts, errors, warnings."""
    from aiospo_ci.hub.enrich import lock

    hub_server.inject("status", "/api/models/facebook/opt-1.3b", status=500)
    hub_server.inject("malformed", "/api/models/microsoft/phi-2", body=TOKEN.encode())  # the Hub echoing it back
    other = HubServer().start()
    hub_server.inject("redirect", "/api/models/google/gemma-2-2b-it", location=f"{other.url}/{TOKEN}")
    refs = [ref(r, line=i) for i, r in enumerate(
        ["gpt2", "meta-llama/Llama-3.1-8B-Instruct", "example-org/restricted-model", "runwayml/stable-diffusion-v1-5",
         "facebook/opt-1.3b", "microsoft/phi-2", "google/gemma-2-2b-it", "example-org/llama-3.1-8b-support-ft"])]
    settings = hub_server.hub_settings(token=TOKEN, cache_dir=tmp_path / "cache", lockfile=tmp_path / "aiospo.lock", retries=0)
    try:
        e = enrich(refs, settings, TODAY)
    finally:
        other.stop()
    assert any(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in hub_server.requests)  # it was used
    assert {f.status for f in e.facts} == {"ok", "gated", "not_found", "error"}
    assert TOKEN not in repr(e) and TOKEN not in repr(settings)
    assert all(TOKEN not in (f.error or "") for f in e.facts)
    # The lock of what answered, then every file written.
    ok_refs = [r for r, f in zip(refs, e.facts) if f.status not in ("error", "gated")]
    lock(tmp_path, ok_refs, settings, TODAY)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in written) and (tmp_path / "aiospo.lock") in written
    for p in written:
        assert TOKEN.encode() not in p.read_bytes(), p


def test_tls_failure_is_an_error_fact(hub_server) -> None:
    # An https endpoint on a server that speaks plain HTTP: the TLS handshake fails.
    settings = hub_server.hub_settings(endpoint=hub_server.url.replace("http://", "https://"), retries=0, timeout=2)
    (f,) = enrich([ref("openai-community/gpt2")], settings, TODAY).facts
    assert f.status == "error"
    assert f.error.startswith("Could not reach 127.0.0.1 for the model openai-community/gpt2 (")


def test_the_guard_only_acts_inside_aiospo_lookups(hub_server) -> None:
    """Other code in the process that uses huggingface_hub keeps its own redirect behaviour."""
    from huggingface_hub import HfApi

    one(hub_server)  # installs the hooks on huggingface_hub's shared client
    other = HubServer().start()
    try:
        hub_server.inject("redirect", GPT2, location=f"{other.url}{GPT2}")
        info = HfApi(endpoint=hub_server.url, token=False).model_info("openai-community/gpt2")
        assert info.id == "openai-community/gpt2" and other.count(GPT2) == 1
    finally:
        other.stop()
