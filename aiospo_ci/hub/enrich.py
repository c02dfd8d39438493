"""The hub stage's entry points: `enrich` (for `check`) and `lock` (for `aiospo-ci lock`).

Where facts come from:
  online   fresh cache, else the Hub (stored in the cache); the lockfile entry rides along as
           `locked` so that the drift rules can compare it with the Hub today.
  offline  the lockfile, else the cache (any age), else `unknown` — the policies decide
           whether unknown passes.
Distinct (kind, id, revision) only: many references to one model cost one lookup.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiospo_ci.errors import AiospoError, HubError
from aiospo_ci.hub import extract, lockfile
from aiospo_ci.hub.cache import CachedSource, CacheOnlySource, FactsCache
from aiospo_ci.hub.interface import FactsKey, FactsSource, key_order
from aiospo_ci.hub.lineage import with_lineage
from aiospo_ci.hub.settings import LOCKFILE_NAME, HubSettings
from aiospo_ci.model import HubFacts, ModelReference


@dataclass(frozen=True)
class Enrichment:
    facts: tuple[HubFacts | None, ...]  # parallel to the references; None: not a Hub reference
    locked: tuple[dict[str, Any] | None, ...]  # the aiospo.lock entry per reference, or None
    warnings: tuple[str, ...] = ()


def key_of(ref: ModelReference) -> FactsKey | None:
    if ref.source != "huggingface" or ref.kind == "metric":  # a metric is no model repo to ask about
        return None
    return FactsKey(ref.kind, ref.id, ref.revision)


class OfflineSource(FactsSource):
    """The lockfile first (committed, so every machine agrees), then the cache, then unknown."""

    def __init__(self, entries: Mapping[FactsKey, dict[str, Any]], cache: FactsCache | None):
        self.entries = entries
        self.fallback = CacheOnlySource(cache)

    def facts(self, keys: list[FactsKey]) -> dict[FactsKey, HubFacts]:
        out = {k: lockfile.facts_from_entry(self.entries[k]) for k in set(keys) if k in self.entries}
        rest = [k for k in set(keys) if k not in out]
        out.update(self.fallback.facts(rest))
        return out


def _cache(settings: HubSettings) -> FactsCache | None:
    if settings.cache_dir is None:
        return None
    return FactsCache(settings.cache_dir, settings.endpoint_url, settings.ttl_hours)


def _online_source(settings: HubSettings, cache: FactsCache | None, *, refresh: bool = False) -> FactsSource:
    from aiospo_ci.hub.client import HubClient

    client = HubClient(settings)
    if cache is None or (settings.ttl_hours <= 0 and not refresh):
        return client
    return CachedSource(cache, client, refresh=refresh)


def _dated(facts: HubFacts, today: _dt.date) -> HubFacts:
    return dataclasses.replace(facts, days_since_modified=extract.days_between(facts.last_modified, today))


class ProgressSource(FactsSource):
    """Reports `progress(done, total)` as lookups finish, for the terminal's progress bar.
    Keys go to `inner` in chunks of `chunk` (the worker count) so the bar moves while the
    lookups inside a chunk still run in parallel; `total` grows as lineage adds ancestors."""

    def __init__(self, inner: FactsSource, progress: Callable[[int, int], None], chunk: int):
        self.inner, self.progress, self.chunk = inner, progress, max(1, chunk)
        self.done = self.total = 0

    def facts(self, keys: list[FactsKey]) -> dict[FactsKey, HubFacts]:
        keys = list(keys)
        self.total += len(keys)
        found: dict[FactsKey, HubFacts] = {}
        for start in range(0, len(keys), self.chunk):
            part = keys[start : start + self.chunk]
            found.update(self.inner.facts(part))
            self.done += len(part)
            self.progress(self.done, self.total)
        return found


def resolve(
    keys: Sequence[FactsKey], settings: HubSettings, today: _dt.date, *, refresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[FactsKey, HubFacts], dict[FactsKey, dict[str, Any]], list[str]]:
    """Facts per distinct key, the lock entries, and run-level warnings."""
    warnings: list[str] = []
    entries = lockfile.read_lock(settings.lockfile) if settings.lockfile else {}
    cache = _cache(settings)
    if settings.offline:
        source: FactsSource = OfflineSource(entries, cache)
    else:
        source = _online_source(settings, cache, refresh=refresh)
        if progress is not None:
            source = ProgressSource(source, progress, settings.workers)
    facts = with_lineage(source, keys, settings.lineage_depth) if keys else {}
    facts = {k: _dated(f, today) for k, f in facts.items()}
    if cache is not None and cache.write_errors:
        warnings.append(cache.write_errors[0])
    unknown = sorted(k.id for k, f in facts.items() if f.status == "unknown")
    if unknown:
        shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        warnings.append(
            f"offline: {len(unknown)} Hub reference(s) are in neither the lockfile nor the Hub cache ({shown}); "
            "their facts are unknown. Run `aiospo-ci lock` with network to record them."
        )
    return facts, entries, warnings


def enrich(
    references: Sequence[ModelReference], settings: HubSettings, today: _dt.date,
    progress: Callable[[int, int], None] | None = None,
) -> Enrichment:
    """Hub facts (and lock entries) for every reference, parallel to `references`.
    `progress(done, total)`, if given, is called as online lookups finish."""
    keys = [key_of(r) for r in references]
    facts, entries, warnings = resolve(sorted({k for k in keys if k}, key=key_order), settings, today, progress=progress)
    return Enrichment(
        facts=tuple(facts[k] if k else None for k in keys),
        locked=tuple(entries.get(k) if k else None for k in keys),
        warnings=tuple(warnings),
    )


def lock(root: Path, references: Sequence[ModelReference], settings: HubSettings, today: _dt.date) -> Path:
    """Ask the Hub (bypassing cached answers) about every Hub reference and write the lockfile.
    A lookup that failed is not written down as vetted: the run stops with HubError."""
    if settings.offline:
        raise AiospoError("aiospo-ci lock asks the Hub and cannot run offline; drop --offline (and HF_HUB_OFFLINE).")
    path = settings.lockfile or (Path(root) / LOCKFILE_NAME)
    keys = sorted({k for k in (key_of(r) for r in references) if k}, key=key_order)
    online = dataclasses.replace(settings, lockfile=None)
    facts, _, _ = resolve(keys, online, today, refresh=True)
    failed = sorted((k for k, f in facts.items() if f.status == "error"), key=key_order)
    if failed:
        first = facts[failed[0]]
        raise HubError(
            f"the lockfile was not written: the Hub could not be asked about {len(failed)} reference(s) "
            f"({', '.join(k.id for k in failed[:5])}): {first.error} Retry when the Hub answers."
        )
    return lockfile.write_lock(path, facts)
