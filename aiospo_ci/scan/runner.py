"""Run the scanners over a tree: walk, cache, prefilter, parse (in parallel when it pays), sort.

`scan_paths` is the scan stage's one entry point. Results are sorted (references by
ModelReference.sort_key, errors and skipped notes by file) so the same tree gives the same output.
No file's content is executed; a file that cannot be read or parsed becomes a ScanError and the
scan goes on.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from pathlib import Path
from stat import S_ISREG

from aiospo_ci.model import ModelReference, ScanError, ScanResult
from aiospo_ci.scan import registry
from aiospo_ci.scan.cache import Entry, ScanCache, digest
from aiospo_ci.scan.interface import ScanFailure
from aiospo_ci.scan.walk import FileEntry, walk

# Text files above this are generated or data, not code that names a model.
MAX_TEXT_BYTES = 10 * 1024 * 1024
# Weight files above this are listed but not read (picklescan needs the bytes in memory).
MAX_WEIGHT_BYTES = 256 * 1024 * 1024
# Below these, worker processes cost more than they save (pre-commit on a few files).
PARALLEL_MIN_FILES = 48
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_BINARY_PROBE = 8000  # as git: a NUL in the first 8000 bytes makes a file binary


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
    files, errors, skipped = walk(root, paths, exclude=exclude, wanted=registry.is_wanted)
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
            entry = Entry(entry.stat, old.digest, old.refs, old.errors, old.skipped)
        outcomes[rel] = entry
        cache.put(rel, entry)
    if paths is None:
        cache.forget_except(set(outcomes))
    cache.save()

    refs: set[ModelReference] = set()
    all_errors = set(errors)
    all_skipped = set(skipped)
    scanned = 0
    for rel, entry in outcomes.items():
        refs.update(entry.references())
        all_errors.update(ScanError(rel, reason) for reason in entry.errors)
        if entry.skipped:
            all_skipped.add(ScanError(rel, entry.skipped))
        if not entry.skipped and not (entry.errors and entry.digest == ""):
            scanned += 1
    return ScanResult(
        references=tuple(sorted(refs, key=ModelReference.sort_key)),
        files_scanned=scanned,
        errors=tuple(sorted(all_errors)),
        skipped=tuple(sorted(all_skipped)),
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
    """Read one file and run its scanners. `refs` None in the answer: the content hashes to
    `known_digest`, so the cached results stand."""
    scanners = registry.scanners_for(f.relpath)
    binary_ok = any(s.binary for s in scanners)
    limit = MAX_WEIGHT_BYTES if binary_ok else MAX_TEXT_BYTES
    try:
        # O_NONBLOCK: a file swapped for a named pipe after the walk must not hang the scan
        fd = os.open(f.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not S_ISREG(st.st_mode):
                return Entry(None, "", [], ["is no longer a regular file"], None)
            stat = (st.st_size, st.st_mtime_ns, st.st_ino)
            if st.st_size > limit:
                return _too_large(f, stat, st.st_size, limit, binary_ok)
            data = fh.read(limit + 1)
    except FileNotFoundError:
        return Entry(None, "", [], ["vanished during the scan"], None)
    except IsADirectoryError:
        return Entry(None, "", [], ["became a folder during the scan"], None)
    except OSError as e:
        return Entry(None, "", [], [f"cannot be read: {e.strerror or e}"], None)
    if len(data) > limit:  # grew while being read
        return _too_large(f, stat, len(data), limit, binary_ok)
    dg: str | None = None
    if known_digest:
        dg = digest(data)
        if dg == known_digest:
            return Entry(stat, dg, None, [], None)  # type: ignore[arg-type]

    is_binary = b"\0" in data[:_BINARY_PROBE]
    refs: list[ModelReference] = []
    errors: list[str] = []
    ran = parsed = False
    for scanner in scanners:
        if is_binary and not scanner.binary:
            continue
        ran = True
        try:
            if not scanner.may_contain(data):
                continue
            parsed = True
            found, notes = scanner.scan_with_notes(f.relpath, data)
            refs.extend(found)
            errors.extend(notes)
        except ScanFailure as e:
            errors.append(str(e))
        except (RecursionError, MemoryError):
            errors.append(f"too deeply nested or too large for the {scanner.name} scanner")
        except Exception as e:  # noqa: BLE001 - a scanner bug must not lose the rest of the scan
            errors.append(f"the {scanner.name} scanner failed: {type(e).__name__}: {e}"[:300])
    # Only content that was parsed is worth a hash: for the rest, the prefilter costs no more than
    # hashing would, so a changed stat simply runs it again.
    if parsed and dg is None:
        dg = digest(data)
    if not ran:
        return Entry(stat, dg or "", [], [], "binary content (a NUL byte near the start), not read as text")
    unique = sorted(set(refs), key=ModelReference.sort_key)
    return Entry(stat, dg or "", [r.to_dict() for r in unique], sorted(set(errors)), None)


def _too_large(f: FileEntry, stat: tuple[int, int, int], size: int, limit: int, binary_ok: bool) -> Entry:
    if binary_ok:
        from aiospo_ci.scan.weights import too_large_reference

        ref = too_large_reference(f.relpath, size, limit)
        return Entry(stat, f"size:{size}:{stat[1]}", [ref.to_dict()], [], None)
    return Entry(stat, f"size:{size}:{stat[1]}", [], [], f"{size} bytes, above the {limit}-byte limit for text files; not read")
