"""`aiospo-ci inventory merge`: per-repository CycloneDX BOMs, as `aiospo-ci inventory` writes
them, combined into the organisation's inventory, and refused with one sentence when they are
not such BOMs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aiospo_ci.codeowners import CodeOwners
from aiospo_ci.errors import AiospoError
from aiospo_ci.inventory import build_inventory
from aiospo_ci.inventory_merge import judge, merge, read_bom
from aiospo_ci.model import HubFacts, ModelReference
from aiospo_ci.report.cyclonedx import render_cyclonedx
from tests.support.organisation import write_boms

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
BERT = "google-bert/bert-base-uncased"
BERT_SHA = "86b5e0934494bd15c9632b12f734a8a67f723594"


def _aiospo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aiospo_ci", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "AIOSPO_CACHE_DIR": str(cwd / "cache"), "HOME": str(cwd)},
    )


def _bom(tmp_path: Path, name: str, refs, facts, codeowners: str = "* @acme/everyone\n") -> Path:
    inventory = build_inventory(refs, facts, CodeOwners.parse(codeowners, "CODEOWNERS"), tmp_path, root_name=name)
    path = tmp_path / (name.replace("/", "_") + ".cdx.json")
    path.write_text(render_cyclonedx(inventory), encoding="utf-8")
    return path


def _bert(file: str, line: int = 3) -> tuple[ModelReference, HubFacts]:
    ref = ModelReference(file=file, line=line, id=BERT, call="transformers.AutoModel.from_pretrained", revision=BERT_SHA, pin="commit")
    return ref, HubFacts(id=BERT, sha=BERT_SHA, resolved_commit=BERT_SHA, license="apache-2.0", pipeline_tag="fill-mask")


def _components(text: str) -> dict[str, dict]:
    return {c["bom-ref"]: c for c in json.loads(text)["components"]}


@pytest.fixture(scope="module")
def demo_bom(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("merge")
    repo = work / "demo"
    shutil.copytree(DEMO, repo)
    (repo / ".github").mkdir(exist_ok=True)
    (repo / ".github" / "CODEOWNERS").write_text("* @acme/platform\n/src/legacy.py @acme/research @bob\n")
    run = _aiospo("inventory", "--offline", "--repository", "acme/demo", "-o", str(work / "demo.cdx.json"), "demo", cwd=work)
    assert run.returncode == 0, run.stderr
    return work / "demo.cdx.json"


def test_one_bom_merged_keeps_every_fact_and_use(demo_bom: Path):
    original = _components(demo_bom.read_text())
    merged_text = render_cyclonedx(merge([(demo_bom, read_bom(demo_bom))]))
    merged = _components(merged_text)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(merged_text) is None

    def without_repository(component: dict) -> dict:
        copy = json.loads(json.dumps(component).replace("acme/demo:", "").replace("repository: acme/demo; ", "").replace('"acme/demo ', '"'))
        return copy

    assert {k.replace("acme/demo:", ""): without_repository(c) for k, c in merged.items()} == original
    # the repository, and each warning of its BOM (here: offline, the lockfile was trusted) named with it
    repository_warnings = [
        {"name": p["name"], "value": "acme/demo: " + p["value"]}
        for p in json.loads(demo_bom.read_text())["metadata"].get("properties", [])
        if p["name"] == "aiospo:warning"
    ]
    assert repository_warnings, "the offline inventory says it trusted the lockfile"
    assert json.loads(merged_text)["metadata"]["properties"] == [{"name": "aiospo:repository", "value": "acme/demo"}, *repository_warnings]
    # The organisation's BOM reads back to itself.
    again = tmp = demo_bom.parent / "organisation.cdx.json"
    tmp.write_text(merged_text)
    assert render_cyclonedx(merge([(again, read_bom(again))])) == merged_text


def test_models_are_deduplicated_by_purl_and_every_use_keeps_its_repository_and_owners(tmp_path: Path):
    (a_ref, a_fact), (b_ref, b_fact) = _bert("src/search.py", 12), _bert("app/nlp.py", 40)
    local = ModelReference(file="train.py", line=5, id="./checkpoints/finetuned", source="local", call="transformers.AutoModel.from_pretrained")
    a = _bom(tmp_path, "acme/search", [a_ref, local], [a_fact, None], "* @acme/search\n")
    b = _bom(tmp_path, "acme/app", [b_ref, local], [b_fact, None], "* @acme/app @alice\n")
    merged_text = render_cyclonedx(merge([(a, read_bom(a)), (b, read_bom(b))], name="Acme"))
    components = _components(merged_text)
    bert = components[f"pkg:huggingface/google-bert/bert-base-uncased@{BERT_SHA}"]
    contexts = [(o["location"], o["additionalContext"]) for o in bert["evidence"]["occurrences"]]
    assert contexts == [
        ("app/nlp.py", f"repository: acme/app; owners: @acme/app @alice; pin: commit; revision: {BERT_SHA}"),
        ("src/search.py", f"repository: acme/search; owners: @acme/search; pin: commit; revision: {BERT_SHA}"),
    ]
    assert bert["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    # A local path means something only in its own repository: two components, not one.
    assert {k for k in components if k.startswith("model:local:")} == {
        "model:local:acme/app:./checkpoints/finetuned",
        "model:local:acme/search:./checkpoints/finetuned",
    }
    assert json.loads(merged_text)["metadata"]["component"]["name"] == "Acme"
    # The order of the files does not matter.
    assert render_cyclonedx(merge([(b, read_bom(b)), (a, read_bom(a))], name="Acme")) == merged_text


def test_a_repository_with_no_model_still_counts(tmp_path: Path):
    empty = _bom(tmp_path, "acme/docs", [], [])
    ref, fact = _bert("x.py")
    used = _bom(tmp_path, "acme/app", [ref], [fact])
    merged = merge([(empty, read_bom(empty)), (used, read_bom(used))])
    assert merged.repositories == ("acme/app", "acme/docs")


def test_the_same_repository_twice_is_refused_naming_both_files(tmp_path: Path):
    ref, fact = _bert("x.py")
    first = _bom(tmp_path, "workspace", [ref], [fact])
    second = tmp_path / "copy.cdx.json"
    shutil.copy(first, second)
    with pytest.raises(AiospoError) as caught:
        merge([(first, read_bom(first)), (second, read_bom(second))])
    assert str(caught.value) == (
        f"{first} and {second} both hold the repository 'workspace'; give each repository's BOM once, "
        "written with `aiospo-ci inventory --repository OWNER/NAME`."
    )


def _broken_boms(tmp_path: Path, good: Path) -> dict[str, tuple[str, str]]:
    """file name -> (content, the start of the expected message after the file name)."""
    document = json.loads(good.read_text())
    bad_type = json.loads(json.dumps(document))
    bad_type["components"][0]["type"] = "not-a-type"
    no_name = json.loads(json.dumps(document))
    del no_name["metadata"]["component"]
    old_spec = dict(document, specVersion="1.2")
    semicolon = json.loads(json.dumps(document))
    semicolon["metadata"]["component"]["name"] = "acme/app; owners: @evil"
    foreign_context = json.loads(json.dumps(document))
    foreign_context["components"][0]["evidence"]["occurrences"][0]["additionalContext"] = "written by another tool"
    return {
        "inventory.md": ("# AI inventory\n", "not JSON ("),
        "sbom.json": (json.dumps({"spdxVersion": "SPDX-2.3"}), 'not a CycloneDX BOM (no "bomFormat": "CycloneDX")'),
        "old.json": (json.dumps(old_spec), "CycloneDX 1.2 is not supported (only 1.4, 1.5, 1.6)"),
        "bad-type.json": (json.dumps(bad_type), "not a valid CycloneDX 1.6 BOM (at components/0/type: 'not-a-type' is not one of"),
        "no-name.json": (json.dumps(no_name), "names no repository (metadata.component.name)"),
        "semicolon.json": (json.dumps(semicolon), "names the repository 'acme/app; owners: @evil', which has a semicolon"),
        "foreign.json": (json.dumps(foreign_context), "the use at src/app.py has an additionalContext aiospo-ci did not write"),
    }


def test_malformed_boms_are_refused_with_one_sentence_naming_the_file_and_the_fix(demo_bom: Path, tmp_path: Path):
    for name, (content, expected) in _broken_boms(tmp_path, demo_bom).items():
        path = tmp_path / name
        path.write_text(content)
        run = _aiospo("inventory", "merge", str(demo_bom), str(path), cwd=tmp_path)
        assert run.returncode == 2, (name, run.stderr)
        assert run.stdout == ""
        message = run.stderr.strip()
        assert message.startswith(f"aiospo-ci: error: {path}: {expected}"), (name, message)
        assert message.count("\n") == 0 and message.endswith(".")
        fix = "give the CycloneDX JSON `aiospo-ci inventory` writes" if name == "inventory.md" else "write it again with `aiospo-ci inventory --repository OWNER/NAME -o FILE`"
        assert fix in message, (name, message)
    missing = _aiospo("inventory", "merge", str(tmp_path / "nowhere.json"), cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere.json: cannot read it (No such file or directory)" in missing.stderr


def test_merge_of_real_inventories_end_to_end(demo_bom: Path, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "app.py").write_text(f'from transformers import AutoModel\nAutoModel.from_pretrained("{BERT}", revision="{BERT_SHA}")\n')
    assert _aiospo("inventory", "--offline", "--repository", "acme/other", "-o", str(tmp_path / "other.cdx.json"), "other", cwd=tmp_path).returncode == 0
    run = _aiospo("inventory", "merge", str(demo_bom), str(tmp_path / "other.cdx.json"), "--name", "Acme", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(run.stdout) is None
    bert = _components(run.stdout)[f"pkg:huggingface/google-bert/bert-base-uncased@{BERT_SHA}"]
    repositories = {o["additionalContext"].split(";")[0] for o in bert["evidence"]["occurrences"]}
    assert repositories == {"repository: acme/demo", "repository: acme/other"}
    assert _aiospo("inventory", "merge", "--help", cwd=tmp_path).stdout.startswith("usage: aiospo-ci inventory merge")


def test_the_page_judges_licenses_as_the_check_does(tmp_path: Path):
    """Categories and severities on the page are the license rules' answer for each model: the
    same severity `check` gives the same model in a repository."""
    boms = write_boms(tmp_path / "boms", 12)
    merged = merge([(p, read_bom(p)) for p in boms])
    judgements = judge(merged, config={}, today="2026-11-26")
    from aiospo_ci.policy import library
    from aiospo_ci.policy.document import build_input
    from aiospo_ci.policy.embedded import embedded_engine
    from aiospo_ci.report.cyclonedx import bom_ref_for

    hub = [i for i in merged.items if i.source == "huggingface"]
    refs = [ModelReference(file="x.py", line=n + 1, id=i.id, kind=i.kind, revision=i.version, pin="commit") for n, i in enumerate(hub)]
    document = build_input(refs, [i.facts for i in hub], [None] * len(hub), {}, "2026-11-26")
    engine = embedded_engine()
    engine.load(library.load_modules([]), {})
    findings = engine.evaluate(document)
    rank = {"deny": 0, "warn": 1, "info": 2}
    for n, item in enumerate(hub):
        severities = sorted((f["severity"] for f in findings if f["ref"] == n and f["rule"].startswith("license/") and f["rule"] != "license/inheritance"), key=rank.get)
        judged = judgements[bom_ref_for(item)]
        expected = severities[0] if severities else ("allow" if item.facts is not None and item.facts.status == "ok" else "not judged")
        assert judged.license_severity == expected, item.id
    categories = {judgements[bom_ref_for(i)].category for i in hub}
    assert {"permissive", "non-commercial", "community", "unknown"} <= categories
