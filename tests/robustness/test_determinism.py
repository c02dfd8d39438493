"""Same tree + lockfile + policies -> byte-identical JSON and SARIF.

Across two runs, across hash seeds (set iteration order), across --jobs 1 and 2, across the
order the tree was written in, and across engines: the embedded engine (regopy) and OPA's own
Go evaluator behind the OPA REST API (FakeOpaServer backend 'opa-golib', i.e.
opa-golib-python-bindings, which .ci/run installs). The runs are offline on a lockfile written
by `aiospo-ci lock` from the local Hub, so the facts are fixed and only aiospo-ci can vary.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.robustness.harness import APP_PY, BERT_SHA, write_tree
from tests.support.opa_reference import require_opa_bindings
from tests.support.opa_server import FakeOpaServer

#: A tree with findings of every severity, duplicates, several scanners, a waiver and a user
#: policy, and file names whose order differs between bytewise, case-folded and creation order.
FILES = {
    "src/app.py": APP_PY,
    "src/Zeta.py": 'from transformers import AutoModel\nm = AutoModel.from_pretrained("microsoft/phi-2", trust_remote_code=True)\n',
    "src/alpha.py": 'from transformers import AutoModel\na = AutoModel.from_pretrained("openai-community/gpt2", revision="main")\nb = AutoModel.from_pretrained("openai-community/gpt2")\n',
    "src/émoji_ü.py": 'from transformers import pipeline\np = pipeline("text-generation", model="google/gemma-2-2b")\n',
    "src/sub/dup.py": APP_PY,
    "configs/train.yaml": "base_model: google-bert/bert-base-uncased\n",
    "configs/eval.json": json.dumps({"model_name_or_path": "facebook/opt-1.3b", "tokenizer_name": "openai-community/gpt2"}),
    ".aiospo.yaml": (
        "waivers:\n"
        "  - model: facebook/opt-1.3b\n"
        "    rule: '*'\n"
        "    justification: evaluated for research only\n"
        "    approver: ospo@example.com\n"
        "    expires: 2027-01-31\n"
    ),
}
USER_POLICY = """package aiospo.rules.house

# Every reference in a test file is noted: a user rule beside the library's.
findings contains {"rule": "house/noted", "severity": "info", "message": sprintf("%s seen in %s", [r.id, r.file]), "ref": r.index} if {
	some r in input.references
	r.source == "huggingface"
}
"""


@pytest.fixture(scope="module")
def lockfile(tmp_path_factory) -> bytes:
    """aiospo.lock for FILES, written by `aiospo-ci lock` from the local Hub; written twice to
    show the lockfile itself is deterministic."""
    from tests.robustness.harness import Cli
    from tests.support.hub_server import HubServer

    base = tmp_path_factory.mktemp("lock")
    server = HubServer().start()
    try:
        locks = []
        for attempt in range(2):
            home = base / f"home{attempt}"
            home.mkdir()
            root = write_tree(base / f"tree{attempt}", FILES)
            run = Cli(home)("lock", str(root), "--hub-endpoint", server.url)
            assert run.rc == 0, run
            locks.append((root / "aiospo.lock").read_bytes())
    finally:
        server.stop()
    assert locks[0] == locks[1]
    return locks[0]


def make_tree(where: Path, lock: bytes, reverse: bool = False) -> Path:
    items = list(FILES.items())
    if reverse:
        items.reverse()
    root = write_tree(where, dict(items))
    (root / "aiospo.lock").write_bytes(lock)
    return root


@pytest.fixture
def policies(tmp_path) -> Path:
    return write_tree(tmp_path / "house-policies", {"house.rego": USER_POLICY})


def check(cli, root: Path, fmt: str, *extra: str, env=None) -> bytes:
    out = root.parent / f"report-{root.name}-{fmt}-{abs(hash(extra))}.{fmt}"
    run = cli("check", str(root), "--offline", "--format", fmt, "-o", str(out), "--fail-on", "never", *extra, env=env)
    assert run.rc == 0, run
    data = out.read_bytes()
    out.unlink()
    return data


def test_the_decision_is_not_trivial(cli, tmp_path, lockfile, policies):
    """Guards the comparisons below: findings of every severity, the user rule, lockfile facts.
    (Whether the waiver applies is an engine-agreement question: see the cross-engine test.)"""
    root = make_tree(tmp_path / "tree", lockfile)
    report = json.loads(check(cli, root, "json", "--engine", "embedded", "--policy", str(policies)))
    severities = {f["severity"] for f in report["findings"]}
    assert severities == {"deny", "warn", "info"}, report["findings"]
    assert any(f["rule"] == "house/noted" for f in report["findings"])
    assert len(report["references"]) >= 12
    assert all((r["facts"] or {}).get("origin") in (None, "lockfile") for r in report["references"])
    assert BERT_SHA in json.dumps(report)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_two_runs_hash_seeds_and_write_orders_are_byte_identical(cli, tmp_path, lockfile, policies, fmt):
    first = make_tree(tmp_path / "one", lockfile)
    second = make_tree(tmp_path / "two", lockfile, reverse=True)
    outputs = {
        check(cli, first, fmt, "--engine", "embedded", "--policy", str(policies), env={"PYTHONHASHSEED": "1"}),
        check(cli, first, fmt, "--engine", "embedded", "--policy", str(policies), env={"PYTHONHASHSEED": "2"}),
        check(cli, second, fmt, "--engine", "embedded", "--policy", str(policies), env={"PYTHONHASHSEED": "3"}),
    }
    assert len(outputs) == 1
    json.loads(outputs.pop())  # and it is one valid JSON document


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_jobs_1_and_2_are_byte_identical(cli, tmp_path, lockfile, policies, fmt):
    root = make_tree(tmp_path / "tree", lockfile)
    one = check(cli, root, fmt, "--engine", "embedded", "--jobs", "1", "--policy", str(policies))
    two = check(cli, root, fmt, "--engine", "embedded", "--jobs", "2", "--policy", str(policies))
    assert one == two


def test_scan_output_is_byte_identical_across_jobs_and_runs(cli, tmp_path, lockfile):
    root = make_tree(tmp_path / "tree", lockfile)
    outputs = set()
    for jobs in ("1", "2", "2"):
        for fmt in ("json", "sarif"):
            run = cli("scan", str(root), "--format", fmt, "--jobs", jobs)
            assert run.rc == 0, run
            outputs.add((fmt, run.stdout))
    assert len(outputs) == 2
    scan = json.loads(next(text for fmt, text in outputs if fmt == "json"))
    keys = [(r["file"], r["line"], r["column"] or 0) for r in scan["references"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_embedded_and_opa_go_evaluator_are_byte_identical(cli, tmp_path, lockfile, policies, fmt):
    """Caught two engine divergences in the library on its first run: waivers not applied under
    rego-cpp (a variable bound only after the call that used it) and a quoted string in the
    license/obligations message (rego-cpp prints builtin-made strings with their quotes in a
    sprintf of two or more arguments)."""
    require_opa_bindings()
    root = make_tree(tmp_path / "tree", lockfile)
    embedded = check(cli, root, fmt, "--engine", "embedded", "--policy", str(policies))
    with FakeOpaServer(backend="opa-golib") as opa:
        via_opa = check(cli, root, fmt, "--engine", "opa", "--opa-url", opa.url, "--policy", str(policies))
        posts = [r for r in opa.requests if r.method == "POST"]
    assert len(posts) == 1  # OPA really decided, in one query
    assert embedded == via_opa
    # ...including the waiver, which both engines must apply
    if fmt == "json":
        assert any(f["waived"] for f in json.loads(embedded)["findings"])
    else:
        assert any("suppressions" in r for r in json.loads(embedded)["runs"][0]["results"])


def test_a_changed_lockfile_changes_the_output(cli, tmp_path, lockfile):
    """The comparisons above can fail: different facts give different bytes."""
    root = make_tree(tmp_path / "tree", lockfile)
    before = check(cli, root, "json", "--engine", "embedded")
    lock = json.loads(lockfile)
    text = json.dumps(lock).replace("cc-by-nc-4.0", "apache-2.0")
    assert text != json.dumps(lock)
    (root / "aiospo.lock").write_text(text, encoding="utf-8")
    after = check(cli, root, "json", "--engine", "embedded")
    assert before != after
    shutil.rmtree(root)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_cold_and_a_warm_hub_cache_give_the_same_bytes(cli, tmp_path, hub_server, fmt):
    """Online: the first run asks the Hub, the second answers from the cache. Where a fact came
    from is the run's business (its log), not the verdict document's."""
    root = write_tree(tmp_path / "tree", FILES)
    env = {"AIOSPO_CACHE_DIR": str(tmp_path / "hub-cache")}
    cold = check_online(cli, root, fmt, hub_server, env)
    asked = hub_server.count()
    assert asked > 0
    hub_server.clear()
    warm = check_online(cli, root, fmt, hub_server, env)
    assert hub_server.count() < asked, "the second run was not answered from the cache"
    assert cold == warm


def check_online(cli, root: Path, fmt: str, hub_server, env) -> bytes:
    out = root.parent / f"online.{fmt}"
    run = cli("check", str(root), "--format", fmt, "-o", str(out), "--fail-on", "never", "--engine", "embedded",
              "--hub-endpoint", hub_server.url, env=env)
    assert run.rc == 0, run
    data = out.read_bytes()
    out.unlink()
    return data
