"""The hub stage's entry points: `enrich` (for `check`) and `lock` (for `aiospo-ci lock`).

Where facts come from:
  online   fresh cache, else the Hub (stored in the cache); the lockfile entry rides along as
           `locked` so that the drift rules can compare it with the Hub today.
  offline  the lockfile, else the cache (any age), else `unknown` — the policies decide
           whether unknown passes (deny in CI, warn elsewhere, by default).
  lockfile first (--hub-budget, the pre-commit hook): as offline, but what neither knows is
           asked of the Hub within the budget; what the Hub does not answer in time is unknown.
Offline and lockfile-first runs say in a warning that they trusted the recorded facts.
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
from aiospo_ci.model import HubFacts, ModelReference, unknown_facts


@dataclass(frozen=True)
class Enrichment:
    facts: tuple[HubFacts | None, ...]  # parallel to the references; None: not a Hub reference
    locked: tuple[dict[str, Any] | None, ...]  # the aiospo.lock entry per reference, or None
    warnings: tuple[str, ...] = ()


def key_of(ref: ModelReference) -> FactsKey | None:
    if ref.source != "huggingface" or ref.kind == "metric":  # a metric is no model repo to ask about
        return None
    return FactsKey(ref.kind, ref.id, ref.revision)


def lock_entry(entries: Mapping[FactsKey, dict[str, Any]], key: FactsKey) -> dict[str, Any] | None:
    """The lock entry for a key. A reference pinned to the very commit the lockfile recorded for
    the same model (what `aiospo-ci fix` writes) is that entry, read at its commit."""
    if key in entries:
        return entries[key]
    if key.revision is None or len(key.revision) != 40:
        return None
    for other, entry in entries.items():
        if other.kind == key.kind and other.id == key.id and key.revision in (entry.get("resolved_commit"), entry.get("sha")):
            return {**entry, "revision": key.revision, "revision_kind": "commit", "revision_status": "ok", "resolved_commit": key.revision}
    return None


class OfflineSource(FactsSource):
    """The lockfile first (committed, so every machine agrees), then the cache, then `online`
    (lockfile first) or unknown (offline)."""

    def __init__(self, entries: Mapping[FactsKey, dict[str, Any]], cache: FactsCache | None, online: FactsSource | None = None):
        self.entries = entries
        self.fallback = CacheOnlySource(cache, online)

    def facts(self, keys: list[FactsKey]) -> dict[FactsKey, HubFacts]:
        found = {k: lock_entry(self.entries, k) for k in set(keys)}
        out = {k: lockfile.facts_from_entry(e) for k, e in found.items() if e is not None}
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
        if settings.lockfile_first:
            source = OfflineSource(entries, cache, source)
    facts = with_lineage(source, keys, settings.lineage_depth) if keys else {}
    facts = {k: _dated(_judged_error(f, settings), today) for k, f in facts.items()}
    if cache is not None and cache.write_errors:
        warnings.append(cache.write_errors[0])
    recorded = {f.origin for f in facts.values()} & {"lockfile", "cache"}
    if (settings.offline or settings.lockfile_first) and recorded:
        mode = "offline" if settings.offline else "--hub-budget"
        where = settings.lockfile.name if settings.lockfile else LOCKFILE_NAME
        warnings.append(
            f"{mode}: the facts recorded in {where} (then the Hub cache) were trusted as they are: they were not compared "
            "with the Hub today, so a change upstream (license, gating, a moved revision) is not seen. Run the check "
            "online to compare them."
        )
    unknown = sorted(k.id for k, f in facts.items() if f.status == "unknown")
    if unknown:
        shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        why = "offline" if settings.offline else "not answered within --hub-budget"
        warnings.append(
            f"{why}: {len(unknown)} Hub reference(s) are in neither the lockfile nor the Hub cache ({shown}); "
            "their facts are unknown. Run `aiospo-ci lock` with network to record them."
        )
    return facts, entries, warnings


def _judged_error(facts: HubFacts, settings: HubSettings) -> HubFacts:
    """With on_error 'unknown' (the budgeted lookups), a lookup that failed is a model whose
    facts are unknown, judged as such, rather than a Hub outage that stops the run."""
    if settings.on_error != "unknown" or facts.status != "error":
        return facts
    return dataclasses.replace(unknown_facts(facts.id, facts.kind, facts.error or ""), revision=facts.revision)


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
        locked=tuple(lock_entry(entries, k) if k else None for k in keys),
        warnings=tuple(warnings),
    )


def lock(root: Path, references: Sequence[ModelReference], settings: HubSettings, today: _dt.date) -> Path:
    """Ask the Hub (bypassing cached answers) about every Hub reference and write the lockfile.
    A lookup that failed is not written down as vetted: the run stops with HubError."""
    if settings.offline:
        raise AiospoError("aiospo-ci lock asks the Hub and cannot run offline; drop --offline (and hub.offline).")
    path = settings.lockfile or (Path(root) / LOCKFILE_NAME)
    keys = sorted({k for k in (key_of(r) for r in references) if k}, key=key_order)
    online = dataclasses.replace(settings, lockfile=None, lockfile_first=False, on_error="fail_closed")
    facts, _, _ = resolve(keys, online, today, refresh=True)
    ordered = [facts[k] for k in sorted(facts, key=key_order)]
    failed = [(f.id, f.error) for f in ordered if f.status not in lockfile.LOCKABLE]
    failed += [
        (name, f"{name}, a base model or dataset of {f.id}, could not be asked.")
        for f in ordered
        for name, status in [(a.id, a.status) for a in f.lineage] + [(d.id, d.status) for d in f.dataset_facts]
        if status in ("error", "unknown")
    ]
    if failed:
        raise HubError(
            f"the lockfile was not written: the Hub gave no facts to record for {len(failed)} reference(s) "
            f"({', '.join(dict.fromkeys(name for name, _ in failed[:5]))}): {failed[0][1] or 'no answer.'} "
            "Retry when the Hub answers, or give HF_TOKEN access to the gated ones."
        )
    return lockfile.write_lock(path, facts)
