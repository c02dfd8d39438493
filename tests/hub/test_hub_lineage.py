"""base_model chains: licenses up the chain, renamed ancestors, cycles, depth, shared ancestors."""

from __future__ import annotations

from aiospo_ci.hub.enrich import enrich
from tests.hub.helpers import TODAY, ref


def lineage(f):
    return [(a.id, a.depth, a.license, a.status) for a in f.lineage]


def test_fine_tune_declaring_apache_on_a_llama_base(hub_server) -> None:
    (f,) = enrich([ref("example-org/llama-3.1-8b-support-ft")], hub_server.hub_settings(), TODAY).facts
    assert f.license == "apache-2.0"
    assert f.base_models == ("meta-llama/Llama-3.1-8B-Instruct",)
    assert lineage(f) == [
        ("meta-llama/Llama-3.1-8B-Instruct", 1, "llama3.1", "ok"),
        ("meta-llama/Llama-3.1-8B", 2, "llama3.1", "ok"),
    ]
    assert [(d.id, d.license, d.status) for d in f.dataset_facts] == [
        ("rajpurkar/squad_v2", "cc-by-sa-4.0", "ok"),
        ("stanfordnlp/imdb", "other", "ok"),
    ]


def test_gguf_conversion_of_a_gated_model_through_a_renamed_base(hub_server) -> None:
    (f,) = enrich([ref("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")], hub_server.hub_settings(), TODAY).facts
    assert (f.gated, f.has_gguf, f.license) == ("false", True, "llama3.1")
    assert lineage(f) == [
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", 1, "llama3.1", "ok"),
        ("meta-llama/Llama-3.1-8B", 2, "llama3.1", "ok"),
    ]


def test_cycle_stops(hub_server) -> None:
    (a,) = enrich([ref("example-org/cycle-a")], hub_server.hub_settings(lineage_depth=10), TODAY).facts
    assert lineage(a) == [("example-org/cycle-b", 1, "apache-2.0", "ok")]
    assert hub_server.count("/api/models/example-org/cycle-b") == 1
    assert hub_server.count("/api/models/example-org/cycle-a") <= 2  # as the root, and at most once as an ancestor


def test_depth_limit(hub_server) -> None:
    for depth, expected in [(0, []), (1, ["example-org/chain-2"]), (3, ["example-org/chain-2", "example-org/chain-3", "example-org/chain-4"]),
                            (10, ["example-org/chain-2", "example-org/chain-3", "example-org/chain-4", "example-org/chain-5"])]:
        hub_server.clear()
        (f,) = enrich([ref("example-org/chain-1")], hub_server.hub_settings(lineage_depth=depth), TODAY).facts
        assert [a.id for a in f.lineage] == expected
        assert [a.depth for a in f.lineage] == list(range(1, len(expected) + 1))
        assert f.base_models == ("example-org/chain-2",)
        assert hub_server.count() == 1 + len(expected)  # no lookups beyond the limit


def test_missing_ancestor_is_reported_with_its_status(hub_server) -> None:
    hub_server.update_info("model", "example-org/chain-5", cardData={"license": "gemma", "base_model": "runwayml/stable-diffusion-v1-5"})
    hub_server.update_info("model", "example-org/chain-5", baseModels=None)
    (f,) = enrich([ref("example-org/chain-4")], hub_server.hub_settings(), TODAY).facts
    assert lineage(f) == [("example-org/chain-5", 1, "gemma", "ok"), ("runwayml/stable-diffusion-v1-5", 2, None, "not_found")]


def test_shared_ancestors_are_fetched_once(hub_server) -> None:
    refs = [ref("example-org/llama-3.1-8b-support-ft"), ref("meta-llama/Llama-3.1-8B-Instruct", line=2),
            ref("meta-llama/Llama-3.1-8B-Instruct", "main", line=3)]
    facts = enrich(refs, hub_server.hub_settings(), TODAY).facts
    assert all(len(f.lineage) >= 1 for f in facts)
    assert hub_server.count("/api/models/meta-llama/Llama-3.1-8B-Instruct") == 3  # default, revision/main, refs
    assert hub_server.count("/api/models/meta-llama/Llama-3.1-8B") - hub_server.count("/api/models/meta-llama/Llama-3.1-8B-") == 1
