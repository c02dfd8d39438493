"""One PyGithub client per run, pointed at GITHUB_API_URL (GitHub Enterprise, or a test server).

Writes are paced (GitHub asks for a second between writes to stay clear of secondary rate
limits) and only reads are retried: a POST that timed out may have created the check run or
comment already, and GitHub appends a check run's annotations on every PATCH, so a repeated
PATCH duplicates them. The callers read back instead (checks.py, comment.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_API_URL = "https://api.github.com"


def client(token: str, env: Mapping[str, str]) -> Any:
    from github import Auth, Github, GithubRetry

    # AIOSPO_GITHUB_PACE (seconds between writes) and AIOSPO_GITHUB_TIMEOUT exist for tests
    # against a local server.
    pace = pace_of(env)
    retry = GithubRetry(
        total=2, backoff_factor=pace / 2, max_rate_limit_wait=60, allowed_methods={"GET"}, raise_on_status=False
    )
    return Github(
        auth=Auth.Token(token),
        base_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
        timeout=int(env.get("AIOSPO_GITHUB_TIMEOUT", "30")),
        per_page=100,
        retry=retry,
        seconds_between_requests=pace / 4 or None,
        seconds_between_writes=pace or None,
        lazy=True,
        user_agent="aiospo-ci-action",
    )


def pace_of(env: Mapping[str, str]) -> float:
    return float(env.get("AIOSPO_GITHUB_PACE", "1.0"))


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def describe(exc: BaseException) -> str:
    """`HTTP 403: Resource not accessible by integration` from a PyGithub error, or the
    exception's name for a connection failure or a timeout. Never headers (they carry the token)."""
    status = status_of(exc)
    data = getattr(exc, "data", None)
    if status is not None:
        message = data.get("message") if isinstance(data, dict) else (str(data)[:200] if data else "")
        return f"HTTP {status}: {message or 'no message'}"
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return type(exc).__name__ + (f": {text}" if text else "")


def kind_of(exc: BaseException) -> str:
    """What a failure means for the reader: unavailable (5xx, timeout, connection: GitHub's side
    or the network), rate-limit, auth (token refused), permission, not-found, or invalid."""
    status = status_of(exc)
    if status is None or status >= 500:
        return "unavailable"
    data = getattr(exc, "data", None)
    message = str(data.get("message") if isinstance(data, dict) else data or "").lower()
    if status == 429 or (status == 403 and "rate limit" in message):
        return "rate-limit"
    if status == 401:
        return "auth"
    if status == 403:
        return "permission"
    if status == 404:
        return "not-found"
    return "invalid"


def is_api_error(exc: BaseException) -> bool:
    """Errors that mean 'GitHub did not take this', as opposed to bugs in this program."""
    import requests
    from github import GithubException

    return isinstance(exc, (GithubException, requests.RequestException, OSError))


def advice(exc: BaseException, *, permission: str, fork: str | None, repository: str | None) -> str:
    """One sentence saying what to do about a failed request, matched to the failure."""
    kind = kind_of(exc)
    if kind == "unavailable":
        return "GitHub did not answer in time or failed on its side (not a permissions problem); re-run the job, and check githubstatus.com if it persists."
    if kind == "rate-limit":
        return "GitHub's API rate limit was reached; re-run the job later."
    if kind == "auth":
        return "GitHub refused the token (expired, revoked or mistyped); check the github_token input."
    if kind == "permission":
        if fork:
            return f"This pull request comes from the fork {fork}, whose token GitHub makes read-only: that is expected."
        return f"Give the job `permissions: {permission}: write`."
    if kind == "not-found":
        return f"GitHub answered 404: the token cannot see {repository or 'the repository'} or this commit; use a token with access to it and `permissions: {permission}: write`."
    return "GitHub refused the request as invalid; this is a bug in aiospo-ci, please report it with this log."
