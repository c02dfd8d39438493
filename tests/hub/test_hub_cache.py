"""The on-disk cache: a warm run asks nothing, stale answers are asked again, offline uses what is known."""

from __future__ import annotations

import json
import os
import stat

import pytest

from aiospo_ci.errors import ConfigError
from aiospo_ci.hub.cache import FactsCache
from aiospo_ci.hub.enrich import enrich
from aiospo_ci.hub.interface import FactsKey
from aiospo_ci.model import HubFacts
from tests.hub.helpers import TODAY, ref

REFS = [ref("example-org/llama-3.1-8b-support-ft", "dev"), ref("gpt2", line=2), ref("stanfordnlp/imdb", kind="dataset", line=3),
        ref("runwayml/stable-diffusion-v1-5", line=4)]


def test_second_run_within_ttl_makes_zero_requests(hub_server, tmp_path) -> None:
    settings = hub_server.hub_settings(cache_dir=tmp_path)
    cold = enrich(REFS, settings, TODAY)
    assert hub_server.count() > 5
    hub_server.clear()
    warm = enrich(REFS, settings, TODAY)
    assert hub_server.count() == 0
    assert [f.origin for f in warm.facts] == ["cache"] * 4
    strip = lambda f: {k: v for k, v in f.to_dict().items() if k != "origin"}  # noqa: E731
    assert [strip(f) for f in warm.facts] == [strip(f) for f in cold.facts]  # lineage, datasets, not_found included


def test_days_since_modified_follows_the_run_date_not_the_cache(hub_server, tmp_path) -> None:
    import datetime as dt

    settings = hub_server.hub_settings(cache_dir=tmp_path)
    (a,) = enrich([ref("gpt2")], settings, TODAY).facts
    (b,) = enrich([ref("gpt2")], settings, TODAY + dt.timedelta(days=10)).facts
    assert b.origin == "cache" and b.days_since_modified == a.days_since_modified + 10


def test_expired_entries_are_asked_again(hub_server, tmp_path) -> None:
    settings = hub_server.hub_settings(cache_dir=tmp_path, ttl_hours=1)
    enrich([ref("gpt2")], settings, TODAY)
    for file in tmp_path.rglob("*.json"):
        doc = json.loads(file.read_text())
        doc["stored_at"] -= 3601
        file.write_text(json.dumps(doc))
    hub_server.clear()
    (f,) = enrich([ref("gpt2")], settings, TODAY).facts
    assert f.origin == "hub" and hub_server.count() == 2  # gpt2 -> redirect -> openai-community/gpt2


def test_ttl_with_a_clock(tmp_path) -> None:
    now = [1000.0]
    cache = FactsCache(tmp_path, "https://huggingface.co", ttl_hours=2, clock=lambda: now[0])
    key = FactsKey("model", "openai-community/gpt2")
    cache.put(key, HubFacts(id=key.id, license="mit"))
    now[0] += 7199
    assert cache.get(key).license == "mit"
    now[0] += 2
    assert cache.get(key) is None
    assert cache.get(key, any_age=True).origin == "cache"


def test_keyed_by_endpoint_kind_id_and_revision(tmp_path) -> None:
    a = FactsCache(tmp_path, "https://huggingface.co", 24)
    b = FactsCache(tmp_path, "https://mirror.example", 24)
    key = FactsKey("model", "x/y")
    a.put(key, HubFacts(id="x/y", license="mit"))
    assert b.get(key) is None
    assert a.get(FactsKey("model", "x/y", "main")) is None
    assert a.get(FactsKey("dataset", "x/y")) is None
    assert a.get(key).license == "mit"


def test_errors_are_not_cached(hub_server, tmp_path) -> None:
    hub_server.inject("status", "/api/models/openai-community/gpt2", times=1, status=500)
    settings = hub_server.hub_settings(cache_dir=tmp_path, retries=0)
    (f,) = enrich([ref("openai-community/gpt2")], settings, TODAY).facts
    assert f.status == "error"
    (g,) = enrich([ref("openai-community/gpt2")], settings, TODAY).facts
    assert (g.status, g.origin) == ("ok", "hub")


def test_corrupt_cache_file_stops_the_run_naming_it(hub_server, tmp_path) -> None:
    """A file the cache did not write (atomic writes leave no half files) was edited: asking
    again would hide that, so the run stops (exit 2) naming the file."""
    settings = hub_server.hub_settings(cache_dir=tmp_path)
    enrich([ref("openai-community/gpt2")], settings, TODAY)
    (file,) = list(tmp_path.rglob("*.json"))
    file.write_text('{"format": 1, "key": ')
    with pytest.raises(ConfigError) as info:
        enrich([ref("openai-community/gpt2")], settings, TODAY)
    assert str(info.value).startswith(str(file)) and "not valid JSON" in str(info.value)


def test_gated_answers_are_not_cached_and_old_ones_are_asked_again(hub_server, tmp_path) -> None:
    settings = hub_server.hub_settings(cache_dir=tmp_path)
    (f,) = enrich([ref("example-org/restricted-model")], settings, TODAY).facts
    assert f.status == "gated" and not list(tmp_path.rglob("*.json"))
    # a gated answer an older version cached is asked again, not trusted
    cache = FactsCache(tmp_path, hub_server.url, 24)
    key = FactsKey("model", "example-org/restricted-model")
    cache.put(key, HubFacts(id=key.id, license="mit"))
    doc = json.loads(cache.path_for(key).read_text())
    doc["facts"]["status"] = "gated"
    cache.path_for(key).write_text(json.dumps(doc))
    assert cache.get(key) is None


def test_unwritable_cache_is_a_warning_not_a_failure(hub_server, tmp_path) -> None:
    cache_dir = tmp_path / "ro"
    cache_dir.mkdir()
    os.chmod(cache_dir, stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(cache_dir, os.W_OK):  # running as root: permissions do not bind
            cache_dir = tmp_path / "file-not-dir"
            cache_dir.write_text("")
        e = enrich([ref("openai-community/gpt2")], hub_server.hub_settings(cache_dir=cache_dir), TODAY)
    finally:
        os.chmod(tmp_path / "ro", stat.S_IRWXU)
    assert e.facts[0].status == "ok"
    assert len(e.warnings) == 1 and "could not write the Hub cache" in e.warnings[0]


def test_offline_answers_from_cache_and_marks_the_rest_unknown(hub_server, tmp_path) -> None:
    online = hub_server.hub_settings(cache_dir=tmp_path)
    enrich([ref("gpt2")], online, TODAY)
    hub_server.clear()
    offline = hub_server.hub_settings(cache_dir=tmp_path, offline=True, ttl_hours=0.0001)
    e = enrich([ref("gpt2"), ref("microsoft/phi-2", line=2)], offline, TODAY)
    assert hub_server.count() == 0
    gpt2, phi = e.facts
    assert (gpt2.status, gpt2.origin, gpt2.license) == ("ok", "cache", "mit")  # stale entries still count offline
    assert (phi.status, phi.origin, phi.license) == ("unknown", "none", None)
    trusted, unknown = e.warnings
    assert trusted.startswith("offline: the facts recorded in aiospo.lock (then the Hub cache) were trusted as they are")
    assert unknown == ("offline: 1 Hub reference(s) are in neither the lockfile nor the Hub cache (microsoft/phi-2); "
                       "their facts are unknown. Run `aiospo-ci lock` with network to record them.")


def test_cache_files_hold_no_days_and_are_json(hub_server, tmp_path) -> None:
    enrich([ref("openai-community/gpt2")], hub_server.hub_settings(cache_dir=tmp_path), TODAY)
    (file,) = list(tmp_path.rglob("*.json"))
    doc = json.loads(file.read_text())
    assert doc["key"] == {"endpoint": hub_server.url, "kind": "model", "id": "openai-community/gpt2", "revision": None}
    assert doc["facts"]["days_since_modified"] is None
    assert not list(tmp_path.rglob(".tmp-*"))  # atomic writes leave no temporary files
