"""The sticky pull-request comment: the token's own comment that starts with the hidden
marker, edited in place, so a pull request has one aiospo-ci comment however often it is
pushed to.

Only a comment written by this token's account is ever edited: anyone can paste the marker
into a comment of their own, and editing theirs would put the report under their name and
overwrite what they wrote. The account is asked of `GET /user` (a personal or app-user
token); an installation token such as GITHUB_TOKEN cannot ask it, and then the comment must be
a bot's (`github-actions[bot]` for GITHUB_TOKEN), which no person can write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiospo_ci.action.github_api import is_api_error, kind_of
from aiospo_ci.report.markdown import MARKER
from aiospo_ci.secrets import redact


@dataclass
class CommentOutcome:
    action: str  # created | updated | not-needed | failed
    comment_id: int | None = None
    error: BaseException | None = None


def identity(gh: Any) -> str | None:
    """The login the token writes as, or None for an installation token (it may not ask)."""
    try:
        login = gh.get_user().login
    except Exception as exc:
        if not is_api_error(exc):
            raise
        return None
    return login if isinstance(login, str) and login else None


def is_ours(comment: Any, login: str | None) -> bool:
    if not (comment.body or "").startswith(MARKER):
        return False
    user = comment.user
    if login is not None:
        return getattr(user, "login", None) == login
    return getattr(user, "type", None) == "Bot"


def find_sticky(comments: Any, login: str | None) -> Any | None:
    """The oldest comment of ours, so the same one is edited every time."""
    return next((c for c in comments if is_ours(c, login)), None)


def upsert(repo: Any, number: int, body: str, *, create: bool, login: str | None) -> CommentOutcome:
    body = redact(body)
    try:
        issue = repo.get_issue(number)
        existing = find_sticky(issue.get_comments(), login)
        if existing is not None:
            try:
                existing.edit(body)
            except Exception as exc:
                # Replacing a body twice leaves the same body: the one write safe to repeat.
                if not is_api_error(exc) or kind_of(exc) != "unavailable":
                    raise
                existing.edit(body)
            return CommentOutcome("updated", existing.id)
        if not create:
            return CommentOutcome("not-needed")
        try:
            made = issue.create_comment(body)
        except Exception as exc:
            # A POST whose answer was lost may have created the comment: look before concluding.
            if not is_api_error(exc) or kind_of(exc) != "unavailable":
                raise
            made = find_sticky(issue.get_comments(), login)
            if made is None:
                raise
        return CommentOutcome("created", made.id)
    except Exception as exc:
        if not is_api_error(exc):
            raise
        return CommentOutcome("failed", error=exc)
