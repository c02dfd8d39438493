"""Config files: YAML, JSON, TOML, model-card front matter, .env."""

from __future__ import annotations

import pytest

from aiospo_ci.scan.configs import EnvScanner, JsonScanner, ModelCardScanner, TomlScanner, YamlScanner
from aiospo_ci.scan.interface import ScanFailure


def ids(refs):
    return [(r.id, r.kind, r.line, r.call) for r in refs]


def test_yaml_keys_lists_and_nesting():
    data = b"""
train:
  model_name_or_path: org/base
  tokenizer_name: [org/tok-a, org/tok-b]
  dataset_name: org/data
  model: gpt2
  repo_id: ./local/path
"""
    assert ids(YamlScanner().scan("c.yaml", data)) == [
        ("org/base", "model", 3, "yaml:model_name_or_path"),
        ("org/tok-a", "model", 4, "yaml:tokenizer_name"),
        ("org/tok-b", "model", 4, "yaml:tokenizer_name"),
        ("org/data", "dataset", 5, "yaml:dataset_name"),
        ("./local/path", "model", 7, "yaml:repo_id"),  # a path: reported as local (source checked below)
    ]


def test_local_paths_in_model_keys_are_reported_as_local():
    data = b"model_name_or_path: /models/llama\nadapter_name_or_path: saves/qwen/lora/sft\noutput_dir: ./out\nmodel: gpt2\n"
    refs = YamlScanner().scan("c.yaml", data)
    assert [(r.id, r.source, r.call) for r in refs] == [
        ("/models/llama", "local", "yaml:model_name_or_path"), ("saves/qwen/lora/sft", "local", "yaml:adapter_name_or_path")]
    refs = JsonScanner().scan("adapter_config.json", b'{"base_model_name_or_path": "./base", "peft_type": "LORA"}')
    assert [(r.id, r.source) for r in refs] == [("./base", "local")]


def test_yaml_hub_url_value_and_sibling_revision():
    refs = YamlScanner().scan("c.yml", b"base_model: https://huggingface.co/org/name\nmodel_revision: v2\n")
    assert [(r.id, r.revision, r.pin) for r in refs] == [("org/name", "v2", "mutable")]


def test_yaml_billion_laughs_is_read_once_per_node():
    lines = ["a0: &a0 {base_model: org/bomb}"]
    for i in range(1, 30):
        prev = f"*a{i-1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    refs = YamlScanner().scan("bomb.yaml", "\n".join(lines).encode())
    assert ids(refs) == [("org/bomb", "model", 1, "yaml:base_model")]


def test_yaml_python_tags_are_composed_as_data_never_constructed(tmp_path):
    target = tmp_path / "created-by-yaml"
    data = f"model: !!python/object/apply:os.system ['touch {target}']\nbase_model: org/x\n".encode()
    refs = YamlScanner().scan("evil.yaml", data)
    assert [r.id for r in refs] == ["org/x"]
    assert not target.exists()


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ScanFailure, match=r"not valid YAML: .*\(line 2\)"):
        YamlScanner().scan("bad.yaml", b"a: 1\nb: c: d\n")


def test_json_duplicate_keys_are_all_seen_with_their_lines():
    data = b'{\n "model": "org/first",\n "model": "org/second"\n}\n'
    assert ids(JsonScanner().scan("c.json", data)) == [
        ("org/first", "model", 2, "json:model"), ("org/second", "model", 3, "json:model"),
    ]


def test_json_deep_nesting_is_a_scan_failure():
    with pytest.raises(ScanFailure, match="nested too deeply"):
        JsonScanner().scan("deep.json", b"[" * 100_000 + b"]" * 100_000)


def test_json_non_utf8_is_a_scan_failure():
    with pytest.raises(ScanFailure, match="not UTF-8"):
        JsonScanner().scan("c.json", b'{"model": "org/\xff"}')


def test_toml_tables_and_errors():
    refs = TomlScanner().scan("c.toml", b'[serve]\nmodel_id = "org/served"\n[[runs]]\nmodel = "org/run"\n')
    assert ids(refs) == [("org/served", "model", 2, "toml:model_id"), ("org/run", "model", 4, "toml:model")]
    with pytest.raises(ScanFailure, match="not valid TOML"):
        TomlScanner().scan("bad.toml", b"model = \n")


def test_model_card_reads_front_matter_only():
    data = b"---\nbase_model:\n- org/a\n- org/b\ndatasets: [org/d]\n---\nbase_model: org/not-front-matter\n"
    assert ids(ModelCardScanner().scan("README.md", data)) == [
        ("org/a", "model", 3, "model-card:base_model"), ("org/b", "model", 4, "model-card:base_model"),
        ("org/d", "dataset", 5, "model-card:datasets"),
    ]
    assert ModelCardScanner().scan("NOTES.md", b"# no front matter\nbase_model: org/x\n") == []


def test_env_file_keys_and_values():
    data = b'export HF_MODEL_ID="org/one"\nEMBED_MODEL=org/two # comment\nTRAIN_DATASET=org/three\nMODEL=gpt-4o\nNAME=org/x\n'
    assert ids(EnvScanner().scan(".env", data)) == [
        ("org/one", "model", 1, "env:HF_MODEL_ID"), ("org/two", "model", 2, "env:EMBED_MODEL"),
        ("org/three", "dataset", 3, "env:TRAIN_DATASET"),
    ]
    assert EnvScanner().handles("deploy/.env.production") and EnvScanner().handles("prod.env")
    assert not EnvScanner().handles("environment.py")


def test_a_committed_tokenizer_json_is_read_not_refused():
    import json

    doc = {"version": "1.0", "model": {"type": "BPE", "vocab": {f"tok{i}": i for i in range(300_000)},
                                       "merges": [[f"a{i}", f"b{i}"] for i in range(300_000)]},
           "base_model_name_or_path": "org/tokenized"}
    refs = JsonScanner().scan("tokenizer.json", json.dumps(doc).encode())
    assert [r.id for r in refs] == ["org/tokenized"]
