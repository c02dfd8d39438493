"""The hub stage through the real CLI: a warm `check` asks the Hub nothing; `lock` then `check --offline`."""

from __future__ import annotations

import json

from aiospo_ci.cli import main

CODE = '''from transformers import AutoModel, pipeline
a = AutoModel.from_pretrained("gpt2")
b = AutoModel.from_pretrained("google-bert/bert-base-uncased", revision="86b5e0934494bd15c9632b12f734a8a67f723594")
c = pipeline("text-generation", model="example-org/llama-3.1-8b-support-ft")
'''


def project(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(CODE, encoding="utf-8")
    return root


def check(root, *extra):
    return main(["check", str(root), "--engine", "embedded", "--format", "json", "--fail-on", "never",
                 "--today", "2026-11-26", *extra])


def test_second_check_makes_no_request(hub_server, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AIOSPO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    root = project(tmp_path)
    assert check(root, "--hub-endpoint", hub_server.url) == 0
    first = json.loads(capsys.readouterr().out)
    assert hub_server.count() >= 5  # three models, a redirect, a base model chain, two datasets
    hub_server.clear()
    assert check(root, "--hub-endpoint", hub_server.url) == 0
    second = json.loads(capsys.readouterr().out)
    assert hub_server.count() == 0
    assert second["findings"] == first["findings"]


def test_lock_then_offline_check(hub_server, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AIOSPO_CACHE_DIR", str(tmp_path / "cache"))
    root = project(tmp_path)
    assert main(["lock", str(root), "--hub-endpoint", hub_server.url]) == 0
    entries = json.loads((root / "aiospo.lock").read_text())["entries"]
    assert [e["id"] for e in entries] == ["example-org/llama-3.1-8b-support-ft", "google-bert/bert-base-uncased", "gpt2"]
    hub_server.clear()
    monkeypatch.setenv("AIOSPO_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert check(root, "--offline") == 0
    report = json.loads(capsys.readouterr().out)
    assert hub_server.count() == 0
    origins = {r["id"]: r["facts"]["origin"] for r in report["references"]}
    assert set(origins.values()) == {"lockfile"}
