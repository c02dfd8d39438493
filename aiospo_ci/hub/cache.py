"""An on-disk cache of Hub facts, so a second `check` within the TTL asks the Hub nothing.

Content-addressed: one JSON file per (endpoint, kind, id, revision), named by the SHA-256 of
that key; the file repeats the key. Only HubFacts are stored (they never hold a token). Writes
go to a temporary file renamed into place, so a reader never sees half a file and concurrent
runs do not corrupt it. Facts that depend on the evaluation date (days_since_modified) are not
stored.

Only definite answers are kept: `ok`, `not_found` and `disabled`. A gated repository the token
cannot read, and every error, is asked again next run (the answer depends on the token and on
the moment). A file that exists but is not what this module writes (not JSON, another key,
facts of the wrong type or an unknown status) stops the run with ConfigError naming it: it was
edited or corrupted, and silently asking again would hide that.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiospo_ci.errors import ConfigError
from aiospo_ci.hub.interface import FactsKey, FactsSource, key_order
from aiospo_ci.hub.validate import facts_problem
from aiospo_ci.model import HubFacts, unknown_facts

FORMAT = 1
# Answers worth keeping: the Hub said something definite about the repository itself.
CACHEABLE = frozenset({"ok", "not_found", "disabled"})


class FactsCache:
    def __init__(self, directory: Path, endpoint: str, ttl_hours: float, clock: Callable[[], float] = time.time):
        self.directory = Path(directory) / f"hub-v{FORMAT}"
        self.endpoint = endpoint.rstrip("/")
        self.ttl_seconds = ttl_hours * 3600
        self._clock = clock
        self.write_errors: list[str] = []

    def _key_doc(self, key: FactsKey) -> dict:
        return {"endpoint": self.endpoint, "kind": key.kind, "id": key.id, "revision": key.revision}

    def path_for(self, key: FactsKey) -> Path:
        digest = hashlib.sha256(json.dumps(self._key_doc(key), sort_keys=True).encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, key: FactsKey, *, any_age: bool = False) -> HubFacts | None:
        """Cached facts if present and fresh (or of any age, offline); None when absent or
        stale. ConfigError when the file is not one this cache wrote."""
        path = self.path_for(key)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None  # absent, or a cache folder that cannot be read: asked again
        except UnicodeDecodeError:
            text = ""  # not what this cache writes: _checked says so
        doc = self._checked(path, key, text)
        age = self._clock() - doc["stored_at"]
        if not any_age and not (0 <= age < self.ttl_seconds):
            return None
        if doc["facts"]["status"] not in CACHEABLE:
            return None  # written by an older version that kept gated answers: ask again
        return dataclasses.replace(HubFacts.from_dict(doc["facts"]), origin="cache")

    def _checked(self, path: Path, key: FactsKey, text: str) -> dict:
        def bad(what: str) -> ConfigError:
            return ConfigError(
                f"{path}: this Hub cache file {what}, so it was edited or corrupted; delete it (or the cache folder "
                f"{self.directory}) and run again."
            )

        try:
            doc = json.loads(text)
        except ValueError:
            raise bad("is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise bad(f"is not in format {FORMAT}")
        if doc.get("key") != self._key_doc(key):
            raise bad(f"holds another key than the {key.kind} {key.id} it is named for")
        if isinstance(doc.get("stored_at"), bool) or not isinstance(doc.get("stored_at"), (int, float)):
            raise bad("has no number for stored_at")
        problem = facts_problem(doc.get("facts"))
        if problem:
            raise bad(f"has facts that fail the schema ({problem})")
        return doc

    def put(self, key: FactsKey, facts: HubFacts) -> None:
        if facts.status not in CACHEABLE:
            return
        stored = dataclasses.replace(facts, days_since_modified=None, origin="hub")
        doc = {"format": FORMAT, "key": self._key_doc(key), "stored_at": self._clock(), "facts": stored.to_dict()}
        path = self.path_for(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(doc, out, sort_keys=True)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            # A read-only or full disk makes the next run slower, not wrong.
            self.write_errors.append(f"could not write the Hub cache in {self.directory} ({exc.strerror}).")


class CachedSource(FactsSource):
    """Fresh cached facts first; the rest from `inner`, stored for next time.
    refresh=True asks `inner` for everything (used by `aiospo-ci lock`) and still stores."""

    def __init__(self, cache: FactsCache, inner: FactsSource, *, refresh: bool = False):
        self.cache = cache
        self.inner = inner
        self.refresh = refresh

    def facts(self, keys: list[FactsKey]) -> dict[FactsKey, HubFacts]:
        found: dict[FactsKey, HubFacts] = {}
        missing: list[FactsKey] = []
        for key in sorted(set(keys), key=key_order):
            hit = None if self.refresh else self.cache.get(key)
            if hit is None:
                missing.append(key)
            else:
                found[key] = hit
        if missing:
            for key, facts in self.inner.facts(missing).items():
                self.cache.put(key, facts)
                found[key] = facts
        return found


class CacheOnlySource(FactsSource):
    """Cached facts of any age; the rest from `online` if given, else `unknown` (offline)."""

    def __init__(self, cache: FactsCache | None, online: FactsSource | None = None):
        self.cache = cache
        self.online = online

    def facts(self, keys: list[FactsKey]) -> dict[FactsKey, HubFacts]:
        out: dict[FactsKey, HubFacts] = {}
        missing = []
        for key in sorted(set(keys), key=key_order):
            hit = self.cache.get(key, any_age=True) if self.cache else None
            if hit is not None:
                out[key] = hit
            elif self.online is None:
                out[key] = unknown_facts(key.id, key.kind, "offline, and neither aiospo.lock nor the Hub cache has facts for it")
            else:
                missing.append(key)
        if missing and self.online is not None:
            out.update(self.online.facts(missing))
        return out


# What the Hub cache (hub-v1/ab/<sha256>.json) and the scan cache (scan/<name>.json) write.
_CACHE_FILE = re.compile(r"^(hub-v[0-9]+/[0-9a-f]{2}/(\.tmp-[^/]*|[0-9a-f]{64}\.json)|scan/[^/]+)$")


def check_cache_folder(root: Path, folder: Path) -> None:
    """A cache folder inside the repository at `root` must hold nothing git tracks (a cache a
    pull request can write is facts the pull request chose) and only cache files (else it is
    part of the scanned tree, and excluding it from the scan would hide those files)."""
    where = folder.relative_to(root).as_posix() or "."
    what = f"the cache folder {where} (hub.cache_dir, --cache-dir or AIOSPO_CACHE_DIR)"
    tracked = _tracked_under(root, where)
    if tracked:
        raise ConfigError(
            f"{what} holds files the repository has committed ({tracked[0]}); a cache is written by runs, never committed, "
            "or a pull request could choose the facts it is judged on. Remove them from the repository, or use a folder outside it."
        )
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink() or (path.is_file() and not _CACHE_FILE.match(relative)):
                raise ConfigError(
                    f"{what} lies inside the scanned tree: it holds {where}/{relative}, which is not a cache file. "
                    "Give the cache a folder of its own (ignored by git), or one outside the repository."
                )


def _tracked_under(root: Path, where: str) -> list[str]:
    """The files git tracks under `where` in the work tree at `root` ([] outside git). Not
    knowing is not "none": a git that cannot run or refuses the repository stops the run."""
    def unknown(why: str) -> ConfigError:
        return ConfigError(
            f"the cache folder {where} lies inside {root}, and git could not tell whether the repository commits files "
            f"there ({why}); move the cache outside the repository (--cache-dir, AIOSPO_CACHE_DIR)."
        )

    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", where], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise unknown(type(exc).__name__) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in message:
            return []  # a plain folder: nothing is committed
        raise unknown(message.splitlines()[0] if message else f"exit {done.returncode}")
    return [p for p in done.stdout.decode("utf-8", "replace").split("\0") if p]
