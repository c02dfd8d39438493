"""The progress callback on Hub enrichment, against the local test Hub (real HTTP), and the
inventory command's bar on a real pseudo-terminal."""

from __future__ import annotations

import datetime as _dt

from aiospo_ci.hub.enrich import enrich
from aiospo_ci.model import ModelReference

MODELS = [
    "google-bert/bert-base-uncased", "microsoft/phi-2", "openai-community/gpt2", "facebook/opt-1.3b",
    "mistralai/Mistral-7B-v0.1", "google/gemma-2-2b", "sentence-transformers/all-MiniLM-L6-v2",
    "facebook/nllb-200-distilled-600M", "CompVis/stable-diffusion-v1-4",
]


def test_enrich_reports_progress_as_lookups_finish(hub_server):
    refs = [ModelReference(file="a.py", line=i + 1, id=m) for i, m in enumerate(MODELS)]
    calls: list[tuple[int, int]] = []
    settings = hub_server.hub_settings(workers=4, lineage_depth=0)
    result = enrich(refs, settings, _dt.date(2026, 11, 26), progress=lambda done, total: calls.append((done, total)))
    assert all(f is not None and f.status == "ok" for f in result.facts)
    assert calls, "no progress was reported"
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(calls) >= 3  # moves in steps of the worker count, not at once
    # The end: everything asked was answered; datasets the models declare are looked up too.
    assert calls[-1][0] == calls[-1][1] >= len(MODELS)
    assert all(d <= t for d, t in calls)


def test_enrich_without_progress_is_unchanged(hub_server):
    refs = [ModelReference(file="a.py", line=1, id="microsoft/phi-2")]
    settings = hub_server.hub_settings(lineage_depth=0)
    assert enrich(refs, settings, _dt.date(2026, 11, 26)).facts[0].status == "ok"


def _inventory_on(stream_is_tty: bool, repo, env) -> str:
    """Run `aiospo-ci inventory` with stderr on a pseudo-terminal (or a pipe); return stderr."""
    import os
    import pty
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "aiospo_ci", "inventory", "-o", str(repo / "bom.json"), str(repo)]
    if not stream_is_tty:
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_inventory_shows_a_progress_bar_only_on_a_terminal(hub_server, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(
        "from transformers import AutoModel\n" + "".join(f'm{i} = AutoModel.from_pretrained("{m}")\n' for i, m in enumerate(MODELS))
    )
    hub_server.latency = 0.05
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_ENDPOINT": hub_server.url, "TERM": "xterm-256color",
        "AIOSPO_CACHE_DIR": str(tmp_path / "cache-tty"),
    }
    on_tty = _inventory_on(True, repo, env)
    assert "Asking the Hub" in on_tty
    env["AIOSPO_CACHE_DIR"] = str(tmp_path / "cache-pipe")
    piped = _inventory_on(False, repo, env)
    assert "Asking the Hub" not in piped and "\x1b[" not in piped
