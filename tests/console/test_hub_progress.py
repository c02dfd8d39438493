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
