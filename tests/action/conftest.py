"""Run the Action's entrypoint as GitHub does: GITHUB_* and every INPUT_* variable (action.yml's
defaults), an event file in GitHub's shape, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, a real
git repository holding the base, the head and the test merge commit, and a local GitHub API
server."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiospo_ci.model import CheckResult, Finding, HubFacts, ModelReference, ScanResult
from tests.support.github_server import GitHubServer

TOKEN = "ghs_TestTokenValue0123456789abcdefXYZ"
HF_TOKEN = "hf_TestHubTokenValue9876543210zyxwvu"
HEAD_SHA = "a" * 40
BASE_SHA = "b" * 40
MERGE_SHA = "c" * 40

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
}


def git(cwd: Path, *args: str) -> str:
    env = {**_GIT_ENV, "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


Files = dict[str, "str | bytes | None"]


def _write(root: Path, files: Files) -> None:
    for name, content in files.items():
        path = root / name
        if content is None:
            git(root, "rm", "-q", "--", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        git(root, "add", "--", name)


@dataclass(frozen=True)
class PrRepo:
    """A repository as GitHub holds it for a pull request: the base branch (moved on after the
    pull request branched off), the head, and GitHub's test merge commit of the two."""

    origin: Path
    fork_point: str
    base: str  # the base branch's tip: pull_request.base.sha
    head: str  # pull_request.head.sha
    merge: str  # refs/pull/N/merge: GITHUB_SHA on pull_request

    def clone(self, dest: Path, at: str, depth: int | None = None) -> Path:
        """A checkout of one commit, as actions/checkout makes it (depth None: fetch-depth 0,
        every branch; else only that commit's history to that depth)."""
        dest.mkdir(parents=True)
        git(dest, "init", "-q")
        if depth is None:
            git(dest, "fetch", "-q", str(self.origin), "+refs/heads/*:refs/remotes/origin/*", "+refs/pull/*:refs/remotes/pull/*")
        git(dest, "fetch", "-q", *(("--depth", str(depth)) if depth else ()), str(self.origin), at)
        git(dest, "checkout", "-q", "--detach", at)
        return dest


def make_pr_repo(
    root: Path,
    base_files: Files,
    head_changes: Files,
    base_moves: Files | None = None,
    renames: dict[str, str] | None = None,
    number: int = 7,
) -> PrRepo:
    origin = root / "origin"
    origin.mkdir(parents=True)
    git(origin, "init", "-q", "-b", "main")
    _write(origin, base_files)
    git(origin, "commit", "-q", "--allow-empty", "-m", "base")
    fork_point = git(origin, "rev-parse", "HEAD")
    git(origin, "checkout", "-q", "-b", "feature")
    for old, new in (renames or {}).items():
        (origin / new).parent.mkdir(parents=True, exist_ok=True)
        git(origin, "mv", "--", old, new)
    _write(origin, head_changes)
    git(origin, "commit", "-q", "--allow-empty", "-m", "pull request")
    head = git(origin, "rev-parse", "HEAD")
    git(origin, "checkout", "-q", "main")
    if base_moves:
        _write(origin, base_moves)
        git(origin, "commit", "-q", "-m", "the base branch moves on")
    base = git(origin, "rev-parse", "HEAD")
    git(origin, "checkout", "-q", "--detach", base)
    git(origin, "merge", "-q", "--no-ff", "--no-edit", head)
    merge = git(origin, "rev-parse", "HEAD")
    git(origin, "update-ref", f"refs/pull/{number}/head", head)
    git(origin, "update-ref", f"refs/pull/{number}/merge", merge)
    git(origin, "checkout", "-q", "main")
    return PrRepo(origin, fork_point, base, head, merge)


def pull_files(repo: Path, base: str, head: str) -> list[dict[str, Any]]:
    """The pull request's files as GitHub's API gives them (`GET /pulls/{n}/files`): name, status,
    previous name of a renamed file, and `patch`, the file's own `git diff base...head` from its
    first hunk header (none for a binary file), computed here one file at a time."""
    raw = subprocess.run(
        ["git", "-C", str(repo), "diff", "--name-status", "-z", "-M", f"{base}...{head}"], check=True, capture_output=True
    ).stdout.split(b"\0")
    status = {"A": "added", "M": "modified", "D": "removed", "R": "renamed"}
    files, i = [], 0
    while i < len(raw) and raw[i]:
        code = raw[i].decode()[:1]
        names = [os.fsdecode(n) for n in raw[i + 1 : i + (3 if code == "R" else 2)]]
        i += 1 + len(names)
        patch = subprocess.run(
            ["git", "-C", str(repo), "diff", "-M", f"{base}...{head}", "--", *(":(literal)" + n for n in names)], check=True, capture_output=True
        ).stdout.decode("utf-8", "surrogateescape")
        entry: dict[str, Any] = {"filename": names[-1], "status": status[code], "sha": "0" * 40}
        if code == "R":
            entry["previous_filename"] = names[0]
        if "\n@@ " in patch:
            entry["patch"] = patch[patch.index("\n@@ ") + 1 :].removesuffix("\n")
        files.append(entry)
    return files


def pr_event(number: int = 7, head_repo: str = "acme/app", head: str = HEAD_SHA, base: str = BASE_SHA, action: str = "synchronize") -> dict[str, Any]:
    """A pull_request event payload in the shape GitHub documents (the fields the Action reads
    and their neighbours)."""
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "state": "open",
            "head": {"sha": head, "ref": "feature", "label": f"{head_repo.split('/')[0]}:feature", "repo": {"full_name": head_repo}},
            "base": {"sha": base, "ref": "main", "label": "acme:main", "repo": {"full_name": "acme/app"}},
        },
        "repository": {"full_name": "acme/app", "default_branch": "main"},
        "sender": {"login": "contributor", "type": "User"},
    }


@pytest.fixture
def github_server():
    server = GitHubServer().start()
    yield server
    server.stop()


@pytest.fixture
def pr_repo(tmp_path) -> PrRepo:
    """A small pull request: the head changes src/app.py, the base branch moved on meanwhile."""
    return make_pr_repo(
        tmp_path / "default-repo",
        {"src/app.py": "a = 1\n", "README.md": "demo\n"},
        {"src/app.py": "a = 1\nb = 2\n"},
        base_moves={"README.md": "demo, moved on\n"},
    )
@dataclass
class ActionRun:
    code: int
    stdout: str
    outputs_text: str
    summary: str
    workspace: Path

    def outputs(self) -> dict[str, str]:
        """Parse GITHUB_OUTPUT's `name<<DELIM ... DELIM` entries as the runner does."""
        values: dict[str, str] = {}
        lines = self.outputs_text.split("\n")
        i = 0
        while i < len(lines):
            m = re.fullmatch(r"([A-Za-z0-9_-]+)<<(.+)", lines[i])
            if not m:
                i += 1
                continue
            name, delim = m.groups()
            j = lines.index(delim, i + 1)
            values[name] = "\n".join(lines[i + 1 : j])
            i = j + 1
        return values

    def commands(self) -> list[str]:
        """Workflow command lines GitHub would act on (outside ::stop-commands:: blocks)."""
        active, stop = [], None
        for line in self.stdout.splitlines():
            if stop is not None:
                if line == f"::{stop}::":
                    stop = None
                continue
            m = re.fullmatch(r"::stop-commands::(.+)", line)
            if m:
                stop = m.group(1)
                continue
            if line.startswith("::"):
                active.append(line)
        return active


def _action_defaults() -> dict[str, str]:
    """Every INPUT_* as GitHub sets it from action.yml's defaults."""
    action = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text(encoding="utf-8"))
    return {f"INPUT_{name.upper()}": str(spec.get("default", "")) for name, spec in action["inputs"].items()}


ACTION_DEFAULTS = _action_defaults()


@dataclass
class ActionHarness:
    """One run of the entrypoint. By default a pull_request job: the workspace is a checkout
    (fetch-depth: 0) of GitHub's test merge commit of `repo`, the event names its base and head."""

    tmp: Path
    server: GitHubServer | None
    repo: PrRepo | None = None
    event: dict[str, Any] | None = None
    event_name: str = "pull_request"
    inputs: dict[str, str] = field(default_factory=dict)
    workspace: Path | None = None
    sha: str | None = None  # GITHUB_SHA; default: the merge commit (pull_request), the base (pull_request_target)
    head_repo: str = "acme/app"  # another repository: a pull request from a fork
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.workspace is None:
            ws = self.tmp / "workspace"
            if self.repo is not None and not ws.exists():
                self.repo.clone(ws, self.repo.base if self.event_name == "pull_request_target" else self.repo.merge)
            self.workspace = ws
        if self.event is None:
            self.event = pr_event(head_repo=self.head_repo, head=self.repo.head, base=self.repo.base) if self.repo else pr_event(head_repo=self.head_repo)

    @property
    def head(self) -> str:
        assert self.event is not None
        return self.event["pull_request"]["head"]["sha"]

    def env(self, real: bool = False) -> dict[str, str]:
        ws = self.workspace or (self.tmp / "workspace")
        ws.mkdir(parents=True, exist_ok=True)
        event_path = self.tmp / "event.json"
        event_path.write_text(json.dumps(self.event), encoding="utf-8")
        if self.sha:
            sha = self.sha
        elif self.repo is None:
            sha = MERGE_SHA
        else:
            sha = self.repo.base if self.event_name == "pull_request_target" else self.repo.merge
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "acme/app",
            "GITHUB_SHA": sha,
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_WORKSPACE": str(ws),
            "GITHUB_OUTPUT": str(self.tmp / "output.txt"),
            "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            "AIOSPO_GITHUB_PACE": "0",
            **ACTION_DEFAULTS,
            "INPUT_GITHUB_TOKEN": TOKEN,
            "INPUT_HF_TOKEN": HF_TOKEN,
            "INPUT_FAIL_ON": "deny",
        }
        if real:  # the real pipeline, offline: facts from aiospo.lock or unknown, embedded engine
            env.update({"INPUT_OFFLINE": "true", "INPUT_ENGINE": "embedded", "AIOSPO_CACHE_DIR": str(self.tmp / "cache"), "AIOSPO_TODAY": "2026-11-26"})
        if self.server is not None:
            env["GITHUB_API_URL"] = self.server.url
        env.update(self.extra_env)
        for key, value in self.inputs.items():
            env[f"INPUT_{key.upper()}"] = value
        return env

    def _run(self, env: dict[str, str], check: Callable[[Any], Any] | None) -> ActionRun:
        from aiospo_ci.action.main import run

        for name in ("output.txt", "summary.md"):
            (self.tmp / name).unlink(missing_ok=True)
        out = io.StringIO()
        code = run(env, out, check=check)
        read = lambda p: p.read_text(encoding="utf-8") if p.exists() else ""  # noqa: E731
        return ActionRun(code, out.getvalue(), read(self.tmp / "output.txt"), read(self.tmp / "summary.md"), Path(env["GITHUB_WORKSPACE"]))

    def run(self, result: CheckResult, config: dict[str, Any] | None = None) -> ActionRun:
        """The entrypoint with a prepared result in place of the pipeline (exact numbers)."""
        self.seen: list[Any] = []

        def check(options):
            self.seen.append(options)
            return result, {"config": config or {}, "references": []}

        return self._run(self.env(), check)

    def run_real(self) -> ActionRun:
        """The entrypoint with the real pipeline on the judged tree."""
        return self._run(self.env(real=True), None)


@pytest.fixture
def harness(tmp_path, github_server, monkeypatch, pr_repo) -> Callable[..., ActionHarness]:
    # redact() reads the secrets from the process environment, as it does in the container.
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("INPUT_HF_TOKEN", HF_TOKEN)
    # The Action exports HF_TOKEN/OPA_TOKEN for the pipeline; setenv first so teardown removes them.
    for name in ("HF_TOKEN", "OPA_TOKEN"):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)

    def make(**kw: Any) -> ActionHarness:
        kw.setdefault("repo", pr_repo)
        return ActionHarness(tmp=tmp_path, server=github_server, **kw)

    return make


RULES = {
    "license/category": {"title": "License category", "severity": "deny"},
    "pinning/unpinned": {"title": "Unpinned model", "severity": "warn"},
    "license/obligations": {"title": "License obligations", "severity": "info"},
}


def make_result(
    n_refs: int = 120,
    severities: tuple[str, ...] = ("deny", "warn", "info"),
    ids: Callable[[int], str] | None = None,
    files: Callable[[int], str] | None = None,
    messages: Callable[[int], str] | None = None,
    waived: frozenset[int] = frozenset(),
    run_level: tuple[Finding, ...] = (),
) -> CheckResult:
    """n_refs references, each with one finding cycling through `severities`."""
    rule_for = {"deny": "license/category", "warn": "pinning/unpinned", "info": "license/obligations"}
    refs, facts, findings = [], [], []
    for i in range(n_refs):
        model = ids(i) if ids else f"org/model-{i:03d}"
        refs.append(
            ModelReference(
                file=files(i) if files else f"src/mod_{i:03d}.py",
                line=i + 1,
                id=model,
                call="transformers.AutoModel.from_pretrained",
                pin="none",
            )
        )
        facts.append(HubFacts(id=model, license="apache-2.0" if i % 2 else "llama3.1"))
        severity = severities[i % len(severities)]
        message = messages(i) if messages else f"{model} finding number {i}"
        waiver = (("approver", "legal"), ("expires", "2027-01-01"), ("justification", "reviewed")) if i in waived else None
        findings.append(Finding(severity=severity, rule=rule_for[severity], message=message, ref=i, waived=i in waived, waiver=waiver))
    findings += list(run_level)
    return CheckResult(
        root="/workspace",
        scan=ScanResult(references=tuple(refs), files_scanned=n_refs),
        facts=tuple(facts),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=RULES,
    )
