"""How the hub stage reaches the Hub: endpoint, token, cache, lockfile, limits.

Read once per run from the `hub:` block of .aiospo.yaml, the command line and the
environment. The token is kept out of repr() so that printing the settings (in a traceback,
a debug log) never shows it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DEFAULT_ENDPOINT = "https://huggingface.co"
LOCKFILE_NAME = "aiospo.lock"
OnError = Literal["fail_closed", "fail_open"]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def default_cache_dir(env: Mapping[str, str]) -> Path:
    """The user cache dir (XDG_CACHE_HOME or ~/.cache) / aiospo-ci, or AIOSPO_CACHE_DIR."""
    if env.get("AIOSPO_CACHE_DIR"):
        return Path(env["AIOSPO_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "aiospo-ci"


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
    ) -> HubSettings:
        """Settings for a run at `root`. Precedence: explicit argument (--offline,
        --hub-endpoint, --cache-dir), then environment (AIOSPO_CACHE_DIR for the cache), then
        the `hub:` block, then the default; the endpoint and token fall back to HF_ENDPOINT and
        HF_TOKEN."""
        env = os.environ if env is None else env
        hub_cfg = hub_cfg or {}
        chosen_endpoint = endpoint or hub_cfg.get("endpoint") or env.get("HF_ENDPOINT") or None
        if offline is None:
            offline = bool(hub_cfg.get("offline", False)) or _truthy(env.get("HF_HUB_OFFLINE"))
        if cache_dir is not None:
            cache_dir = Path(cache_dir)
        elif env.get("AIOSPO_CACHE_DIR"):
            cache_dir = Path(env["AIOSPO_CACHE_DIR"]).expanduser()
        elif hub_cfg.get("cache_dir"):
            cache_dir = root / Path(str(hub_cfg["cache_dir"])).expanduser()
        else:
            cache_dir = default_cache_dir(env)
        lockfile = root / str(hub_cfg.get("lockfile") or LOCKFILE_NAME)
        return cls(
            endpoint=chosen_endpoint.rstrip("/") if chosen_endpoint else None,
            token=env.get("HF_TOKEN") or None,
            offline=bool(offline),
            cache_dir=cache_dir,
            ttl_hours=float(hub_cfg.get("ttl_hours", 24)),
            timeout=float(hub_cfg.get("timeout", 10)),
            workers=int(hub_cfg.get("workers", 8)),
            lineage_depth=int(hub_cfg.get("lineage_depth", 3)),
            lockfile=lockfile,
            on_error=hub_cfg.get("on_error", "fail_closed"),
        )
