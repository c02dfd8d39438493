"""How the hub stage reaches the Hub: endpoint, token, cache, lockfile, limits.

Read once per run from the `hub:` block of .aiospo.yaml, the command line and the
environment. The token is kept out of repr() so that printing the settings (in a traceback,
a debug log) never shows it.

The `hub:` block belongs to the repository under review, so what it may set is bounded
(config.py): its endpoint receives a token only when the workflow names the same URL, and its
lockfile and cache folder resolve inside the repository. HF_HUB_OFFLINE, huggingface_hub's own
switch, does not turn a check offline: only --offline or `hub.offline` does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiospo_ci.config import configured_endpoint, inside_root
from aiospo_ci.secrets import remember

DEFAULT_ENDPOINT = "https://huggingface.co"
LOCKFILE_NAME = "aiospo.lock"
# unknown: a lookup that fails makes the facts unknown (the pre-commit hook's budgeted lookups).
OnError = Literal["fail_closed", "fail_open", "unknown"]


def hub_token(env: Mapping[str, str]) -> str | None:
    """The token huggingface_hub would send: HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN),
    else the one `hf auth login` saved (HF_TOKEN_PATH, else HF_HOME/token). Read here so that
    the endpoint rule sees it and the client passes it explicitly, never implicitly."""
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        if (env.get(name) or "").strip():
            return env[name].strip()
    home = env.get("HF_HOME") or os.path.join(env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface")
    path = Path(env.get("HF_TOKEN_PATH") or os.path.join(os.path.expanduser(home), "token")).expanduser()
    try:
        token = path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None
    remember(token)  # not in the environment, so redaction must be told
    return token


def default_cache_dir(env: Mapping[str, str]) -> Path:
    """The user cache dir (XDG_CACHE_HOME or ~/.cache) / aiospo-ci, or AIOSPO_CACHE_DIR."""
    if env.get("AIOSPO_CACHE_DIR"):
        return Path(env["AIOSPO_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "aiospo-ci"


def cache_dir_for(hub_cfg: Mapping[str, Any], root: Path, cache_dir: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The Hub cache folder: --cache-dir, else AIOSPO_CACHE_DIR, else `hub.cache_dir` (which
    must resolve inside the repository), else the user cache dir."""
    env = os.environ if env is None else env
    configured = inside_root(root, str(hub_cfg["cache_dir"]), "hub.cache_dir") if (hub_cfg or {}).get("cache_dir") else None
    if cache_dir is not None:
        return Path(cache_dir)
    if env.get("AIOSPO_CACHE_DIR"):
        return Path(env["AIOSPO_CACHE_DIR"]).expanduser()
    return configured if configured is not None else default_cache_dir(env)


@dataclass(frozen=True)
class HubSettings:
    endpoint: str | None = None  # None: https://huggingface.co
    token: str | None = field(default=None, repr=False)  # never logged, cached or written
    offline: bool = False
    cache_dir: Path | None = None  # None: no on-disk cache
    ttl_hours: float = 24
    timeout: float = 10  # seconds per request
    workers: int = 8
    lineage_depth: int = 3
    lockfile: Path | None = None
    on_error: OnError = "fail_closed"
    # Not in .aiospo.yaml: bounds that keep a failing Hub from stalling a CI job.
    retries: int = 3  # extra attempts after a 429, a 5xx or a timeout
    backoff: float = 0.5  # first wait between attempts, doubled each time
    max_retry_wait: float = 30.0  # cap on a Retry-After the Hub asks for
    deadline: float = 300.0  # seconds for all Hub lookups of one run
    # The lockfile's and the cache's facts first, the Hub only for what neither knows (the
    # pre-commit hook: a commit should not wait on the network for what is already vetted).
    lockfile_first: bool = False

    @property
    def endpoint_url(self) -> str:
        return (self.endpoint or DEFAULT_ENDPOINT).rstrip("/")

    @classmethod
    def from_config(
        cls,
        hub_cfg: Mapping[str, Any],
        root: Path,
        *,
        offline: bool | None = None,
        endpoint: str | None = None,
        cache_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        budget: float | None = None,
    ) -> HubSettings:
        """Settings for a run at `root`. Precedence: explicit argument (--offline,
        --hub-endpoint, --cache-dir), then environment (AIOSPO_CACHE_DIR for the cache), then
        the `hub:` block, then the default; the endpoint falls back to HF_ENDPOINT. A token goes
        to the `hub:` block's endpoint only when HF_ENDPOINT or --hub-endpoint names it too.
        `budget` (seconds, the pre-commit hook's --hub-budget) bounds the whole Hub lookup."""
        env = os.environ if env is None else env
        hub_cfg = hub_cfg or {}
        token = hub_token(env)
        workflow_endpoint = endpoint or env.get("HF_ENDPOINT") or None
        chosen_endpoint = endpoint or configured_endpoint(
            "hub.endpoint", hub_cfg.get("endpoint"), workflow_endpoint, DEFAULT_ENDPOINT, token is not None,
            "HF_ENDPOINT or --hub-endpoint", env,
        ) or workflow_endpoint
        if offline is None:
            offline = bool(hub_cfg.get("offline", False))
        cache_dir = cache_dir_for(hub_cfg, root, cache_dir, env)
        lockfile = inside_root(root, str(hub_cfg.get("lockfile") or LOCKFILE_NAME), "hub.lockfile")
        timeout = float(hub_cfg.get("timeout", 10))
        bounds: dict[str, Any] = {}
        if budget is not None:
            # The hook must not hold up a commit: no retries, every request and the whole
            # lookup within the budget; what does not answer in time is unknown, not an error.
            bounds = dict(deadline=budget, retries=0, on_error="unknown")
            timeout = min(timeout, budget)
        return cls(
            endpoint=chosen_endpoint.rstrip("/") if chosen_endpoint else None,
            token=token,
            offline=bool(offline),
            cache_dir=cache_dir,
            ttl_hours=float(hub_cfg.get("ttl_hours", 24)),
            timeout=timeout,
            workers=int(hub_cfg.get("workers", 8)),
            lineage_depth=int(hub_cfg.get("lineage_depth", 3)),
            lockfile=lockfile,
            on_error=bounds.pop("on_error", hub_cfg.get("on_error", "fail_closed")),
            lockfile_first=budget is not None,
            **bounds,
        )
