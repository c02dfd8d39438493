"""examples/demo/aiospo.lock, regenerated from the recorded Hub answers in tests/fixtures/hub.

The demo checks offline from this lockfile (`aiospo-ci check --offline examples/demo`).
Regenerate it after changing the demo's model references or the fixtures:

    python -m tests.hub.demo_lock

test_hub_lockfile.py proves the committed file is exactly what this produces.
"""

from __future__ import annotations

from pathlib import Path

from aiospo_ci.hub.enrich import lock
from aiospo_ci.model import ModelReference
from tests.hub.helpers import TODAY
from tests.support.hub_server import HubServer

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"
BERT_SHA = "86b5e0934494bd15c9632b12f734a8a67f723594"


def _ref(file: str, id: str, revision: str | None = None, kind: str = "model") -> ModelReference:
    return ModelReference(file=file, line=1, id=id, kind=kind, revision=revision)


# The Hub references in the demo (src/app.py, src/legacy.py, configs/train.yaml), as the scanner
# reports them; test_hub_lockfile checks the scanner still agrees when it is available.
DEMO_REFERENCES = (
    _ref("src/app.py", "google-bert/bert-base-uncased", BERT_SHA),
    _ref("src/app.py", "sentence-transformers/all-MiniLM-L6-v2", "main"),
    _ref("src/app.py", "meta-llama/Llama-3.1-8B-Instruct"),
    _ref("src/app.py", "facebook/nllb-200-distilled-600M"),
    _ref("src/app.py", "stanfordnlp/imdb", kind="dataset"),
    _ref("src/legacy.py", "microsoft/phi-2"),
    _ref("configs/train.yaml", "mistralai/Mistral-7B-v0.1"),
)


def regenerate(server: HubServer, target: Path) -> Path:
    """Write the demo's lockfile to `target` from the local Hub `server`, with no cache."""
    settings = server.hub_settings(lockfile=target, cache_dir=None)
    return lock(target.parent, DEMO_REFERENCES, settings, TODAY)


if __name__ == "__main__":
    hub = HubServer().start()
    try:
        print(regenerate(hub, DEMO / "aiospo.lock"))
    finally:
        hub.stop()
