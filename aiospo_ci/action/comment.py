"""The sticky pull-request comment: found by its hidden marker and edited in place, so a PR
has one aiospo-ci comment however often it is pushed to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiospo_ci.action.github_api import describe, is_api_error
from aiospo_ci.report.markdown import MARKER
from aiospo_ci.secrets import redact


@dataclass
class CommentOutcome:
    action: str  # created | updated | not-needed | failed
    comment_id: int | None = None
    error: str | None = None


def find_sticky(comments: Any) -> Any | None:
    """The comment whose body starts with the marker; a bot's before a person's (someone may
    have pasted the marker), the oldest first so the same one is edited every time."""
    mine = [c for c in comments if (c.body or "").startswith(MARKER)]
    bots = [c for c in mine if getattr(c.user, "type", None) == "Bot"]
    chosen = bots or mine
    return chosen[0] if chosen else None


def upsert(repo: Any, number: int, body: str, *, create: bool) -> CommentOutcome:
    body = redact(body)
    try:
        issue = repo.get_issue(number)
        existing = find_sticky(issue.get_comments())
        if existing is not None:
            existing.edit(body)
            return CommentOutcome("updated", existing.id)
        if not create:
            return CommentOutcome("not-needed")
        made = issue.create_comment(body)
        return CommentOutcome("created", made.id)
    except Exception as exc:
        if not is_api_error(exc):
            raise
        return CommentOutcome("failed", error=redact(describe(exc)))
