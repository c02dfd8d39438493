"""The reference corpus (tests/corpus): every pattern the scanner knows, with negatives, scanned
as a repository would be (its .aiospo.yaml excludes apply): as a git checkout, every file tracked
as in this repository, and as a plain folder, where .gitignore and the vendored-folder rule
decide. The expected references are in tests/corpus/expected.json; precision and recall must
both be 100%."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml

from aiospo_ci.scan.runner import scan_paths

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FIELDS = ("file", "line", "cell", "id", "kind", "source", "call", "revision", "pin", "flags", "provider", "detail")


def _key(ref: dict) -> str:
    return json.dumps({k: ref[k] for k in FIELDS}, sort_keys=True)


def corpus_checkout(tmp_path: Path) -> Path:
    """The corpus as its own git checkout, every file tracked (generated/ past its .gitignore),
    as the files are tracked in this repository."""
    root = tmp_path / "corpus-git"
    shutil.copytree(CORPUS, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-f", "-A"], check=True)
    return root


def corpus_folder(tmp_path: Path) -> Path:
    root = tmp_path / "corpus-plain"
    shutil.copytree(CORPUS, root)
    return root


def _scan(root: Path, tmp_path: Path, **kw):
    config = yaml.safe_load((CORPUS / ".aiospo.yaml").read_text())
    return scan_paths(root, exclude=config["exclude"], cache_dir=tmp_path / "cache", jobs=1, **kw)


def test_corpus_precision_and_recall_are_100_percent(tmp_path, corpus_metrics):
    expected_doc = json.loads((CORPUS / "expected.json").read_text())
    expected = {_key(r) for r in expected_doc["references"]}
    result = _scan(corpus_checkout(tmp_path), tmp_path)
    reported = {_key(r.to_dict()) for r in result.references}

    true_positives = expected & reported
    precision = len(true_positives) / len(reported) if reported else 0.0
    recall = len(true_positives) / len(expected) if expected else 0.0
    corpus_metrics.update(precision=precision, recall=recall, true_positives=len(true_positives),
                          expected=len(expected), reported=len(reported))

    unexpected = sorted(reported - expected)
    missed = sorted(expected - reported)
    assert not unexpected and not missed, (
        "false positives:\n  " + "\n  ".join(unexpected) + "\nmissed:\n  " + "\n  ".join(missed)
    )
    assert precision == 1.0 and recall == 1.0
    # No reference is reported twice (the set comparison above would hide a duplicate).
    assert len(result.references) == len(reported)


def test_corpus_as_a_plain_folder_reads_what_gitignore_and_vendoring_leave(tmp_path):
    expected_doc = json.loads((CORPUS / "expected.json").read_text())
    git_only = set(expected_doc["only_in_a_git_checkout"])
    expected = {_key(r) for r in expected_doc["references"] if r["file"] not in git_only}
    result = _scan(corpus_folder(tmp_path), tmp_path)
    assert {_key(r.to_dict()) for r in result.references} == expected


def test_corpus_unread_and_skipped_notes_are_exact(tmp_path):
    expected_doc = json.loads((CORPUS / "expected.json").read_text())
    expected_unread = [(u["file"], u["cause"], u["line"]) for u in expected_doc["unread"]]
    for mode, root in (("git", corpus_checkout(tmp_path)), ("plain", corpus_folder(tmp_path))):
        result = _scan(root, tmp_path).to_dict()
        assert [(u["file"], u["cause"], u["line"]) for u in result["unread"]] == expected_unread, mode
        for got, want in zip(result["unread"], expected_doc["unread"]):
            assert got["reason"].startswith(want["reason"]), (got, want)
        assert result["skipped"] == expected_doc["skipped"][mode], mode
        assert result["errors"] == [], mode


def test_corpus_negatives_are_absent(tmp_path):
    """The negatives by name, so a failure says which trap the scanner fell into."""
    ids = {r.id for r in _scan(corpus_checkout(tmp_path), tmp_path).references}
    for trap in (
        "en_core_web_sm",  # spacy.load: a pip package
        "org/in-docstring", "org/in-a-comment", "org/commented-out", "org/never-loaded",
        "meta-llama/Llama-3.1-8B",  # a bare string with no loader call
        "org/not-a-loader", "org/in-markdown", "org/not-a-model", "org/not-transformers",
        "Xenova/commented-out", "Xenova/in-block-comment",
        "fixture-org/excluded-by-config",
        "alpaca_en_demo", "squad_in_card", "gpt-4o", "team/project", "my-org/my-finetune",
        "csv", "gradio/hello_world", "org/commented",
        "artifacts/vocab.json", "org/in-inline-code", "org/in-a-python-block", "org/in-console-output",
        "org/commented-inference", "outputs/mistral-dpo", "convnext_tiny", "org/in-a-perl-script",
    ):
        assert trap not in ids, trap


def test_corpus_scan_is_byte_identical_across_runs_and_job_counts(tmp_path):
    config = yaml.safe_load((CORPUS / ".aiospo.yaml").read_text())
    root = corpus_checkout(tmp_path)
    one = scan_paths(root, exclude=config["exclude"], cache_dir=tmp_path / "a", jobs=1)
    two = scan_paths(root, exclude=config["exclude"], cache_dir=tmp_path / "b", jobs=2)
    warm = scan_paths(root, exclude=config["exclude"], cache_dir=tmp_path / "a", jobs=1)
    dump = lambda r: json.dumps(r.to_dict(), sort_keys=True)  # noqa: E731
    assert dump(one) == dump(two) == dump(warm)
