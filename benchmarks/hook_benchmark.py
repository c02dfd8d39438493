"""How long the pre-commit hook takes, as a whole process, on a 2,000-file repository.

    python benchmarks/hook_benchmark.py [--runs 7] [--files 2000] [--changed 20] [--importtime]

Builds a throwaway git repository of 2,000 files (Python, notebooks, YAML, JSON, shell,
Markdown; about one in ten names a Hub model), writes an aiospo.lock for those models, warms
the cache with one run, then times `aiospo-ci check --hub-budget 10 --format text <20 files>`
exactly as the hook entry in .pre-commit-hooks.yaml runs it (a fresh process each time, cwd the repo
root). Baselines measured the same way in the same run: `python -c pass` (interpreter
start-up, the floor for any Python hook) and `git diff --name-only` (what pre-commit itself
runs to find the changed files).

Target: median wall time under 1 second. Exit status 1 when the target is missed, so CI can
run this as a gate. --importtime prints the slowest imports of one hook run (python -X
importtime), the first place to look when the figure grows.
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
import time
from pathlib import Path

TARGET_SECONDS = 1.0
ENTRY = ["-m", "aiospo_ci", "check", "--hub-budget", "10", "--format", "text"]

MODELS = [
    ("google-bert/bert-base-uncased", "86b5e0934494bd15c9632b12f734a8a67f723594", "apache-2.0"),
    ("sentence-transformers/all-MiniLM-L6-v2", "c9745ed1d9f207416be6d2e6f8de32d1f16199bf", "apache-2.0"),
    ("facebook/nllb-200-distilled-600M", "f8d333a098d19b4fd9a8b18f94170487ad3f821d", "cc-by-nc-4.0"),
    ("mistralai/Mistral-7B-v0.1", "27d67f1b5f57dc0953326b2601d68371d40ea8da", "apache-2.0"),
    ("openai-community/gpt2", "607a30d783dfa663caf39e06633721c8d4cfcd7e", "mit"),
]


def python_file(rng: random.Random, i: int, with_model: bool) -> str:
    body = [f'"""Module {i}: business logic."""', "", "import os", "import json", ""]
    for j in range(rng.randint(10, 60)):
        body.append(f"def handler_{i}_{j}(payload):")
        body.append(f"    return json.dumps({{'id': {j}, 'value': payload}})")
        body.append("")
    if with_model:
        model, sha, _ = rng.choice(MODELS)
        body.insert(4, "from transformers import AutoModel")
        body.append(f'MODEL = AutoModel.from_pretrained("{model}", revision="{sha}")')
    return "\n".join(body) + "\n"


def build_repository(root: Path, n_files: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    files: list[str] = []
    for i in range(n_files):
        kind = i % 10
        folder = root / f"pkg{i % 40}" / f"sub{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        with_model = i % 10 == 3
        if kind < 6:
            path = folder / f"mod{i}.py"
            path.write_text(python_file(rng, i, with_model))
        elif kind == 6:
            path = folder / f"config{i}.yaml"
            model = rng.choice(MODELS)[0] if with_model else "none"
            path.write_text(f"name: job{i}\nsteps: 10\nbase_model: {model}\n" if with_model else f"name: job{i}\nsteps: 10\n")
        elif kind == 7:
            path = folder / f"data{i}.json"
            path.write_text(json.dumps({"id": i, "values": list(range(20))}) + "\n")
        elif kind == 8:
            path = folder / f"run{i}.sh"
            path.write_text(f"#!/bin/sh\necho job {i}\n")
        else:
            path = folder / f"README{i}.md"
            path.write_text(f"# Part {i}\n\nNotes.\n")
        files.append(path.relative_to(root).as_posix())
    (root / ".aiospo.yaml").write_text("version: 1\nfail_on: deny\n")
    write_lockfile(root)
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.com", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.com")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "init"], cwd=root, check=True, env=env)
    return files


def write_lockfile(root: Path) -> None:
    """An aiospo.lock for the benchmark's models, as `aiospo-ci lock` writes it."""
    from aiospo_ci.hub.interface import FactsKey
    from aiospo_ci.hub.lockfile import write_lock
    from aiospo_ci.model import HubFacts

    facts = {}
    for model, sha, license_id in MODELS:
        facts[FactsKey("model", model, sha)] = HubFacts(
            id=model, sha=sha, revision=sha, revision_kind="commit", revision_status="ok", resolved_commit=sha,
            license=license_id, gated="false", private=False, disabled=False, card_present=True,
            has_safetensors=True, has_pickle=False, last_modified="2026-06-01T00:00:00.000Z",
        )
        facts[FactsKey("model", model, None)] = HubFacts(id=model, sha=sha, license=license_id, card_present=True, has_safetensors=True)
    write_lock(root / "aiospo.lock", facts)


def wall(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def timed(cmd: list[str], cwd: Path, env: dict[str, str], runs: int) -> list[float]:
    return [wall(cmd, cwd, env)[0] for _ in range(runs)]


def import_report(cmd: list[str], cwd: Path, env: dict[str, str], top: int = 15) -> list[tuple[int, str]]:
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=cwd, env=env, capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line.split("|")
        name = parts[2][1:]  # one space after the bar; more means a nested import
        rows.append((int(parts[1]), name))
    # Top-level packages only (no leading indentation): what each first import cost in total.
    top_level = [(c, n) for c, n in rows if not n.startswith(" ")]
    return sorted(top_level, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true", help="print the slowest imports of one hook run")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="aiospo-hook-bench-"))
    repo = workdir / "repo"
    repo.mkdir()
    try:
        files = build_repository(repo, args.files)
        rng = random.Random(11)
        python_like = [f for f in files if not f.endswith(".md")]
        changed = sorted(rng.sample(python_like, args.changed))
        # Make sure the changed set names models, as a real change under review would.
        changed[:2] = [f for f in files if f.endswith(".py") and "3.py" in f][:2]
        env = dict(os.environ, AIOSPO_CACHE_DIR=str(workdir / "cache"), NO_COLOR="1", PRE_COMMIT="1")
        env.pop("HF_TOKEN", None)
        hook = [sys.executable, *ENTRY, *changed]

        warm_time, first = wall(hook, repo, env)  # fills the scan and facts caches
        if first.returncode not in (0, 1):
            sys.stderr.write(f"the hook run failed (exit {first.returncode}):\n{first.stderr}")
            return 2
        hook_times = timed(hook, repo, env, args.runs)
        python_times = timed([sys.executable, "-c", "pass"], repo, env, args.runs)
        git_times = timed(["git", "diff", "--name-only", "HEAD"], repo, env, args.runs)

        median = statistics.median(hook_times)
        py = statistics.median(python_times)
        git = statistics.median(git_times)
        print(f"repository: {args.files} files, {args.changed} changed, warm cache ({first.stdout.strip().splitlines()[-1]})")
        # Other work on the machine slows every process alike: judge the figure with the ratios.
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min)")
        print(f"first (cold) hook run:      {warm_time:.3f} s")
        print(f"hook, warm, median of {args.runs}:  {median:.3f} s  (min {min(hook_times):.3f}, max {max(hook_times):.3f})")
        print(f"baseline python -c pass:    {py:.3f} s  -> hook is {median / py:.1f}x interpreter start-up")
        print(f"baseline git diff --name-only: {git:.3f} s  -> hook is {median / git:.1f}x")
        verdict = "PASS" if median < TARGET_SECONDS else "FAIL"
        print(f"target < {TARGET_SECONDS:.1f} s wall: {verdict} ({median:.3f} s)")
        if args.importtime:
            print("slowest top-level imports of one hook run (cumulative ms):")
            for cumulative, name in import_report(hook, repo, env):
                print(f"  {cumulative / 1000:8.1f}  {name}")
        return 0 if verdict == "PASS" else 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
