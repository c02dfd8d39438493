"""What one file may cost the scan: time, memory and work, so no file can hang or exhaust the
run, and a file that runs out is reported unread (scan/unreadable), never passed.

Three layers, from cheapest to strongest:

- work counted by the scanners themselves, deterministic on every machine: value resolutions
  per file (`RESOLVE_STEPS`), the length of a resolved string (`VALUE_CHARS`), pickle opcodes and
  uncompressed bytes per weight file (`PICKLE_OPCODES`, `PICKLE_BYTES`);
- a wall-clock limit per file (`FILE_SECONDS`): a timer in the process that scans (main thread
  only) interrupts Python code that runs past it;
- files above `ISOLATE_BYTES` are scanned in a forked child process whose address space is capped
  (`CHILD_MEMORY_BYTES` above what the parent had) and which is killed at the time limit, so even
  a parser stuck in C code (ten megabytes of `a\\n` take CPython's parser about a minute and nine
  gigabytes) ends in time. Below that size the worst case stays under a few hundred megabytes.

docs/scanning.md states these numbers; benchmarks/budget_benchmark.py measures the worst inputs.
"""

from __future__ import annotations

import json
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

FILE_SECONDS = 10.0
ISOLATE_BYTES = 512 * 1024
CHILD_MEMORY_BYTES = 1 << 30
RESOLVE_STEPS = 200_000
VALUE_CHARS = 4096
PICKLE_OPCODES = 1_000_000
PICKLE_BYTES = 64 * 1024 * 1024
ZIP_MEMBERS = 10_000


class BudgetExceeded(BaseException):
    """A file ran out of its budget. A BaseException, so a scanner's `except Exception` around
    library code cannot swallow it into a result."""


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Raise BudgetExceeded in this thread when the block runs longer than `seconds` (default
    FILE_SECONDS; main thread with setitimer only: elsewhere the counted budgets and isolation
    still hold)."""
    seconds = FILE_SECONDS if seconds is None else seconds
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise BudgetExceeded(f"took longer than {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def can_isolate() -> bool:
    return hasattr(os, "fork") and threading.current_thread() is threading.main_thread()


def _address_space() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(extra: int) -> None:
    try:
        import resource

        base = _address_space()
        if base:
            resource.setrlimit(resource.RLIMIT_AS, (base + extra, base + extra))
    except (ImportError, ValueError, OSError):
        pass


def run_isolated(fn: Callable[[], Any], seconds: float | None = None, memory: int | None = None) -> Any:
    """fn() in a forked child with capped memory, killed after `seconds`; its JSON-able answer.
    Raises BudgetExceeded when the child runs out of time or memory."""
    seconds = FILE_SECONDS if seconds is None else seconds
    memory = CHILD_MEMORY_BYTES if memory is None else memory
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_end)
            _limit_memory(memory)
            try:
                payload = json.dumps({"ok": fn()})
            except MemoryError:
                payload = json.dumps({"budget": f"needed more than {memory >> 20} MiB of memory"})
            except BudgetExceeded as e:
                payload = json.dumps({"budget": str(e)})
            with os.fdopen(write_end, "w", encoding="utf-8") as out:
                out.write(payload)
        except BaseException:  # noqa: BLE001 - the parent reports a child that says nothing
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_end], [], [], left)
            if not ready:
                timed_out = True
                break
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
    if timed_out:
        raise BudgetExceeded(f"took longer than {seconds:g} seconds")
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        raise BudgetExceeded(f"its scan ended without an answer (more than {memory >> 20} MiB of memory)") from None
    if "budget" in answer:
        raise BudgetExceeded(answer["budget"])
    return answer["ok"]
