"""One PyGithub client per run, pointed at GITHUB_API_URL (GitHub Enterprise, or a test server).

Writes are paced (GitHub asks for a second between writes to stay clear of secondary rate
limits) and only idempotent requests are retried: a POST that timed out may have created the
check run or comment already.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_API_URL = "https://api.github.com"


def client(token: str, env: Mapping[str, str]) -> Any:
    from github import Auth, Github, GithubRetry

    # AIOSPO_GITHUB_PACE (seconds between writes) exists for tests against a local server.
    pace = float(env.get("AIOSPO_GITHUB_PACE", "1.0"))
    # raise_on_status=False: after the last retry PyGithub sees the response and reports its status.
    retry = GithubRetry(
        total=2, backoff_factor=pace / 2, max_rate_limit_wait=60, allowed_methods={"GET", "PATCH"}, raise_on_status=False
    )
    return Github(
        auth=Auth.Token(token),
        base_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
        timeout=30,
        per_page=100,
        retry=retry,
        seconds_between_requests=pace / 4 or None,
        seconds_between_writes=pace or None,
        lazy=True,
        user_agent="aiospo-ci-action",
    )


def describe(exc: BaseException) -> str:
    """`HTTP 403: Resource not accessible by integration` from a PyGithub error, or the
    exception's name for a connection failure. Never headers (they carry the token)."""
    status = getattr(exc, "status", None)
    data = getattr(exc, "data", None)
    if status is not None:
        message = data.get("message") if isinstance(data, dict) else (str(data)[:200] if data else "")
        return f"HTTP {status}: {message or 'no message'}"
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return type(exc).__name__ + (f": {text}" if text else "")


def is_api_error(exc: BaseException) -> bool:
    """Errors that mean 'GitHub did not take this', as opposed to bugs in this program."""
    import requests
    from github import GithubException

    return isinstance(exc, (GithubException, requests.RequestException, OSError))

