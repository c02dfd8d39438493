"""Facts from the local Hub: statuses, revision truth, licenses, weights, access, maintenance."""

from __future__ import annotations

import pytest

from aiospo_ci.hub.enrich import enrich
from tests.hub.helpers import TODAY, ref

BERT_SHA = "86b5e0934494bd15c9632b12f734a8a67f723594"
FT = "example-org/llama-3.1-8b-support-ft"


def facts_for(hub_server, *refs, **settings):
    return enrich(list(refs), hub_server.hub_settings(**settings), TODAY).facts


def test_pinned_commit_and_core_facts(hub_server) -> None:
    (f,) = facts_for(hub_server, ref("google-bert/bert-base-uncased", BERT_SHA))
    assert (f.status, f.origin, f.error) == ("ok", "hub", None)
    assert (f.revision_kind, f.revision_status, f.resolved_commit, f.sha) == ("commit", "ok", BERT_SHA, BERT_SHA)
    assert (f.license, f.gated, f.private, f.disabled) == ("apache-2.0", "false", False, False)
    assert (f.library, f.pipeline_tag, f.card_present) == ("transformers", "fill-mask", True)
    assert (f.has_safetensors, f.has_pickle, f.has_onnx, f.has_gguf, f.has_custom_code) == (True, True, True, False, False)
    assert f.security_status == "safe"
    assert (f.last_modified, f.created_at, f.days_since_modified) == ("2024-02-19T11:06:12Z", "2022-03-02T23:29:04Z", 1011)
    assert (f.downloads, f.likes) == (54312790, 2195)
    assert f.datasets == ("bookcorpus", "wikipedia")
    assert [(d.id, d.license, d.status) for d in f.dataset_facts] == [("bookcorpus", "unknown", "ok"), ("wikipedia", "cc-by-sa-3.0", "ok")]
    assert "model.safetensors" in f.files and list(f.files) == sorted(f.files)
    assert hub_server.count(f"/api/models/google-bert/bert-base-uncased/revision/{BERT_SHA}") == 1
    assert hub_server.requests[0].query.get("securityStatus") == ["true"]


@pytest.mark.parametrize(
    "revision, kind, commit",
    [
        (None, "none", "5f0c7e1d2b3a4c5d6e7f8091a2b3c4d5e6f70819"),
        ("main", "branch", "5f0c7e1d2b3a4c5d6e7f8091a2b3c4d5e6f70819"),
        ("dev", "branch", "a9c3e5f7b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9"),
        ("refs/heads/dev", "branch", "a9c3e5f7b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9"),
        ("v1.0", "tag", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"),
        ("refs/pr/2", "pr", "77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd"),
        ("0b1c2d3e", "short_sha", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"),
        ("0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c", "commit", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"),
    ],
)
def test_revision_truth(hub_server, revision, kind, commit) -> None:
    (f,) = facts_for(hub_server, ref(FT, revision))
    assert (f.status, f.revision, f.revision_kind, f.revision_status, f.resolved_commit) == ("ok", revision, kind, "ok", commit)
    assert f.sha == commit
    assert f.license == "apache-2.0"


def test_pr_revision_is_sent_quoted(hub_server) -> None:
    facts_for(hub_server, ref(FT, "refs/pr/2"))
    assert hub_server.count(f"/api/models/{FT}/revision/refs%2Fpr%2F2") == 1


def test_missing_revision_is_a_fact_not_a_crash(hub_server) -> None:
    (a, b) = facts_for(hub_server, ref(FT, "no-such-branch"), ref(FT, "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"))
    for f in (a, b):
        assert (f.status, f.revision_status, f.resolved_commit) == ("ok", "not_found", None)
        assert f.license == "apache-2.0"  # the default branch still tells the rest
    assert (a.revision_kind, b.revision_kind) == (None, "commit")


def test_refs_are_listed_once_per_repo(hub_server) -> None:
    facts_for(hub_server, ref(FT, "dev"), ref(FT, "v1.0"), ref(FT, "main"), workers=1)
    assert hub_server.count(f"/api/models/{FT}/refs") == 1


def test_renamed_repo_follows_redirect_to_canonical_id(hub_server) -> None:
    (gpt2, bert, imdb) = facts_for(hub_server, ref("gpt2"), ref("bert-base-uncased", "main"), ref("imdb", kind="dataset"))
    assert (gpt2.id, gpt2.canonical_id, gpt2.license, gpt2.status) == ("gpt2", "openai-community/gpt2", "mit", "ok")
    assert (bert.canonical_id, bert.revision_kind, bert.resolved_commit) == ("google-bert/bert-base-uncased", "branch", BERT_SHA)
    assert (imdb.kind, imdb.canonical_id, imdb.license) == ("dataset", "stanfordnlp/imdb", "other")
    assert hub_server.count("/api/models/gpt2") == 1 and hub_server.count("/api/models/openai-community/gpt2") == 1


@pytest.mark.parametrize(
    "repo, status, words",
    [
        ("runwayml/stable-diffusion-v1-5", "not_found", "was not found"),
        ("example-org/restricted-model", "gated", "is gated"),
        ("example-org/disabled-model", "disabled", "disabled"),
        ("example-org/never-existed", "not_found", "was not found"),
    ],
)
def test_statuses(hub_server, repo, status, words) -> None:
    (f,) = facts_for(hub_server, ref(repo))
    assert (f.id, f.status, f.license, f.sha) == (repo, status, None, None)
    assert words in f.error and repo in f.error
    assert f.error.count(".") >= 1 and "\n" not in f.error


def test_invalid_repo_id_is_not_found_without_a_request(hub_server) -> None:
    (f,) = facts_for(hub_server, ref("a/b/c"))
    assert f.status == "not_found" and "not a valid Hub repo id" in f.error
    assert hub_server.count() == 0


@pytest.mark.parametrize(
    "repo, license, license_name, license_link, gated",
    [
        ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1", None, None, "manual"),
        ("google/gemma-2-2b-it", "gemma", None, None, "manual"),
        ("facebook/nllb-200-distilled-600M", "cc-by-nc-4.0", None, None, "false"),
        ("facebook/opt-1.3b", "other", None, None, "false"),
        ("black-forest-labs/FLUX.1-dev", "other", "flux-1-dev-non-commercial-license", "LICENSE.md", "auto"),
        ("CompVis/stable-diffusion-v1-4", "creativeml-openrail-m", None, None, "false"),
        ("microsoft/phi-2", "mit", None, "https://huggingface.co/microsoft/phi-2/resolve/main/LICENSE", "false"),
        ("mistralai/Mistral-7B-v0.1", "apache-2.0", None, None, "auto"),
        ("rajpurkar/squad_v2", "cc-by-sa-4.0", None, None, "false"),
    ],
)
def test_licenses_and_gating(hub_server, repo, license, license_name, license_link, gated) -> None:
    kind = "dataset" if repo == "rajpurkar/squad_v2" else "model"
    (f,) = facts_for(hub_server, ref(repo, kind=kind))
    assert (f.status, f.license, f.license_name, f.license_link, f.gated) == ("ok", license, license_name, license_link, gated)


def test_license_falls_back_to_the_license_tag(hub_server) -> None:
    info = hub_server.repo("model", "openai-community/gpt2")["info"]
    del info["cardData"]["license"]
    (f,) = facts_for(hub_server, ref("openai-community/gpt2"))
    assert f.license == "mit"
    info["tags"] = [t for t in info["tags"] if not t.startswith("license:")]
    (f,) = facts_for(hub_server, ref("openai-community/gpt2"))
    assert f.license is None


@pytest.mark.parametrize(
    "repo, revision, safetensors, pickle, gguf, onnx, custom",
    [
        ("sentence-transformers/all-MiniLM-L6-v2", None, True, True, False, True, False),  # train_script.py is not loaded
        ("facebook/nllb-200-distilled-600M", None, False, True, False, False, False),
        ("example-org/pickle-only-classifier", None, False, True, False, False, False),
        ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", None, False, False, True, False, False),
        ("meta-llama/Llama-3.1-8B-Instruct", None, True, True, False, False, False),  # original/consolidated.00.pth
        ("microsoft/phi-2", None, True, False, False, False, False),
        ("microsoft/phi-2", "custom-code", True, False, False, False, True),  # the tag before the port to transformers
        ("microsoft/phi-2", "d3186761bf5c4409f7679359284066c25ab668ee", True, False, False, False, True),
    ],
)
def test_weights_and_custom_code(hub_server, repo, revision, safetensors, pickle, gguf, onnx, custom) -> None:
    (f,) = facts_for(hub_server, ref(repo, revision))
    assert (f.has_safetensors, f.has_pickle, f.has_gguf, f.has_onnx, f.has_custom_code) == (safetensors, pickle, gguf, onnx, custom)


def test_custom_code_from_auto_map_alone(hub_server) -> None:
    hub_server.update_info("model", "openai-community/gpt2", config={"auto_map": {"AutoModel": "modeling_x.X"}})
    (f,) = facts_for(hub_server, ref("openai-community/gpt2"))
    assert f.has_custom_code is True


def test_security_scan_and_missing_card(hub_server) -> None:
    (f,) = facts_for(hub_server, ref("example-org/pickle-only-classifier"))
    assert f.security_status == "unsafe"
    info = hub_server.repo("model", "openai-community/gpt2")["info"]
    info["siblings"] = [s for s in info["siblings"] if s["rfilename"] != "README.md"]
    del info["securityRepoStatus"]
    (g,) = facts_for(hub_server, ref("openai-community/gpt2"))
    assert (g.card_present, g.security_status) == (False, None)


def test_one_lookup_per_distinct_key(hub_server) -> None:
    refs = [ref("openai-community/gpt2", line=i) for i in range(1, 6)] + [ref("openai-community/gpt2", "main", line=9)]
    facts = facts_for(hub_server, *refs)
    assert len(facts) == 6 and all(f.status == "ok" for f in facts)
    assert hub_server.count("/api/models/openai-community/gpt2") == 3  # default, revision/main, refs


def test_non_hub_references_get_none(hub_server) -> None:
    e = enrich([ref("./checkpoints/x", source="local"), ref("gpt-4o", source="api")], hub_server.hub_settings(), TODAY)
    assert e.facts == (None, None) and e.locked == (None, None)
    assert hub_server.count() == 0


def test_pool_is_bounded(hub_server) -> None:
    hub_server.latency = 0.05
    repos = ["example-org/chain-1", "example-org/chain-2", "example-org/chain-3", "example-org/chain-4",
             "example-org/chain-5", "openai-community/gpt2", "microsoft/phi-2", "facebook/opt-1.3b"]
    facts = facts_for(hub_server, *[ref(r) for r in repos], workers=3, lineage_depth=0)
    assert all(f.status == "ok" for f in facts)
    assert 1 < hub_server.max_in_flight <= 3
