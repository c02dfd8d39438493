"""Scale benchmark: does `aiospo-ci scan` grow linearly with the size of the repository?

Generates synthetic repositories at 1x, 4x and 16x (16x: 51,200 files, 10,240 references by
default), times `aiospo-ci scan` as a whole process on each (a cold content-hash cache, then a
warm one) and records peak memory, then prints a table and the growth ratios

    time(16x) / time(1x) / 16       ~1 linear, >>1 super-linear (quadratic would be ~16)
    time(16x) / time(4x) / 4        the same test on the larger pair, less startup in it

plus the same ratios with the fixed cost of a run subtracted: the baseline is `aiospo-ci scan`
of an empty folder, measured in the same script on the same machine.

Memory, two figures per run:
  max RSS    the largest single process (the CLI or one scanner worker): ru_maxrss of
             RUSAGE_CHILDREN read in a fresh wrapper process around the run
  tree peak  the largest sum of RSS over the CLI and all its workers, sampled from /proc every
             20 ms (Linux only; blank elsewhere) - what the machine must actually hold

Each tree is deleted as soon as it is measured, so disk use stays below ~250 MB.

    python benchmarks/scale_benchmark.py                 # 1x, 4x, 16x
    python benchmarks/scale_benchmark.py --sizes 1,4 --base-blocks 100   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: One block is ten files holding two model references; 1x is 320 blocks (3,200 files, 640
#: references), so 16x is 51,200 files and 10,240 references.
FILES_PER_BLOCK = 10
REFS_PER_BLOCK = 2
DEFAULT_BASE_BLOCKS = 320
BLOCKS_PER_FOLDER = 20  # 200 files per folder

FILLER_FUNCTION = '''

def step_{n}_{k}(batch, scale={k}):
    """Scale a batch; ordinary code the scanner must read past."""
    total = 0
    for item in batch:
        if item is None:
            continue
        total += item * scale
    return {{"total": total, "count": len(batch), "tag": "step-{n}-{k}"}}
'''


def _hex(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(40))


def _block(n: int, rng: random.Random) -> dict[str, str]:
    """The ten files of block n: two references (Python and YAML) among eight files without."""
    org = f"org{n % 97}"
    filler = "".join(FILLER_FUNCTION.format(n=n, k=k) for k in range(4))
    return {
        f"models_{n}.py": (
            f'"""Model loading for component {n}."""\n'
            "from transformers import AutoModelForCausalLM\n\n"
            f'MODEL_ID = "{org}/model-{n}"\n'
            f'REVISION = "{_hex(rng)}"\n\n\n'
            "def load():\n"
            "    return AutoModelForCausalLM.from_pretrained(MODEL_ID, revision=REVISION)\n" + filler
        ),
        f"train_{n}.py": (
            f'"""Training loop {n}; the model comes from models_{n} (from_pretrained there)."""\n'
            "import math\n\n" + filler
        ),
        f"util_{n}.py": f'"""Helpers {n}."""\nimport os\n\nROOT = os.path.dirname(__file__)\n' + filler,
        f"test_{n}.py": f"from util_{n} import step_{n}_0\n\n\ndef test_step():\n    assert step_{n}_0([1, 2])['total'] == 0\n",
        f"config_{n}.yaml": f"# fine-tuning recipe {n}\nbase_model: {org}/base-{n}\nlearning_rate: 0.0002\nepochs: {n % 5 + 1}\ndatasets:\n  - path: data/train_{n}.jsonl\n",
        f"params_{n}.json": json.dumps({"batch_size": 8 + n % 8, "seed": n, "warmup": 0.1}, indent=2) + "\n",
        f"README_{n}.md": f"# Component {n}\n\nLoads a causal language model and fine-tunes it.\n" * 3,
        f"run_{n}.sh": f"#!/bin/sh\nset -e\npython train_{n}.py --epochs 2\n",
        f"notes_{n}.txt": "Meeting notes. Nothing to scan here.\n" * 10,
        f"app_{n}.js": f"export function handler{n}(event) {{\n  return {{ status: 200, body: JSON.stringify(event) }};\n}}\n",
    }


def generate(root: Path, blocks: int, seed: int = 1234) -> int:
    """Write `blocks` blocks under root; returns the number of files written."""
    rng = random.Random(seed)
    written = 0
    for n in range(blocks):
        folder = root / "src" / f"pkg{n // BLOCKS_PER_FOLDER:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in _block(n, rng).items():
            (folder / name).write_text(text, encoding="utf-8")
            written += 1
    return written


# -- measuring ---------------------------------------------------------------------------

#: Runs the command as its child and reports wall time and the child tree's ru_maxrss (KiB on
#: Linux). A fresh wrapper per run, because RUSAGE_CHILDREN accumulates over a process's life.
WRAPPER = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
print(proc.pid, flush=True)
_, err = proc.communicate()
elapsed = time.perf_counter() - start
print(json.dumps({"rc": proc.returncode, "seconds": elapsed,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stderr": err.decode("utf-8", "replace")[-2000:]}), flush=True)
"""


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields start after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _tree_rss(pid: int, page: int) -> int:
    children = _children_map()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, ()))
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._halt = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid, self._page))
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


@dataclass
class Run:
    seconds: float
    maxrss_mib: float
    tree_peak_mib: float | None


def measure(command: list[str], env: dict[str, str]) -> Run:
    wrapper = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *command], stdout=subprocess.PIPE, env=env, text=True
    )
    assert wrapper.stdout is not None
    child_pid = int(wrapper.stdout.readline())
    sampler = TreeSampler(child_pid) if Path("/proc/self/statm").exists() else None
    if sampler:
        sampler.start()
    report = json.loads(wrapper.stdout.readline())
    wrapper.wait()
    peak = sampler.stop() if sampler else None
    if report["rc"] != 0:
        raise SystemExit(f"scan failed with exit {report['rc']}: {command}\n{report['stderr']}")
    return Run(report["seconds"], report["maxrss_kib"] / 1024, peak / 2**20 if peak else None)


def scan_command(root: Path, output: Path, cache: Path, jobs: int | None) -> list[str]:
    command = [sys.executable, "-m", "aiospo_ci", "scan", str(root), "--format", "json",
               "--output", str(output), "--cache-dir", str(cache), "--quiet"]
    if jobs:
        command += ["--jobs", str(jobs)]
    return command


@dataclass
class Row:
    label: str
    files: int
    files_scanned: int
    references: int
    cold: Run
    warm: Run


def run_size(label: str, blocks: int, workdir: Path, jobs: int | None, repeat: int, env: dict[str, str]) -> Row:
    root, cache, out = workdir / f"repo-{label}", workdir / f"cache-{label}", workdir / f"scan-{label}.json"
    try:
        files = generate(root, blocks)
        colds, warms = [], []
        for _ in range(repeat):
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(measure(scan_command(root, out, cache, jobs), env))
            warms.append(measure(scan_command(root, out, cache, jobs), env))
        scan = json.loads(out.read_text(encoding="utf-8"))
        best = lambda runs: min(runs, key=lambda r: r.seconds)  # noqa: E731 - least disturbed run
        peak = lambda runs: Run(best(runs).seconds, max(r.maxrss_mib for r in runs),  # noqa: E731
                                max((r.tree_peak_mib or 0) for r in runs) or None)
        return Row(label, files, scan["files_scanned"], len(scan["references"]), peak(colds), peak(warms))
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        out.unlink(missing_ok=True)


def baseline(workdir: Path, jobs: int | None, repeat: int, env: dict[str, str]) -> float:
    """The fixed cost of one run: `aiospo-ci scan` of an empty folder (interpreter start,
    imports, worker pool, report)."""
    empty, cache, out = workdir / "empty", workdir / "cache-empty", workdir / "scan-empty.json"
    empty.mkdir(exist_ok=True)
    times = [measure(scan_command(empty, out, cache, jobs), env).seconds for _ in range(max(3, repeat))]
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,4,16", help="multiples of the base size (default 1,4,16)")
    parser.add_argument("--base-blocks", type=int, default=DEFAULT_BASE_BLOCKS,
                        help=f"blocks of {FILES_PER_BLOCK} files / {REFS_PER_BLOCK} references at 1x (default {DEFAULT_BASE_BLOCKS})")
    parser.add_argument("--jobs", type=int, default=None, help="passed to aiospo-ci scan --jobs (default: its own)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the fastest time and the largest memory are kept")
    parser.add_argument("--workdir", help="where to generate trees (default: a temporary folder)")
    args = parser.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",")]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    for secret in ("HF_TOKEN", "GITHUB_TOKEN", "OPA_TOKEN"):
        env.pop(secret, None)
    workdir_ctx = tempfile.TemporaryDirectory(prefix="aiospo-scale-", dir=args.workdir)
    with workdir_ctx as tmp:
        workdir = Path(tmp)
        base = baseline(workdir, args.jobs, args.repeat, env)
        rows = []
        for size in sizes:
            row = run_size(f"{size}x", args.base_blocks * size, workdir, args.jobs, args.repeat, env)
            rows.append(row)
            print(f"  measured {row.label}: {row.files} files in {row.cold.seconds:.2f}s", file=sys.stderr, flush=True)

    print(f"aiospo-ci scan, whole process; python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"--jobs {args.jobs or 'default'}; baseline (empty folder) {base:.2f}s")
    header = f"{'size':>5} {'files':>7} {'scanned':>8} {'refs':>7} {'cold s':>8} {'warm s':>8} {'us/file':>8} {'max RSS MiB':>12} {'tree peak MiB':>14}"
    print(header)
    print("-" * len(header))
    for r in rows:
        tree = f"{r.cold.tree_peak_mib:.0f}" if r.cold.tree_peak_mib else "-"
        per_file = (r.cold.seconds - base) / max(1, r.files) * 1e6
        print(f"{r.label:>5} {r.files:>7} {r.files_scanned:>8} {r.references:>7} {r.cold.seconds:>8.2f} "
              f"{r.warm.seconds:>8.2f} {per_file:>8.0f} {max(r.cold.maxrss_mib, r.warm.maxrss_mib):>12.0f} {tree:>14}")

    by_size = dict(zip(sizes, rows))
    verdict = 0
    for small, big in ((1, 16), (4, 16), (1, 4)):
        if small in by_size and big in by_size:
            a, b, k = by_size[small], by_size[big], big / small
            raw = b.cold.seconds / a.cold.seconds / k
            net = (b.cold.seconds - base) / max(1e-9, a.cold.seconds - base) / k
            warm = b.warm.seconds / a.warm.seconds / k
            print(f"time({big}x)/time({small}x)/{k:g}: cold {raw:.2f} (fixed cost removed: {net:.2f}), warm {warm:.2f}")
            if net > 2.0:  # quadratic growth from 1x to 16x would be ~16
                verdict = 1
    largest = rows[-1]
    if largest.files < 50_000 or largest.references < 10_000:
        print(f"note: the largest tree ({largest.files} files, {largest.references} references) is below the "
              "stated limit of 50,000 files and 10,000 references", file=sys.stderr)
    if verdict:
        print("growth looks super-linear (ratio > 2)", file=sys.stderr)
    return verdict


if __name__ == "__main__":
    raise SystemExit(main())
