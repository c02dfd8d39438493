"""The scan's worst inputs, each run as a whole process: time and peak memory against the budgets.

Writes one small tree per case and times `python -m aiospo_ci.scan ROOT` on it (a fresh wrapper
process reports the peak resident memory of the scan and of everything it forked), and checks
what the scan said about the file: a bounded answer (a reference, or the file reported unread
with its cause), never a hang, never gigabytes.

    resolver fan-out         a few hundred bytes naming a string of 2**60 characters
    format fan-out           the same through '{}{}'.format and f-strings
    long reassignment chain  50,000 names, each the previous plus one character
    deep gitignore tree      1,000 nested folders, a .gitignore in each (plain folder and git checkout)
    names file               8 MB of `a` lines and a load (CPython's parser: a minute, 9 GB)
    opcode flood             a 4 MB pickle of 4 million opcodes
    zlib pickle bomb         a 10 KB compressed joblib file holding 10 million opcodes
    zip member bomb          a 100 KB PyTorch zip whose data.pkl inflates to 100 MB
    many-member zip          a zip of 20,000 empty members

The budgets (aiospo_ci/scan/budget.py, docs/scanning.md): FILE_SECONDS per file, a child
process capped at CHILD_MEMORY_BYTES for files over ISOLATE_BYTES. A case fails when it takes
longer than FILE_SECONDS plus a fixed allowance for the process itself, or when the peak memory
exceeds the cap plus the interpreter, or when the scan's answer is not the bounded one expected.
The script exits 1 if any case fails.

    python benchmarks/budget_benchmark.py
    python benchmarks/budget_benchmark.py --only zip --keep /tmp/budget-cases
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aiospo_ci.scan import budget  # noqa: E402

# What the process itself costs beyond the file's budget: start-up, the listing, the report.
ALLOWANCE_SECONDS = 15.0
BASE_MEMORY = 400 * 1024 * 1024

WRAPPER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
proc = subprocess.run(sys.argv[1:], capture_output=True)
elapsed = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
sys.stdout.write(json.dumps({"seconds": elapsed, "peak": peak, "code": proc.returncode,
                             "out": proc.stdout.decode("utf-8", "replace"), "err": proc.stderr.decode("utf-8", "replace")[-2000:]}))
"""

LOADER = b"from transformers import AutoModel\n"


def fan_out(root: Path) -> None:
    lines = [LOADER.decode(), 'a0 = "ab"'] + [f"a{i} = a{i - 1} + a{i - 1}" for i in range(1, 61)]
    (root / "fan.py").write_text("\n".join(lines + ["AutoModel.from_pretrained(a60)", ""]))


def format_fan_out(root: Path) -> None:
    lines = [LOADER.decode(), 'b0 = "cd"'] + [
        (f'b{i} = "{{}}{{}}".format(b{i - 1}, b{i - 1})' if i % 2 else f'b{i} = f"{{b{i - 1}}}{{b{i - 1}}}"') for i in range(1, 61)]
    (root / "fmt.py").write_text("\n".join(lines + ["AutoModel.from_pretrained(b60)", ""]))


def long_chain(root: Path) -> None:
    lines = [LOADER.decode(), 'n0 = "org/"'] + [f'n{i} = n{i - 1} + "x"' for i in range(1, 50_000)]
    (root / "chain.py").write_text("\n".join(lines + ["AutoModel.from_pretrained(n49999)", ""]))


def deep_tree(root: Path, depth: int = 1000) -> None:
    d = root
    for i in range(depth):
        d.mkdir(exist_ok=True)
        (d / ".gitignore").write_text(f"ignored_{i}_*.py\n!keep_{i}.py\n/build{i}/\n")
        (d / f"m{i}.py").write_bytes(LOADER + f'AutoModel.from_pretrained("org/level-{i}")\n'.encode())
        d = d / "d"


def deep_tree_git(root: Path) -> None:
    deep_tree(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def names_file(root: Path) -> None:
    (root / "names.py").write_bytes(LOADER + b"a\n" * (4 * 1024 * 1024) + b"AutoModel.from_pretrained('org/after')\n")


def opcode_flood(root: Path) -> None:
    (root / "flood.pkl").write_bytes(b"\x80\x04" + b"N" * (4 * budget.PICKLE_OPCODES) + b".")


def zlib_bomb(root: Path) -> None:
    (root / "bomb.joblib").write_bytes(zlib.compress(b"\x80\x04" + b"N" * (10 * budget.PICKLE_OPCODES) + b".", 9))


def zip_member_bomb(root: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\x80\x04" + b"N" * (100 * 1024 * 1024) + b".")
    (root / "bomb.pt").write_bytes(buf.getvalue())


def many_members(root: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(20_000):
            z.writestr(f"m{i}", b"")
    (root / "members.pt").write_bytes(buf.getvalue())


def _unread(doc: dict, file_suffix: str, cause: str) -> bool:
    return any(u["file"].endswith(file_suffix) and u["cause"] == cause for u in doc["unread"])


def _ref(doc: dict, ident: str, source: str) -> bool:
    return any(r["id"] == ident and r["source"] == source for r in doc["references"])


# name -> (writes the tree, what the answer must be, in words)
CASES: dict[str, tuple[Callable[[Path], None], Callable[[dict], bool], str]] = {
    "resolver fan-out": (fan_out, lambda d: _ref(d, "a60", "unresolved"), "the load reported, its name unresolved"),
    "format fan-out": (format_fan_out, lambda d: _ref(d, "b60", "unresolved"), "the load reported, its name unresolved"),
    "long reassignment chain": (long_chain, lambda d: _ref(d, "n49999", "unresolved"), "the load reported, its name unresolved"),
    "deep gitignore tree": (deep_tree, lambda d: len(d["references"]) == 1000, "all 1,000 loads found"),
    "deep gitignore tree (git)": (deep_tree_git, lambda d: len(d["references"]) == 1000, "all 1,000 loads found"),
    "names file": (names_file, lambda d: _unread(d, "names.py", "budget"), "unread: budget"),
    "opcode flood": (opcode_flood, lambda d: _unread(d, "flood.pkl", "weights-too-large"), "unread: weights-too-large"),
    "zlib pickle bomb": (zlib_bomb, lambda d: _unread(d, "bomb.joblib", "weights-too-large"), "unread: weights-too-large"),
    "zip member bomb": (zip_member_bomb, lambda d: _unread(d, "bomb.pt", "weights-too-large"), "unread: weights-too-large"),
    "many-member zip": (many_members, lambda d: _unread(d, "members.pt", "weights-too-large"), "unread: weights-too-large"),
}


def _remove(path: Path) -> None:
    """rm -rf: shutil.rmtree recurses once per level and a case is a thousand levels deep."""
    subprocess.run(["rm", "-rf", str(path)], check=False)


def _size(root: Path) -> int:
    total, todo = 0, [str(root)]
    while todo:  # a stack: rglob and os.walk recurse once per level, and a case is 1,000 deep
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    total += entry.stat(follow_symlinks=False).st_size
    return total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", help="run the cases whose name contains this")
    p.add_argument("--keep", type=Path, help="write the cases here and keep them")
    args = p.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="aiospo-budget-"))
    base = args.keep or work
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIOSPO_", "GIT_"))}
    env["AIOSPO_NO_SCAN_CACHE"] = "1"
    env["PYTHONPATH"] = str(REPO)
    limit_s = budget.FILE_SECONDS + ALLOWANCE_SECONDS
    limit_mem = budget.CHILD_MEMORY_BYTES + BASE_MEMORY
    print(f"budgets: {budget.FILE_SECONDS:g} s per file (limit here {limit_s:g} s a case), child memory "
          f"{budget.CHILD_MEMORY_BYTES >> 20} MiB above the parent (limit here {limit_mem >> 20} MiB peak), "
          f"isolation above {budget.ISOLATE_BYTES >> 10} KiB")
    print(f"cores: {os.cpu_count()}  load average at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(f"  {'case':28} {'input':>10} {'seconds':>9} {'peak MiB':>9}  answer")
    failed = 0
    try:
        for name, (write, check, expected) in CASES.items():
            if args.only and args.only not in name:
                continue
            root = base / name.replace(" ", "-").replace("(", "").replace(")", "")
            if root.exists():
                _remove(root)
            root.mkdir(parents=True)
            write(root)
            size = _size(root)
            cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "aiospo_ci.scan", str(root)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=limit_s * 4)
            result = json.loads(proc.stdout)
            ok_answer = False
            if result["code"] == 0:
                ok_answer = check(json.loads(result["out"]))
            ok = ok_answer and result["seconds"] <= limit_s and result["peak"] <= limit_mem
            failed += not ok
            print(f"  {name:28} {size / 1024 / 1024:8.1f}MB {result['seconds']:9.2f} {result['peak'] / 1024 / 1024:9.0f}  "
                  f"{expected}: {'yes' if ok_answer else 'NO'}{'' if ok else '   FAILED'}", flush=True)
            if result["code"] != 0:
                print(f"      exit {result['code']}: {result['err'][-400:]}")
            if not args.keep:
                _remove(root)
    finally:
        _remove(work) if not args.keep else None
    print()
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("all cases within their budgets" if not failed else f"{failed} case(s) outside their budgets")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
