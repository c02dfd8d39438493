"""The scan cache: per file, its content hash and what the scanners found in it.

A file whose size, mtime and inode are unchanged is not even read (as git's index does); one
whose stat changed is read and hashed, and rescanned only if the hash changed. A file modified
within the last seconds before the cache was written is stored without its stat, so a change in
the same clock tick is still caught by the hash. The key includes the scanner fingerprint
(package, Python and scanner versions and the API table), so results from another version are
never reused. The cache is JSON: nothing in it is ever unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiospo_ci.model import UNREAD_CAUSES, ModelReference, Unread

_RACY_NS = 3_000_000_000


def default_cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    """AIOSPO_CACHE_DIR, else XDG_CACHE_HOME or ~/.cache, then aiospo-ci (as the hub cache)."""
    if env.get("AIOSPO_CACHE_DIR"):
        return Path(env["AIOSPO_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aiospo-ci"


class Entry:
    """One file's outcome: its stat and content hash, the references found, and the parts not
    read as [cause, reason, line] lists (JSON-friendly; see model.Unread)."""

    __slots__ = ("stat", "digest", "refs", "unread")

    def __init__(self, stat: tuple[int, int, int] | None, digest: str, refs: list[dict[str, Any]],
                 unread: list[list[Any]]):
        self.stat, self.digest, self.refs, self.unread = stat, digest, refs, unread

    def references(self) -> list[ModelReference]:
        return [ModelReference.from_dict(d) for d in self.refs]

    def unread_parts(self, relpath: str) -> list[Unread]:
        return [Unread(relpath, cause, reason, line) for cause, reason, line in self.unread]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _valid_part(part: Any) -> bool:
    return (isinstance(part, list) and len(part) == 3 and part[0] in UNREAD_CAUSES and isinstance(part[1], str)
            and (part[2] is None or (isinstance(part[2], int) and not isinstance(part[2], bool))))


class ScanCache:
    def __init__(self, path: Path | None, fingerprint: str):
        self.path, self.fingerprint = path, fingerprint
        self.entries: dict[str, Entry] = {}
        self.dirty = False
        if path is not None:
            self._load()

    @classmethod
    def for_root(cls, cache_dir: Path | None, root: Path, fingerprint: str) -> ScanCache:
        if os.environ.get("AIOSPO_NO_SCAN_CACHE"):
            return cls(None, fingerprint)
        base = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        name = hashlib.sha256(str(root).encode()).hexdigest()[:20]
        return cls(base / "scan" / f"{name}.json", fingerprint)

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as f:  # type: ignore[arg-type]
                doc = json.loads(f.read())
        except (OSError, ValueError):
            return
        if not isinstance(doc, dict) or doc.get("fingerprint") != self.fingerprint:
            return
        files = doc.get("files")
        if not isinstance(files, dict):
            return
        for rel, e in files.items():
            try:
                st, dg, refs, unread = e
                entry = Entry(tuple(st) if st else None, dg, refs, unread)  # type: ignore[arg-type]
                entry.references()  # a damaged entry is dropped here, not met later
                if not all(_valid_part(part) for part in unread):
                    continue
                self.entries[rel] = entry
            except (TypeError, ValueError, KeyError, AttributeError):
                continue

    def fresh(self, relpath: str, stat: tuple[int, int, int]) -> Entry | None:
        """The entry when the file's stat says it is unchanged."""
        e = self.entries.get(relpath)
        if e is not None and e.stat is not None and e.stat == stat:
            return e
        return None

    def digest_of(self, relpath: str) -> str | None:
        e = self.entries.get(relpath)
        return e.digest if e is not None else None

    def put(self, relpath: str, entry: Entry) -> None:
        old = self.entries.get(relpath)
        if old is None or old.stat != entry.stat or old.digest != entry.digest or old.refs != entry.refs \
                or old.unread != entry.unread:
            self.entries[relpath] = entry
            self.dirty = True

    def forget_except(self, keep: set[str]) -> None:
        for rel in [r for r in self.entries if r not in keep]:
            del self.entries[rel]
            self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        now = time.time_ns()
        files = {}
        for rel in sorted(self.entries):
            e = self.entries[rel]
            st = e.stat
            if st is not None and now - st[1] < _RACY_NS:
                st = None  # modified just now: trust only the hash next time
            files[rel] = [list(st) if st else None, e.digest, e.refs, e.unread]
        doc = {"fingerprint": self.fingerprint, "files": files}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".scan-", suffix=".tmp", dir=str(self.path.parent))
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f, separators=(",", ":"), sort_keys=True)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time
