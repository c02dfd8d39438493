"""aiospo.lock: written from the Hub, read back offline as facts, carried online as `locked` for drift."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aiospo_ci.errors import AiospoError, ConfigError, HubError
from aiospo_ci.hub.enrich import enrich, lock
from aiospo_ci.hub.interface import FactsKey
from aiospo_ci.hub.lockfile import LOCKED_FIELDS, read_lock
from tests.hub.demo_lock import DEMO, DEMO_REFERENCES, regenerate
from tests.hub.helpers import TODAY, ref

FT = "example-org/llama-3.1-8b-support-ft"
REFS = [ref(FT, "v1.0"), ref("gpt2", line=2), ref("meta-llama/Llama-3.1-8B-Instruct", line=3),
        ref("runwayml/stable-diffusion-v1-5", line=4), ref("rajpurkar/squad_v2", kind="dataset", line=5),
        ref("gpt2", line=6), ref("./local", source="local", line=7)]


@pytest.fixture
def locked(hub_server, tmp_path):
    settings = hub_server.hub_settings(lockfile=tmp_path / "aiospo.lock")
    path = lock(tmp_path, REFS, settings, TODAY)
    return settings, path


def test_lock_is_readable_sorted_json_and_deterministic(hub_server, locked, tmp_path) -> None:
    settings, path = locked
    doc = json.loads(path.read_text())
    keys = [(e["kind"], e["id"], e["revision"]) for e in doc["entries"]]
    assert keys == [("dataset", "rajpurkar/squad_v2", None), ("model", FT, "v1.0"), ("model", "gpt2", None),
                    ("model", "meta-llama/Llama-3.1-8B-Instruct", None), ("model", "runwayml/stable-diffusion-v1-5", None)]
    first = path.read_bytes()
    assert first.endswith(b"}\n") and b"\n  " in first  # indented, one key per line
    for entry in doc["entries"]:
        assert list(entry) == sorted(entry)
        assert set(entry) == set(LOCKED_FIELDS) | {"kind", "id", "revision"}
        assert "downloads" not in entry and "days_since_modified" not in entry and "files" not in entry
    lock(tmp_path, list(reversed(REFS)), settings, TODAY)
    assert path.read_bytes() == first


def test_lock_records_the_vetted_facts(locked) -> None:
    _, path = locked
    entries = read_lock(path)
    ft = entries[FactsKey("model", FT, "v1.0")]
    assert (ft["resolved_commit"], ft["revision_kind"], ft["license"]) == ("0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c", "tag", "apache-2.0")
    assert [(a["id"], a["depth"], a["license"]) for a in ft["lineage"]] == [
        ("meta-llama/Llama-3.1-8B-Instruct", 1, "llama3.1"), ("meta-llama/Llama-3.1-8B", 2, "llama3.1")]
    assert [(d["id"], d["license"]) for d in ft["dataset_facts"]] == [("rajpurkar/squad_v2", "cc-by-sa-4.0"), ("stanfordnlp/imdb", "other")]
    assert entries[FactsKey("model", "gpt2")]["canonical_id"] == "openai-community/gpt2"
    assert entries[FactsKey("model", "meta-llama/Llama-3.1-8B-Instruct")]["gated"] == "manual"
    assert entries[FactsKey("model", "runwayml/stable-diffusion-v1-5")]["status"] == "not_found"


def test_offline_check_reads_the_lock_with_no_request(hub_server, locked) -> None:
    settings, path = locked
    online = enrich(REFS, settings, TODAY)
    hub_server.clear()
    offline = enrich(REFS, hub_server.hub_settings(lockfile=path, offline=True), TODAY)
    assert hub_server.count() == 0
    (trusted,) = offline.warnings  # the run says that it trusted the lockfile, and nothing else
    assert "aiospo.lock" in trusted and "not compared with the Hub today" in trusted
    for on, off in zip(online.facts, offline.facts):
        if on is None:
            assert off is None
            continue
        assert off.origin == "lockfile"
        for name in LOCKED_FIELDS:
            assert getattr(off, name) == getattr(on, name), name
        assert off.days_since_modified == on.days_since_modified  # computed from the locked date
        assert off.downloads is None  # not vetted, not locked
    assert offline.locked == online.locked
    assert offline.locked[6] is None and offline.locked[1] == offline.locked[5]


def test_offline_lock_first_then_cache(hub_server, locked, tmp_path) -> None:
    settings, path = locked
    cache = tmp_path / "cache"
    enrich([ref("gpt2"), ref("microsoft/phi-2")], hub_server.hub_settings(cache_dir=cache), TODAY)
    hub_server.clear()
    e = enrich([ref("gpt2"), ref("microsoft/phi-2"), ref("facebook/opt-1.3b")],
               hub_server.hub_settings(lockfile=path, cache_dir=cache, offline=True), TODAY)
    assert [f.origin for f in e.facts] == ["lockfile", "cache", "none"]
    assert [f.status for f in e.facts] == ["ok", "ok", "unknown"]
    assert hub_server.count() == 0


def test_drift_inputs_when_upstream_changes(hub_server, locked) -> None:
    settings, path = locked
    hub_server.update_info("model", "openai-community/gpt2", sha="f" * 40, cardData={"license": "cc-by-nc-4.0"})
    hub_server.update_info("model", "meta-llama/Llama-3.1-8B-Instruct", gated="auto")
    hub_server.put_repo({"kind": "model", "id": "example-org/llama-3.1-8b-support-ft",
                         "error": {"status": 404, "code": "RepoNotFound", "message": "Repository not found"}})
    e = enrich(REFS, settings, TODAY)
    ft, gpt2, llama = e.facts[0], e.facts[1], e.facts[2]
    lft, lgpt2, lllama = e.locked[0], e.locked[1], e.locked[2]
    assert (lgpt2["resolved_commit"], gpt2.resolved_commit) == ("607a30d783dfa663caf39e06633721c8d4cfcd7e", "f" * 40)
    assert (lgpt2["license"], gpt2.license) == ("mit", "cc-by-nc-4.0")
    assert (lllama["gated"], llama.gated) == ("manual", "auto")
    assert (lft["status"], ft.status) == ("ok", "not_found")
    assert e.facts[3].status == e.locked[3]["status"] == "not_found"  # unchanged: no drift


def test_lock_refuses_to_record_errors(hub_server, tmp_path) -> None:
    hub_server.inject("status", "/api/models/openai-community/gpt2", status=500)
    settings = hub_server.hub_settings(lockfile=tmp_path / "aiospo.lock", retries=0)
    with pytest.raises(HubError, match=r"lockfile was not written.*gpt2.*HTTP 500"):
        lock(tmp_path, [ref("gpt2"), ref("microsoft/phi-2")], settings, TODAY)
    assert not (tmp_path / "aiospo.lock").exists()


def test_lock_needs_the_network(hub_server, tmp_path) -> None:
    with pytest.raises(AiospoError, match="cannot run offline"):
        lock(tmp_path, [ref("gpt2")], hub_server.hub_settings(offline=True), TODAY)


def test_lock_ignores_fresh_cache_and_refreshes_it(hub_server, tmp_path) -> None:
    settings = hub_server.hub_settings(cache_dir=tmp_path / "c", lockfile=tmp_path / "aiospo.lock")
    enrich([ref("openai-community/gpt2")], settings, TODAY)
    hub_server.update_info("model", "openai-community/gpt2", cardData={"license": "apache-2.0"})
    hub_server.clear()
    lock(tmp_path, [ref("openai-community/gpt2")], settings, TODAY)
    assert hub_server.count() == 1
    assert read_lock(tmp_path / "aiospo.lock")[FactsKey("model", "openai-community/gpt2")]["license"] == "apache-2.0"
    hub_server.clear()
    (f,) = enrich([ref("openai-community/gpt2")], settings, TODAY).facts
    assert (f.origin, f.license, hub_server.count()) == ("cache", "apache-2.0", 0)


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "is not valid JSON (line 1)"),
        ('{"aiospo_lock_version": 99, "entries": []}', "key aiospo_lock_version must be 1"),
        ('{"aiospo_lock_version": 1, "entries": {}}', "key entries must be a list"),
        ('{"aiospo_lock_version": 1, "entries": [{"kind": "space", "id": "x"}]}', "entries[0] (x) does not hold facts"),
        ('{"aiospo_lock_version": 1, "entries": [{"kind": "model", "id": "x", "revision": null, "status": "ok", "license": 1}]}',
         "license: 1 is not of type"),
        ('{"aiospo_lock_version": 1, "entries": [{"kind": "model", "id": "x", "revision": null, "status": "gated"}]}',
         "status: 'gated' is not one of disabled, not_found, ok"),
    ],
)
def test_broken_lockfile_is_one_clear_sentence(tmp_path, text, words) -> None:
    path = tmp_path / "aiospo.lock"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_lock(path)
    message = str(info.value)
    assert message.startswith(str(path)) and words in message and "aiospo-ci lock" in message


def test_missing_lockfile_is_empty(tmp_path) -> None:
    assert read_lock(tmp_path / "aiospo.lock") == {}


def test_demo_lock_regenerates_byte_for_byte(hub_server, tmp_path) -> None:
    fresh = regenerate(hub_server, tmp_path / "aiospo.lock")
    assert fresh.read_bytes() == (DEMO / "aiospo.lock").read_bytes()


def test_demo_checks_offline_from_its_lock_alone(tmp_path) -> None:
    from aiospo_ci.hub.settings import HubSettings

    settings = HubSettings(offline=True, lockfile=DEMO / "aiospo.lock", cache_dir=None)
    e = enrich(DEMO_REFERENCES, settings, TODAY)
    assert len(e.warnings) == 1 and "were trusted as they are" in e.warnings[0]
    assert all(f.origin == "lockfile" and f.status == "ok" for f in e.facts)
    assert {f.id: f.license for f in e.facts} == {
        "google-bert/bert-base-uncased": "apache-2.0", "sentence-transformers/all-MiniLM-L6-v2": "apache-2.0",
        "meta-llama/Llama-3.1-8B-Instruct": "llama3.1", "facebook/nllb-200-distilled-600M": "cc-by-nc-4.0",
        "stanfordnlp/imdb": "other", "microsoft/phi-2": "mit", "mistralai/Mistral-7B-v0.1": "apache-2.0"}


def test_offline_run_from_the_lock_does_not_import_huggingface_hub(tmp_path) -> None:
    code = (
        "import sys, datetime\n"
        "from aiospo_ci.hub.enrich import enrich\n"
        "from aiospo_ci.hub.settings import HubSettings\n"
        "from tests.hub.demo_lock import DEMO, DEMO_REFERENCES\n"
        "e = enrich(DEMO_REFERENCES, HubSettings(offline=True, lockfile=DEMO / 'aiospo.lock'), datetime.date(2026, 11, 26))\n"
        "assert all(f.origin == 'lockfile' for f in e.facts)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('huggingface_hub', 'httpx2', 'httpx')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=DEMO.parents[1], env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.stdout.strip() == "[]"


def test_lockfile_in_a_new_folder_and_an_unwritable_place(hub_server, tmp_path) -> None:
    path = lock(tmp_path, [ref("gpt2")], hub_server.hub_settings(lockfile=tmp_path / "locks" / "models.lock"), TODAY)
    assert path == tmp_path / "locks" / "models.lock" and read_lock(path)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(AiospoError, match=r"a-file/x.lock: cannot write the lockfile"):
        lock(tmp_path, [ref("gpt2")], hub_server.hub_settings(lockfile=blocker / "x.lock"), TODAY)


def test_demo_references_are_what_the_scanner_finds(tmp_path) -> None:
    """The lock is generated from DEMO_REFERENCES; if the demo or the scanner changes, this says so."""
    from aiospo_ci.hub.enrich import key_of
    from aiospo_ci.scan.runner import scan_paths

    scanned = scan_paths(DEMO, None, cache_dir=tmp_path)
    found = {key_of(r) for r in scanned.references} - {None}
    assert found == {key_of(r) for r in DEMO_REFERENCES}


def test_lockfile_is_readable_by_others_like_any_committed_file(tmp_path) -> None:
    import os
    import stat

    from aiospo_ci.hub.lockfile import write_lock

    old = os.umask(0o022)
    try:
        path = write_lock(tmp_path / "aiospo.lock", {})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
