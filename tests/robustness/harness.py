"""Whole-process harness: run the real `aiospo-ci` as a subprocess against local services.

Nothing is mocked: the CLI runs as `python -m aiospo_ci` with a clean environment, talks to the
local Hub (tests/support/hub_server.py) and to the OPA Data API server
(tests/support/opa_server.py) over real HTTP, and its exit code, streams and files are what
the tests judge.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-11-26"
BERT_SHA = "86b5e0934494bd15c9632b12f734a8a67f723594"

#: A small project whose references are all recorded in tests/fixtures/hub: a pinned
#: apache-2.0 model (passes), a non-commercial one (deny under the default commercial use),
#: and an unpinned one (a pinning finding).
APP_PY = f'''"""A service that uses three models."""
from transformers import AutoModel, AutoTokenizer, pipeline

BERT = "google-bert/bert-base-uncased"
tokenizer = AutoTokenizer.from_pretrained(BERT, revision="{BERT_SHA}")
model = AutoModel.from_pretrained(BERT, revision="{BERT_SHA}")
summariser = pipeline("summarization", model="facebook/nllb-200-distilled-600M")
generator = pipeline("text-generation", model="openai-community/gpt2")
'''
TRAIN_YAML = "base_model: google-bert/bert-base-uncased\nlearning_rate: 0.0001\n"

#: Variables the CLI must not inherit from the machine running the tests.
_SCRUBBED = ("HF_", "HUGGING", "GITHUB_", "GH_", "OPA_", "AIOSPO_", "INPUT_", "RUNNER_", "CI")


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    args: tuple[str, ...]

    def __str__(self) -> str:  # shown by pytest when an assertion about a run fails
        return f"aiospo-ci {' '.join(self.args)} -> {self.rc}\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"


def clean_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "HOME": str(home),  # no ~/.cache/huggingface/token of the machine's user
            "HF_HOME": str(home / "hf-home"),
            "XDG_CACHE_HOME": str(home / "xdg-cache"),
            "AIOSPO_CACHE_DIR": str(home / "aiospo-cache"),
            "AIOSPO_TODAY": TODAY,
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "PYTHONIOENCODING": "utf-8",
            "NO_COLOR": "1",
        }
    )
    env.update(extra or {})
    return env


class Cli:
    """`cli(args...)` runs aiospo-ci in `cwd` with a clean environment plus `env`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env: dict[str, str] = {}

    def __call__(self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 300) -> Run:
        merged = dict(self.env)
        merged.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "aiospo_ci", *args],
            cwd=str(cwd or self.home),
            env=clean_env(self.home, merged),
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"), tuple(args))


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens (the port was just free)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


#: A user policy that does not compile (an unterminated string).
BROKEN_POLICY = """package aiospo.rules.broken

findings contains f if {
	f := {"rule": "broken/x", "severity": "deny", "message": "unterminated
}
"""


#: Loaded by the interpreter at start (sitecustomize on PYTHONPATH): makes one stage raise an
#: exception aiospo-ci does not expect, as a bug would.
FAULT_SITE = '''
import os
stage = os.environ.get("AIOSPO_TEST_FAULT")
if stage:
    import importlib
    module_name, _, function = stage.rpartition(".")
    module = importlib.import_module(module_name)
    def _fault(*args, **kwargs):
        raise RuntimeError("injected internal fault in " + function)
    setattr(module, function, _fault)
'''


def fault_env(tmp_path: Path, stage: str) -> dict[str, str]:
    site = tmp_path / "fault-site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(FAULT_SITE, encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join((str(site), str(REPO))), "AIOSPO_TEST_FAULT": stage}


NLLB_SHA = "f8d333a098d19b4fd9a8b18f94170487ad3f821d"
#: One pinned apache-2.0 model: a project that passes (exit 0) with every service working, so a
#: test that adds something to it shows what that addition does to the verdict.
CLEAN_PY = f'''from transformers import AutoModel
model = AutoModel.from_pretrained("google-bert/bert-base-uncased", revision="{BERT_SHA}")
'''
#: A pinned model under a non-commercial license: denied by the default commercial policy.
DENIED_PY = f'''from transformers import AutoModel
model = AutoModel.from_pretrained("facebook/nllb-200-distilled-600M", revision="{NLLB_SHA}")
'''
#: Relaxes the rules that are not under test, so a project's verdict turns only on the facts.
QUIET_CONFIG = "licenses:\n  undeclared_datasets: allow\nvetting:\n  unmaintained: allow\n"


def git(root: Path, *args: str) -> str:
    """Run git in `root` with a fixed identity and no user or system configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_AUTHOR_NAME="PR author",
               GIT_AUTHOR_EMAIL="author@example.com", GIT_COMMITTER_NAME="PR author", GIT_COMMITTER_EMAIL="author@example.com")
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def git_repo(root: Path, files: Mapping[str, str | bytes], symlinks: Mapping[str, str] | None = None) -> Path:
    """A real git repository at `root` with `files` and `symlinks` (name -> target) committed,
    as a pull request's head would be checked out."""
    write_tree(root, files)
    for name, target in (symlinks or {}).items():
        link = root / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A", "-f")
    git(root, "commit", "-q", "-m", "pull request head")
    return root
