"""Run the scanners over a tree: list, cache, prefilter, parse (in parallel when it pays), sort.

`scan_paths` is the scan stage's one entry point. Results are sorted (references by
ModelReference.sort_key, unread parts and skipped notes by file) so the same tree gives the same
output. No file's content is executed. A file, or a part of one, that cannot be read, parsed or
scanned within its budget (budget.py) becomes an Unread entry, judged by the policies
(scan/unreadable); the scan goes on.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from pathlib import Path
from stat import S_ISREG
from typing import Any

from aiospo_ci.model import ModelReference, ScanResult, Unread
from aiospo_ci.scan import budget, registry
from aiospo_ci.scan.cache import Entry, ScanCache, digest
from aiospo_ci.scan.interface import Gap, ScanFailure, Scanner
from aiospo_ci.scan.walk import FileEntry, walk

# Text files above this are generated or data: read only to tell whether they could name a
# model (then they are reported unread), never parsed.
MAX_TEXT_BYTES = 10 * 1024 * 1024
# Notebooks carry their outputs (images, tables): a model load sits among many megabytes.
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
# Weight files above this are listed, reported unread, and not read (picklescan needs the bytes).
MAX_WEIGHT_BYTES = 256 * 1024 * 1024
# Below these, worker processes cost more than they save (pre-commit on a few files).
PARALLEL_MIN_FILES = 48
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_BINARY_PROBE = 8000  # as git: a NUL in the first 8000 bytes makes a file binary
_WINDOW = 4 * 1024 * 1024  # an oversized file is prefiltered in windows this large


def scan_paths(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    exclude: Sequence[str] = (),
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> ScanResult:
    """Every model reference under `root` (or in `paths`, files or folders under root, as
    pre-commit passes them). `cache_dir` None means the user cache dir (AIOSPO_CACHE_DIR or
    ~/.cache/aiospo-ci); set AIOSPO_NO_SCAN_CACHE=1 to scan without a cache."""
    root = Path(root).resolve()
    listing = walk(root, paths, exclude=exclude, wanted=registry.is_wanted)
    files = listing.files
    if paths is not None and len(files) < PARALLEL_MIN_FILES:
        # pre-commit on a handful of files: loading a whole repository's cache costs more than
        # scanning them
        cache = ScanCache(None, "")
    else:
        cache = ScanCache.for_root(cache_dir, root, registry.fingerprint())

    outcomes: dict[str, Entry] = {}
    todo: list[tuple[FileEntry, str | None]] = []
    for f in files:
        hit = cache.fresh(f.relpath, (f.size, f.mtime_ns, f.inode))
        if hit is not None:
            outcomes[f.relpath] = hit
        else:
            todo.append((f, cache.digest_of(f.relpath)))

    for rel, entry in _run(todo, jobs):
        if entry.refs is None:  # same content as cached: keep the cached results, new stat
            old = cache.entries[rel]
            entry = Entry(entry.stat, old.digest, old.refs, old.unread)
        outcomes[rel] = entry
        if entry.stat is not None:  # a file that could not even be opened is tried again next time
            cache.put(rel, entry)
    if paths is None:
        cache.forget_except(set(outcomes))
    cache.save()

    refs: set[ModelReference] = set()
    unread: set[Unread] = set(listing.unread)
    scanned = 0
    for rel, entry in outcomes.items():
        refs.update(entry.references())
        unread.update(entry.unread_parts(rel))
        if entry.stat is not None:
            scanned += 1
    return ScanResult(
        references=tuple(sorted(refs, key=ModelReference.sort_key)),
        files_scanned=scanned,
        errors=tuple(sorted(set(listing.errors))),
        skipped=tuple(sorted(set(listing.skipped))),
        unread=tuple(sorted(unread)),
    )


def _jobs(jobs: int | None) -> int:
    if jobs is not None and jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _run(todo: list[tuple[FileEntry, str | None]], jobs: int | None) -> list[tuple[str, Entry]]:
    n = _jobs(jobs)
    total = sum(f.size for f, _ in todo)
    if n == 1 or len(todo) < PARALLEL_MIN_FILES and total < PARALLEL_MIN_BYTES:
        return scan_chunk(todo)
    chunks = _chunks(todo, n * 4)
    from concurrent.futures import ProcessPoolExecutor

    # n - 1 worker processes, and this process works too: it takes chunks from the end of the
    # queue that no worker has started (a cancelled future is one it runs itself).
    results: list[list[tuple[str, Entry]] | None] = [None] * len(chunks)
    try:
        with ProcessPoolExecutor(max_workers=n - 1) as pool:
            futures = [pool.submit(scan_chunk, c) for c in chunks]
            for i in range(len(chunks) - 1, -1, -1):
                if futures[i].cancel():
                    results[i] = scan_chunk(chunks[i])
            for i, fut in enumerate(futures):
                if results[i] is None:
                    results[i] = fut.result()
    except (OSError, RuntimeError, ImportError):  # no processes here (sandbox, frozen app)
        return scan_chunk(todo)
    return [item for part in results for item in (part or ())]


def _chunks(todo: list[tuple[FileEntry, str | None]], count: int) -> list[list[tuple[FileEntry, str | None]]]:
    """Greedy balance by bytes (largest first), so one big file does not leave a core idle."""
    buckets: list[list[tuple[FileEntry, str | None]]] = [[] for _ in range(max(1, min(count, len(todo))))]
    loads = [0] * len(buckets)
    for item in sorted(todo, key=lambda t: (-t[0].size, t[0].relpath)):
        i = loads.index(min(loads))
        buckets[i].append(item)
        loads[i] += item[0].size + 512  # per-file cost beyond its bytes
    return [b for b in buckets if b]


def scan_chunk(items: list[tuple[FileEntry, str | None]]) -> list[tuple[str, Entry]]:
    # ASTs hold no reference cycles: the cyclic collector only burns time re-walking them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [(f.relpath, scan_file(f, known)) for f, known in items]
    finally:
        if enabled:
            gc.enable()


def scan_file(f: FileEntry, known_digest: str | None = None) -> Entry:
    """Read one file and run its scanners within the file's budget. `refs` None in the answer:
    the content hashes to `known_digest`, so the cached results stand."""
    scanners = registry.scanners_for(f.relpath)
    binary_ok = any(s.binary for s in scanners)
    limit = _limit_for(f.relpath, binary_ok)
    try:
        # O_NONBLOCK: a file swapped for a named pipe after the walk must not hang the scan
        fd = os.open(f.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not S_ISREG(st.st_mode):
                return _not_read("no longer a regular file when it was read")
            stat = (st.st_size, st.st_mtime_ns, st.st_ino)
            if st.st_size > limit:
                return _too_large(f, fh, stat, st.st_size, limit, scanners)
            data = fh.read(limit + 1)
            if len(data) > limit:  # grew while being read
                return _too_large(f, fh, stat, len(data), limit, scanners)
    except FileNotFoundError:
        return _not_read("vanished during the scan")
    except IsADirectoryError:
        return _not_read("became a folder during the scan")
    except OSError as e:
        return _not_read(f"cannot be read: {e.strerror or e}")
    dg: str | None = None
    if known_digest:
        dg = digest(data)
        if dg == known_digest:
            return Entry(stat, dg, None, [])  # type: ignore[arg-type]

    if len(data) > budget.ISOLATE_BYTES and budget.can_isolate():
        try:
            found, parts, parsed = budget.run_isolated(lambda: scan_content(f.relpath, data, scanners))
        except budget.BudgetExceeded as e:
            found, parts, parsed = [], [["budget", f"the scan stopped: it {e}", None]], True
    else:
        try:
            with budget.time_limit():
                found, parts, parsed = scan_content(f.relpath, data, scanners)
        except budget.BudgetExceeded as e:
            found, parts, parsed = [], [["budget", f"the scan stopped: it {e}", None]], True
    # Only content that was parsed is worth a hash: for the rest, the prefilter costs no more than
    # hashing would, so a changed stat simply runs it again.
    if parsed and dg is None:
        dg = digest(data)
    return Entry(stat, dg or "", found, parts)


def _limit_for(relpath: str, binary_ok: bool) -> int:
    if binary_ok:
        return MAX_WEIGHT_BYTES
    return MAX_NOTEBOOK_BYTES if relpath.endswith(".ipynb") else MAX_TEXT_BYTES


def _not_read(reason: str) -> Entry:
    return Entry(None, "", [], [["read", reason, None]])


def scan_content(relpath: str, data: bytes, scanners: Sequence[Scanner]) -> tuple[list[dict[str, Any]], list[list[Any]], bool]:
    """(references as dicts, unread parts as [cause, reason, line], whether anything was parsed).
    Every way a scanner can fail ends here as an unread part; the other scanners still run."""
    is_binary = b"\0" in data[:_BINARY_PROBE]
    refs: list[ModelReference] = []
    gaps: list[Gap] = []
    parsed = False
    for scanner in scanners:
        try:
            if not scanner.may_contain(data):
                continue
            if is_binary and not scanner.binary:
                gaps.append(Gap("encoding", f"binary content (a NUL byte near the start) where the {scanner.name} "
                                            "scanner expects text that may name a model"))
                continue
            parsed = True
            found, notes = scanner.scan_with_notes(relpath, data)
            refs.extend(found)
            gaps.extend(notes)
        except ScanFailure as e:
            gaps.append(Gap(e.cause, str(e), e.line))
        except (RecursionError, MemoryError):
            gaps.append(Gap("budget", f"too deeply nested or too large for the {scanner.name} scanner"))
        except Exception as e:  # noqa: BLE001 - a scanner bug must not lose the rest of the scan: it is reported unread
            gaps.append(Gap("crash", f"the {scanner.name} scanner failed: {type(e).__name__}: {e}"[:300]))
    unique = sorted(set(refs), key=ModelReference.sort_key)
    parts = sorted({(g.cause, g.reason, g.line) for g in gaps}, key=lambda p: (p[2] or 0, p[0], p[1]))
    return [r.to_dict() for r in unique], [list(p) for p in parts], parsed


def _too_large(f: FileEntry, fh: Any, stat: tuple[int, int, int], size: int, limit: int,
               scanners: Sequence[Scanner]) -> Entry:
    key = f"size:{size}:{stat[1]}"
    if any(s.binary for s in scanners):
        from aiospo_ci.scan.weights import large_numeric_numpy_reference, too_large_reference

        numeric = large_numeric_numpy_reference(f.relpath, fh)
        if numeric is not None:  # arrays of numbers: nothing in it can run when loaded
            return Entry(stat, key, [numeric.to_dict()], [])
        ref = too_large_reference(f.relpath, size, limit)
        reason = f"a weight file of {size} bytes, above the {limit}-byte scan limit: its content was not checked"
        return Entry(stat, key, [ref.to_dict()], [["weights-too-large", reason, None]])
    if _any_window_may_contain(fh, scanners):
        reason = f"{size} bytes, above the {limit}-byte limit for text files, and it may name a model"
        return Entry(stat, key, [], [["size", reason, None]])
    return Entry(stat, key, [], [])


def _any_window_may_contain(fh: Any, scanners: Sequence[Scanner]) -> bool:
    """Whether any window of the file passes a scanner's prefilter (windows overlap, so a marker
    across a boundary is seen)."""
    fh.seek(0)
    tail = b""
    while True:
        chunk = fh.read(_WINDOW)
        if not chunk:
            return False
        window = tail + chunk
        if any(s.may_contain(window) for s in scanners):
            return True
        tail = window[-4096:]
