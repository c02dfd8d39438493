"""aiospo-ci's own files are policy about models, not uses of them: the model ids in
.aiospo.yaml (waivers, approved_models) and in aiospo.lock must never come back as references,
or a waiver would produce findings of its own (an unpinned 'use' in .aiospo.yaml)."""

from __future__ import annotations

import json

import pytest

from tests.robustness.harness import write_tree

CONFIG = """waivers:
  - model: facebook/opt-1.3b
    rule: "*"
    justification: evaluated for research only
    expires: 2027-01-31
approved_models:
  - id: org/approved-model
"""


@pytest.mark.parametrize("name", [".aiospo.yaml", ".aiospo.yml"])
def test_the_configuration_is_not_scanned_as_a_use(cli, tmp_path, name):
    root = write_tree(tmp_path / "repo", {name: CONFIG, "train.yaml": "base_model: org/used-model\n"})
    run = cli("scan", str(root), "--format", "json")
    assert run.rc == 0, run
    ids = {(r["file"], r["id"]) for r in json.loads(run.stdout)["references"]}
    assert ids == {("train.yaml", "org/used-model")}  # the same keys in another YAML file count


def test_the_lockfile_is_not_scanned_as_a_use(cli, project, hub_server):
    assert cli("lock", str(project), "--hub-endpoint", hub_server.url).rc == 0
    lock = (project / "aiospo.lock").read_text(encoding="utf-8")
    assert "facebook/nllb-200-distilled-600M" in lock
    run = cli("scan", str(project), "--format", "json")
    assert {r["file"] for r in json.loads(run.stdout)["references"]} == {"src/app.py", "configs/train.yaml"}
