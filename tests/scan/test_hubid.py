"""Hub id rules, local-path detection, pin classification and Hub URLs."""

from __future__ import annotations

import pytest

from aiospo_ci.scan import hubid


@pytest.mark.parametrize("value", [
    "gpt2", "bert-base-uncased", "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-0.5B", "a/b",
    "org_name/model.v2", "x" * 96,
])
def test_valid_hub_ids(value):
    assert hubid.is_hub_id(value)


@pytest.mark.parametrize("value", [
    "", "x" * 97, "a/b/c", "-lead/x", "org/trail-", "org/.hidden", "org/name.", "a--b/c", "a/b..c",
    "has space/x", "org/name!", "org/weights.safetensors", "data/train.jsonl", "model.pt",
])
def test_invalid_hub_ids(value):
    assert not hubid.is_hub_id(value)


def test_namespaced_ids_need_a_slash():
    assert hubid.is_namespaced_hub_id("org/name")
    assert not hubid.is_namespaced_hub_id("gpt2")


@pytest.mark.parametrize("value", [
    "./x", "../x", "/abs/path", "~", "~/models", ".", "..", "C:\\models\\bert", "c:/models", "\\\\server\\share",
    "a/b/c", "checkpoints\\run",
])
def test_local_paths(value):
    assert hubid.is_local_path(value)


@pytest.mark.parametrize("value", ["gpt2", "org/name", "hf://datasets/org/name/file.parquet", "https://huggingface.co/a/b/c"])
def test_not_local_paths(value):
    assert not hubid.is_local_path(value)


@pytest.mark.parametrize("revision, pin", [
    (None, "none"),
    ("0123456789abcdef0123456789abcdef01234567", "commit"),
    ("0123456", "mutable"),  # a short sha is not a pin: it can become ambiguous
    ("main", "mutable"),
    ("v1.0", "mutable"),
    ("refs/pr/5", "mutable"),
    ("0123456789ABCDEF0123456789ABCDEF01234567", "mutable"),  # the Hub's shas are lowercase
    ("", "mutable"),
])
def test_pin_classification(revision, pin):
    assert hubid.classify_pin(revision) == pin


@pytest.mark.parametrize("url, expected", [
    ("https://huggingface.co/org/name/blob/main/file.safetensors", ("org/name", "model", "main")),
    ("https://huggingface.co/org/name/resolve/abc123/x.bin", ("org/name", "model", "abc123")),
    ("https://huggingface.co/datasets/org/data", ("org/data", "dataset", None)),
    ("https://hf.co/org/name", ("org/name", "model", None)),
    ("hf://datasets/stanfordnlp/imdb/plain_text/train.parquet", ("stanfordnlp/imdb", "dataset", None)),
    ("hf://org/name@v2/weights.bin", ("org/name", "model", "v2")),
    ("hf-hub:timm/resnet50.a1_in1k", ("timm/resnet50.a1_in1k", "model", None)),
    ("hf.co/bartowski/Llama-GGUF:Q4_K_M", ("bartowski/Llama-GGUF", "model", None)),
])
def test_hub_urls(url, expected):
    t = hubid.parse_hub_url(url)
    assert t is not None and (t.id, t.kind, t.revision) == expected


@pytest.mark.parametrize("url", [
    "https://example.com/org/name", "https://huggingface.co/spaces/org/app", "hf://spaces/org/app",
    "https://my-endpoint.endpoints.huggingface.cloud", "hf.co/single",
])
def test_not_hub_urls(url):
    assert hubid.parse_hub_url(url) is None
