"""`aiospo-ci inventory` end to end on the demo repository, offline from its aiospo.lock: the
CycloneDX output validates as 1.6 and carries every reference `scan` finds, each with the
owners CODEOWNERS gives its file."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
CODEOWNERS = "*  @acme/platform\n/src/  @acme/support-bot\n/src/legacy.py  @acme/research @bob\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("inventory") / "demo"
    shutil.copytree(DEMO, repo)
    (repo / ".github").mkdir(exist_ok=True)
    (repo / ".github" / "CODEOWNERS").write_text(CODEOWNERS)
    return repo


def _aiospo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aiospo_ci", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "AIOSPO_CACHE_DIR": str(cwd.parent / "cache"), "HOME": str(cwd.parent)},
    )


def test_cyclonedx_inventory_of_the_demo(demo: Path):
    run = _aiospo("inventory", "--offline", ".", cwd=demo)
    assert run.returncode == 0, run.stderr
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(run.stdout, all_errors=True)
    assert errors is None, [str(e) for e in errors]
    bom = json.loads(run.stdout)

    scan = _aiospo("scan", "--format", "json", ".", cwd=demo)
    references = json.loads(scan.stdout)["references"]
    assert references, scan.stderr
    occurrences = {
        (o["location"], o["line"]): (c, o)
        for c in bom["components"]
        for o in c.get("evidence", {}).get("occurrences", [])
    }
    for ref in references:  # every use of every model, dataset and local path is in the BOM
        assert (ref["file"], ref["line"]) in occurrences, ref
    assert len(occurrences) == len({(r["file"], r["line"]) for r in references})

    # Owners: last CODEOWNERS match wins per file.
    _, legacy = occurrences[next((r["file"], r["line"]) for r in references if r["file"] == "src/legacy.py" and r["id"] == "microsoft/phi-2")]
    assert legacy["additionalContext"].startswith("owners: @acme/research @bob;")
    _, config = occurrences[next((r["file"], r["line"]) for r in references if r["file"].startswith("configs/"))]
    assert config["additionalContext"].startswith("owners: @acme/platform;")

    # Facts from the demo's aiospo.lock: purl with the locked commit, license, model card.
    by_ref = {c["bom-ref"]: c for c in bom["components"]}
    nllb = next(c for ref, c in by_ref.items() if ref.startswith("pkg:huggingface/facebook/nllb-200-distilled-600m@"))
    assert nllb["type"] == "machine-learning-model"
    assert nllb["licenses"] == [{"license": {"id": "CC-BY-NC-4.0"}}]
    assert nllb["supplier"]["name"] == "facebook"
    assert nllb["modelCard"]["modelParameters"]["task"]
    assert {"name": "aiospo:hub:origin", "value": "lockfile"} in nllb["properties"]


def test_inventory_is_byte_identical_across_runs(demo: Path):
    first = _aiospo("inventory", "--offline", ".", cwd=demo).stdout
    second = _aiospo("inventory", "--offline", ".", "--jobs", "1", cwd=demo).stdout
    assert first == second and first


def test_markdown_and_csv_to_files(demo: Path, tmp_path: Path):
    md, table = tmp_path / "inventory.md", tmp_path / "inventory.csv"
    assert _aiospo("inventory", "--offline", "--format", "markdown", "-o", str(md), ".", cwd=demo).returncode == 0
    assert _aiospo("inventory", "--offline", "--format", "csv", "-o", str(table), ".", cwd=demo).returncode == 0
    text = md.read_text()
    assert "(owners from `.github/CODEOWNERS`)" in text
    assert "| model | `microsoft/phi-2` |" in text
    rows = list(csv.DictReader(io.StringIO(table.read_text())))
    phi = [r for r in rows if r["id"] == "microsoft/phi-2"]
    assert phi and phi[0]["owners"] == "@acme/research @bob" and "trust_remote_code" in phi[0]["flags"]


def test_inventory_of_a_file_is_one_sentence_and_exit_2(demo: Path):
    run = _aiospo("inventory", "src/app.py", cwd=demo)
    assert run.returncode == 2
    assert run.stderr.strip() == "aiospo-ci: error: src/app.py: not a directory; give the repository folder to inventory."


def test_committed_weight_file_is_listed_with_its_sha256(tmp_path: Path):
    import hashlib
    import struct

    repo = tmp_path / "weights"
    (repo / "models").mkdir(parents=True)
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    data = struct.pack("<Q", len(header)) + header + b"\0\0\0\0"
    (repo / "models" / "clf.safetensors").write_bytes(data)
    run = _aiospo("inventory", "--offline", ".", cwd=repo)
    assert run.returncode == 0, run.stderr
    (component,) = json.loads(run.stdout)["components"]
    assert component["bom-ref"] == "model:file:models/clf.safetensors"
    assert component["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()}]
    assert component["evidence"]["occurrences"][0]["location"] == "models/clf.safetensors"
