"""What GitHub tells the Action about this run: the event, the repository and the commit.

On `pull_request` GITHUB_SHA is the test merge commit, which nobody reviews: annotations go on
`pull_request.head.sha`. On `pull_request_target` GITHUB_SHA is the base branch; the workflow
must not check out and run the PR's code there with a write token (aiospo-ci only reads files,
never runs them, but other steps might).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiospo_ci.errors import AiospoError

PR_EVENTS = ("pull_request", "pull_request_target")
SUPPORTED = PR_EVENTS + ("push", "workflow_dispatch")
_ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class Event:
    name: str  # GITHUB_EVENT_NAME
    repository: str | None  # owner/name
    sha: str | None  # the commit to annotate
    pr_number: int | None = None
    base_sha: str | None = None  # the PR's base, or a push's `before`
    head_sha: str | None = None
    head_repository: str | None = None

    @property
    def is_pull_request(self) -> bool:
        return self.pr_number is not None

    @property
    def is_fork(self) -> bool:
        """A PR from another repository: GitHub gives it a read-only token."""
        return bool(self.head_repository and self.repository and self.head_repository != self.repository)


def _get(payload: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(key)
    return payload


def load_event(env: Mapping[str, str]) -> Event:
    name = env.get("GITHUB_EVENT_NAME", "") or "unknown"
    repository = env.get("GITHUB_REPOSITORY") or None
    sha = env.get("GITHUB_SHA") or None
    path = env.get("GITHUB_EVENT_PATH")
    payload: Any = {}
    if path:
        try:
            payload = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise AiospoError(f"GITHUB_EVENT_PATH {path}: cannot read the event file ({exc.strerror}); run inside GitHub Actions or point it at an event JSON file.") from None
        except ValueError as exc:
            raise AiospoError(f"GITHUB_EVENT_PATH {path}: not valid JSON ({exc}); give GitHub's event payload.") from None
    repository = repository or _get(payload, "repository", "full_name")
    if name in PR_EVENTS or _get(payload, "pull_request", "number") is not None:
        pr = _get(payload, "pull_request") or {}
        number = pr.get("number") if isinstance(pr, dict) else None
        if not isinstance(number, int) or isinstance(number, bool):
            raise AiospoError(f"GITHUB_EVENT_PATH {path}: a {name} event without pull_request.number; give the event file GitHub wrote.")
        head = _get(pr, "head", "sha")
        return Event(
            name=name,
            repository=repository,
            sha=head if isinstance(head, str) and head else sha,
            pr_number=number,
            base_sha=_get(pr, "base", "sha") or None,
            head_sha=head or None,
            head_repository=_get(pr, "head", "repo", "full_name") or None,
        )
    if name == "push":
        before = _get(payload, "before")
        after = _get(payload, "after") or sha
        return Event(
            name=name,
            repository=repository,
            sha=after or sha,
            base_sha=before if isinstance(before, str) and before and before != _ZERO_SHA else None,
            head_sha=after or None,
        )
    return Event(name=name, repository=repository, sha=sha)
