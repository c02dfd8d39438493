"""Two rules for every request the hub stage makes through huggingface_hub's shared client.

1. A redirect to another host is refused (the renamed-repo redirects the Hub sends stay on its
   own host). httpx would strip the Authorization header on such a redirect, but a Hub answer
   that sends us elsewhere is itself suspicious, so the lookup becomes an `error` fact instead.
2. Every request has a timeout. `HfApi.model_info` takes one, `list_repo_refs` does not, and the
   shared client has none: without this a stalled Hub would hang a CI job forever.

huggingface_hub shares one httpx client per process; the hooks are added to it (not a new client
factory, which would discard a user's proxy settings) and act only inside `guarded(...)`, so other
code in the process that uses huggingface_hub is not affected.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class CrossHostRedirect(Exception):
    """The Hub answered with a redirect to a host other than the endpoint's."""

    def __init__(self, target_host: str) -> None:
        super().__init__(f"redirect to another host ({target_host}) refused")
        self.target_host = target_host


@dataclass(frozen=True)
class _Scope:
    origin: tuple[str, str, int]
    timeout: float


_INSTALL_LOCK = threading.Lock()
_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("aiospo_hub_scope", default=None)


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    scheme = scheme.lower()
    return scheme, host.lower(), port or (443 if scheme == "https" else 80)


def endpoint_origin(endpoint: str) -> tuple[str, str, int]:
    parts = urlsplit(endpoint)
    return _origin(parts.scheme, parts.hostname or "", parts.port)


def _request_hook(request: Any) -> None:
    scope = _SCOPE.get()
    if scope is None:
        return
    timeouts = request.extensions.get("timeout") or {}
    if all(v is None for v in timeouts.values()):
        request.extensions["timeout"] = {k: scope.timeout for k in ("connect", "read", "write", "pool")}


def _response_hook(response: Any) -> None:
    scope = _SCOPE.get()
    if scope is None or not response.has_redirect_location:
        return
    target = response.url.join(response.headers["Location"])
    if _origin(target.scheme, target.host, target.port) != scope.origin:
        raise CrossHostRedirect(target.host or "an unnamed host")


def install() -> None:
    """Add the hooks to huggingface_hub's shared client (idempotent; the client may have been
    recreated since the last call)."""
    from huggingface_hub.utils import get_session

    with _INSTALL_LOCK:
        hooks = get_session().event_hooks
        if _request_hook not in hooks["request"]:
            hooks["request"].append(_request_hook)
        if _response_hook not in hooks["response"]:
            hooks["response"].append(_response_hook)


@contextlib.contextmanager
def guarded(endpoint: str, timeout: float) -> Iterator[None]:
    """Requests made in this block (this thread) follow the two rules above."""
    install()
    token = _SCOPE.set(_Scope(endpoint_origin(endpoint), timeout))
    try:
        yield
    finally:
        _SCOPE.reset(token)
