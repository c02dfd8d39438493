"""The pre-commit hook through the real `pre-commit` tool: a commit that adds a denied model is
refused, a clean one goes through.

pre-commit installs the hook repository (this one) with pip into its own virtualenv. Tests
have no network, so that install is pointed at what is already on this machine:
- the build backend (setuptools) comes from a local package index: AIOSPO_TEST_PIP_INDEX_URL,
  else the file:///opt/pypi/simple mirror when it exists; with neither, these tests fail
  naming the variable to set;
- the hook's runtime dependencies are not installed again (PIP_NO_DEPS=1) but found on
  PYTHONPATH, which points at this interpreter's site-packages. aiospo_ci itself comes from the
  hook virtualenv, i.e. from the repository pre-commit cloned (this interpreter's editable
  install is a .pth hook that PYTHONPATH entries do not run), so the hook code under test is
  the committed code of .pre-commit-hooks.yaml's repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

# The hook repository: this checkout (AIOSPO_TEST_HOOK_REPO points at another clone, e.g. to try
# uncommitted work committed in a scratch copy).
ROOT = Path(os.environ.get("AIOSPO_TEST_HOOK_REPO") or Path(__file__).resolve().parents[2])
BERT = ("google-bert/bert-base-uncased", "86b5e0934494bd15c9632b12f734a8a67f723594", "apache-2.0")
NLLB = ("facebook/nllb-200-distilled-600M", "f8d333a098d19b4fd9a8b18f94170487ad3f821d", "cc-by-nc-4.0")



def _local_index() -> str | None:
    url = os.environ.get("AIOSPO_TEST_PIP_INDEX_URL")
    if url:
        return url
    if Path("/opt/pypi/simple").is_dir():
        return "file:///opt/pypi/simple"
    return None


def _pre_commit() -> str:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if not exe:
        pytest.fail("the pre-commit tool is not installed; `pip install -e .[test]` installs it")
    return exe


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory) -> dict[str, str]:
    index = _local_index()
    if index is None:
        pytest.fail("no local package index for pre-commit's offline `pip install` of the hook; set AIOSPO_TEST_PIP_INDEX_URL to one (e.g. file:///opt/pypi/simple)")
    if not (ROOT / ".git").exists():
        pytest.fail(f"{ROOT} is not a git checkout, and pre-commit installs hooks from git repositories; run the tests from a clone")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "GIT_", "PRE_COMMIT", "HF_", "AIOSPO_"))}
    env.update(
        PRE_COMMIT_HOME=str(home / "cache"),
        PIP_INDEX_URL=index,
        PIP_NO_DEPS="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONPATH=sysconfig.get_paths()["purelib"],
        AIOSPO_CACHE_DIR=str(home / "aiospo-cache"),
        HF_HUB_OFFLINE="1",
        NO_COLOR="1",
        GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.com",
        GIT_CONFIG_NOSYSTEM="1", HOME=str(home),
    )
    return env


def _write_lock(repo: Path) -> None:
    """The models' vetted facts, as `aiospo-ci lock` records them: the hook runs offline."""
    from aiospo_ci.hub.interface import FactsKey
    from aiospo_ci.hub.lockfile import write_lock
    from aiospo_ci.model import HubFacts

    facts = {}
    for model, sha, license_id in (BERT, NLLB):
        facts[FactsKey("model", model, sha)] = HubFacts(
            id=model, sha=sha, revision=sha, revision_kind="commit", revision_status="ok", resolved_commit=sha,
            license=license_id, gated="false", private=False, disabled=False, card_present=True,
            has_safetensors=True, has_pickle=False, last_modified="2026-09-01T00:00:00.000Z",
            datasets=("wikimedia/wikipedia",), pipeline_tag="fill-mask",
        )
    write_lock(repo / "aiospo.lock", facts)


@pytest.fixture()
def repo(tmp_path: Path, hook_env) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, env=hook_env, check=True, capture_output=True)  # noqa: E731
    git("init", "-q", "-b", "main")
    (repo / ".aiospo.yaml").write_text("version: 1\nlicenses:\n  undeclared_datasets: allow\n")
    _write_lock(repo)
    (repo / "README.md").write_text("a project\n")
    git("add", ".aiospo.yaml", "aiospo.lock", "README.md")
    git("commit", "-q", "-m", "start")
    return repo


def _model_file(model: tuple[str, str, str]) -> str:
    return f'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("{model[0]}", revision="{model[1]}")\n'


def _run(cmd: list[str], repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=240)


def _head(repo: Path, env) -> str:
    return _run(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()


def test_try_repo_refuses_a_denied_model_and_passes_a_clean_file(repo: Path, hook_env):
    pre_commit = _pre_commit()
    (repo / "summarise.py").write_text(_model_file(NLLB))
    _run(["git", "add", "summarise.py"], repo, hook_env)
    refused = _run([pre_commit, "try-repo", str(ROOT), "aiospo-ci", "--verbose"], repo, hook_env)
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "- exit code: 1" in output  # the hook's own exit code: a policy failure, not an error (2)
    # One line per finding, path:line: severity rule message, and the one-line summary.
    finding = next(line for line in output.splitlines() if line.startswith("summarise.py:3: deny "))
    assert "license/category" in finding and "cc-by-nc-4.0" in finding and "non-commercial" in finding
    assert "aiospo-ci: 1 denied" in output

    _run(["git", "rm", "-q", "--cached", "summarise.py"], repo, hook_env)
    (repo / "search.py").write_text(_model_file(BERT))
    _run(["git", "add", "search.py"], repo, hook_env)
    passed = _run([pre_commit, "try-repo", str(ROOT), "aiospo-ci", "--verbose"], repo, hook_env)
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "aiospo-ci: 0 denied" in output and "1 references (1 files scanned)" in output


def test_installed_hook_refuses_then_accepts_commits(repo: Path, hook_env):
    """`pre-commit install` with the hook from .pre-commit-hooks.yaml at this repository's HEAD,
    then real `git commit`s."""
    pre_commit = _pre_commit()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: aiospo-ci\n"
    )
    _run(["git", "add", ".pre-commit-config.yaml"], repo, hook_env)
    _run(["git", "commit", "-q", "--no-verify", "-m", "hooks"], repo, hook_env)
    installed = _run([pre_commit, "install"], repo, hook_env)
    assert installed.returncode == 0, installed.stderr
    start = _head(repo, hook_env)

    (repo / "summarise.py").write_text(_model_file(NLLB))
    _run(["git", "add", "summarise.py"], repo, hook_env)
    refused = _run(["git", "commit", "-m", "add a summariser"], repo, hook_env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "summarise.py:3: deny" in refused.stdout + refused.stderr
    assert "license/category" in refused.stdout + refused.stderr
    assert _head(repo, hook_env) == start  # nothing was committed

    _run(["git", "rm", "-q", "--cached", "summarise.py"], repo, hook_env)
    (repo / "summarise.py").unlink()
    (repo / "search.py").write_text(_model_file(BERT))
    _run(["git", "add", "search.py"], repo, hook_env)
    accepted = _run(["git", "commit", "-m", "add search"], repo, hook_env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "aiospo-ci (AI model policy)" in accepted.stdout + accepted.stderr  # the hook did run
    assert _head(repo, hook_env) != start


def test_fix_hook_pins_staged_files_and_stops_the_commit_for_review(repo: Path, hook_env):
    """`aiospo-ci-fix`, as pre-commit users expect of formatters: it rewrites the staged file with
    the commit recorded in aiospo.lock, and pre-commit fails so the fix is looked at and staged."""
    from aiospo_ci.hub.interface import FactsKey
    from aiospo_ci.hub.lockfile import write_lock
    from aiospo_ci.model import HubFacts

    model, sha, license_id = BERT
    write_lock(repo / "aiospo.lock", {FactsKey("model", model, None): HubFacts(
        id=model, sha=sha, revision=None, revision_kind="none", revision_status="ok", resolved_commit=sha,
        license=license_id, gated="false", card_present=True, has_safetensors=True, has_pickle=False,
    )})
    source = f'from transformers import AutoModel\n\n# search index encoder\nmodel = AutoModel.from_pretrained(\n    "{model}",\n)\n'
    (repo / "search.py").write_text(source)
    _run(["git", "add", "search.py", "aiospo.lock"], repo, hook_env)
    fixed = _run([_pre_commit(), "try-repo", str(ROOT), "aiospo-ci-fix", "--verbose"], repo, hook_env)
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 1, output
    assert "files were modified by this hook" in output
    assert (repo / "search.py").read_text() == source.replace(f'    "{model}",\n', f'    "{model}",\n    revision="{sha}",\n')
    _run(["git", "add", "search.py"], repo, hook_env)
    again = _run([_pre_commit(), "try-repo", str(ROOT), "aiospo-ci-fix"], repo, hook_env)
    assert again.returncode == 0, again.stdout + again.stderr


def _bert_only_lock(repo: Path, env) -> None:
    """A lockfile that knows only the clean model: a new model is something nobody recorded."""
    lock = json.loads((repo / "aiospo.lock").read_text())
    lock["entries"] = [e for e in lock["entries"] if e["id"] == BERT[0]]
    (repo / "aiospo.lock").write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")
    _run(["git", "commit", "-q", "-am", "lock only bert"], repo, env)


def test_a_model_nobody_recorded_is_asked_of_the_hub(repo: Path, hook_env, hub_server):
    """The model is in neither aiospo.lock nor the cache: the hook asks the Hub (within its time
    budget) and refuses the commit; with the Hub unreachable it warns instead of passing silently."""
    from tests.robustness.harness import closed_port_url

    pre_commit = _pre_commit()
    env = {k: v for k, v in hook_env.items() if k not in ("HF_HUB_OFFLINE", "CI", "GITHUB_ACTIONS")}
    _bert_only_lock(repo, env)
    (repo / "summarise.py").write_text(_model_file(NLLB))
    _run(["git", "add", "summarise.py"], repo, env)

    refused = _run([pre_commit, "try-repo", str(ROOT), "aiospo-ci", "--verbose"], repo, {**env, "HF_ENDPOINT": hub_server.url})
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    finding = next(line for line in output.splitlines() if line.startswith("summarise.py:3: deny "))
    assert "license/category" in finding and "cc-by-nc-4.0" in finding
    assert hub_server.count(f"/api/models/{NLLB[0]}") >= 1  # the Hub was asked

    # the same commit made without network, through the installed hook: it goes through, and
    # the hook's warning is printed (verbose: true in .pre-commit-hooks.yaml), not hidden
    head = _run(["git", "rev-parse", "HEAD"], ROOT, env).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: aiospo-ci\n")
    _run(["git", "add", ".pre-commit-config.yaml"], repo, env)
    assert _run([pre_commit, "install"], repo, env).returncode == 0
    warned = _run(["git", "commit", "-m", "offline commit"], repo, {**env, "HF_ENDPOINT": closed_port_url()})
    output = warned.stdout + warned.stderr
    assert warned.returncode == 0, output
    assert "summarise.py:3: warn hub/unknown" in output, output
