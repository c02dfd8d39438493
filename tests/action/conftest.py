"""Run the Action's entrypoint as GitHub does: GITHUB_* and INPUT_* variables, an event file,
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and a local GitHub API server."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aiospo_ci.model import CheckResult, Finding, HubFacts, ModelReference, ScanResult
from tests.support.github_server import GitHubServer

TOKEN = "ghs_TestTokenValue0123456789abcdefXYZ"
HF_TOKEN = "hf_TestHubTokenValue9876543210zyxwvu"
HEAD_SHA = "a" * 40
BASE_SHA = "b" * 40
MERGE_SHA = "c" * 40


@pytest.fixture
def github_server():
    server = GitHubServer().start()
    yield server
    server.stop()


def pr_event(number: int = 7, head_repo: str = "acme/app") -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"sha": HEAD_SHA, "ref": "feature", "repo": {"full_name": head_repo}},
            "base": {"sha": BASE_SHA, "ref": "main", "repo": {"full_name": "acme/app"}},
        },
        "repository": {"full_name": "acme/app"},
    }


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


@dataclass
class ActionHarness:
    tmp: Path
    server: GitHubServer | None
    event: dict[str, Any] = field(default_factory=pr_event)
    event_name: str = "pull_request"
    inputs: dict[str, str] = field(default_factory=dict)
    workspace: Path | None = None

    def env(self) -> dict[str, str]:
        ws = self.workspace or (self.tmp / "workspace")
        ws.mkdir(parents=True, exist_ok=True)
        event_path = self.tmp / "event.json"
        event_path.write_text(json.dumps(self.event), encoding="utf-8")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "acme/app",
            "GITHUB_SHA": MERGE_SHA,
            "GITHUB_WORKSPACE": str(ws),
            "GITHUB_OUTPUT": str(self.tmp / "output.txt"),
            "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            "AIOSPO_GITHUB_PACE": "0",
            "INPUT_GITHUB_TOKEN": TOKEN,
            "INPUT_HF_TOKEN": HF_TOKEN,
            "INPUT_FAIL_ON": "deny",
            "INPUT_ANNOTATIONS": "checks",
            "INPUT_COMMENT": "always",
        }
        if self.server is not None:
            env["GITHUB_API_URL"] = self.server.url
        for key, value in self.inputs.items():
            env[f"INPUT_{key.upper()}"] = value
        return env

    def run(self, result: CheckResult, config: dict[str, Any] | None = None) -> ActionRun:
        from aiospo_ci.action.main import run

        env = self.env()
        for name in ("output.txt", "summary.md"):
            (self.tmp / name).unlink(missing_ok=True)
        out = io.StringIO()
        seen: list[Any] = []

        def check(options):
            seen.append(options)
            return result, {"config": config or {}, "references": []}

        code = run(env, out, check=check)
        read = lambda p: p.read_text(encoding="utf-8") if p.exists() else ""  # noqa: E731
        return ActionRun(code, out.getvalue(), read(self.tmp / "output.txt"), read(self.tmp / "summary.md"), Path(env["GITHUB_WORKSPACE"]))


@pytest.fixture
def harness(tmp_path, github_server, monkeypatch) -> Callable[..., ActionHarness]:
    # redact() reads the secrets from the process environment, as it does in the container.
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("INPUT_HF_TOKEN", HF_TOKEN)
    # The Action exports HF_TOKEN/OPA_TOKEN for the pipeline; setenv first so teardown removes them.
    for name in ("HF_TOKEN", "OPA_TOKEN"):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)

    def make(**kw: Any) -> ActionHarness:
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
