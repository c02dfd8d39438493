"""Hub enrichment speed: 200 distinct models, 100 ms per request, a bounded pool, then a warm run.

    python benchmarks/hub_benchmark.py [--models 200] [--latency 0.1] [--workers 8] [--runs 3]

Starts the local test Hub (tests/support/hub_server.py) with an injected latency per request and
200 synthetic model repos, writes a throwaway repository that references each once, and times
whole processes (a fresh interpreter each run):

  scan   `aiospo-ci scan`: the baseline, everything `lock` does except asking the Hub
  lock   `aiospo-ci lock`: scan, then one request per model, `workers` at a time (lock always
         asks the Hub, and refreshes the cache on the way)
  warm   `aiospo-ci check` right after: the cache answers, the server must see zero requests

Target (issue 4): lock - scan (the time spent on the Hub) within 1.5 x (models x latency) /
workers, and zero requests on the warm check. Exit status 1 when either is missed. Requests
are counted at the server.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.hub_server import HubServer  # noqa: E402


def make_repo(root: Path, models: int) -> list[str]:
    ids = [f"bench-org/model-{i:03d}" for i in range(models)]
    lines = ["from transformers import AutoModel", ""]
    lines += [f'm{i} = AutoModel.from_pretrained("{repo}")' for i, repo in enumerate(ids)]
    (root / "src").mkdir(parents=True)
    (root / "src" / "models.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / ".aiospo.yaml").write_text("hub:\n  workers: WORKERS\n", encoding="utf-8")
    return ids


def add_repos(server: HubServer, ids: list[str]) -> None:
    template = server.repo("model", "openai-community/gpt2")
    for n, repo in enumerate(ids):
        record = copy.deepcopy(template)
        record["id"] = record["info"]["id"] = repo
        record["info"]["sha"] = f"{n:040x}"
        record["refs"] = None
        server.put_repo(record)


def run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "aiospo_ci", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"aiospo-ci {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()

    server = HubServer().start()
    server.latency = opts.latency
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="aiospo-hub-bench-") as tmp:
            repo = Path(tmp) / "repo"
            ids = make_repo(repo, opts.models)
            config = repo / ".aiospo.yaml"  # hub.workers sets the pool size
            config.write_text(config.read_text().replace("WORKERS", str(opts.workers)))
            add_repos(server, ids)
            base_env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "AIOSPO_"))}
            hub = ["--hub-endpoint", server.url, "--today", "2026-11-26"]
            check = ["check", str(repo), "--engine", "embedded", "--format", "json", "--fail-on", "never", *hub]
            scans, locks, warms, lock_requests, warm_requests = [], [], [], [], []
            for i in range(opts.runs):
                env = dict(base_env, AIOSPO_CACHE_DIR=str(Path(tmp) / f"cache-{i}"), HOME=tmp)
                server.clear()
                scans.append(run(["scan", str(repo), "--format", "json"], env))
                assert server.count() == 0
                locks.append(run(["lock", str(repo), *hub], env))
                lock_requests.append(server.count())
                server.clear()
                warms.append(run(check, env))
                warm_requests.append(server.count())
            rows = [("scan (baseline)", scans, [0] * opts.runs), ("lock (asks the Hub)", locks, lock_requests),
                    ("check, warm cache", warms, warm_requests)]
    finally:
        server.stop()

    ideal = opts.models * opts.latency / opts.workers
    print(f"{opts.models} models, {opts.latency * 1000:.0f} ms per request, {opts.workers} workers, {opts.runs} runs, "
          f"max in flight at the server: {server.max_in_flight}")
    print(f"{'run':32} {'median s':>9} {'min s':>7} {'requests':>9}")
    for name, times, requests in rows:
        print(f"{name:32} {statistics.median(times):9.2f} {min(times):7.2f} {max(requests):9d}")
    hub_time = statistics.median(rows[1][1]) - statistics.median(rows[0][1])
    limit = 1.5 * ideal
    print(f"Hub time (lock - scan): {hub_time:.2f} s; ideal {ideal:.2f} s; limit 1.5 x ideal = {limit:.2f} s; "
          f"ratio to ideal {hub_time / ideal:.2f}")
    ok = hub_time <= limit and max(rows[2][2]) == 0 and min(rows[1][2]) >= opts.models
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
