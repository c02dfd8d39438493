"""An organisation of 500 repositories: their inventories merged and rendered, their decision
records written and shipped, and a central decision point answering all their checks at once.

1. Inventories: each repository's CycloneDX BOM (tests/support/organisation.py: a shared model
   catalogue, a few popular models and many rare ones, CODEOWNERS teams), then
   `aiospo-ci inventory merge` as a whole process into the organisation's BOM and into the HTML
   page, at 1 (the fixed cost), N/4 and N repositories: seconds and the process's peak RSS.
2. The central decision point: the policy library compiled once in OPA's Go evaluator
   (opa-golib-python-bindings, OPA's own code) and every repository's input document
   evaluated, one engine on one core, then one engine per core; then the same through OPA's REST
   API (tests/support/opa_server.py with that evaluator) with all N checks sent at once by N
   clients: latency percentiles, wall time, errors, and that every answer equals the in-process one.
3. Decision records: one per repository's check, in OPA's decision-log shape, appended to a file
   and POSTed to a local collector in gzip batches of OPA's default size.

    python benchmarks/org_benchmark.py                 # 500 repositories (about 2 minutes)
    python benchmarks/org_benchmark.py --repositories 100

Exits 1 when a check fails: an error or a wrong answer from the decision point, a record not
delivered, or merge time growing faster than linearly (N/(N/4) ratio over 2 once the fixed cost is removed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiospo_ci.decision_log import upload  # noqa: E402
from aiospo_ci.model import CheckResult, ScanResult  # noqa: E402
from aiospo_ci.policy import library  # noqa: E402
from aiospo_ci.policy.document import build_input, parse_findings  # noqa: E402
from aiospo_ci.policy.interface import DECISION_QUERY  # noqa: E402
from aiospo_ci.report.decision_log import decision_record, render_record  # noqa: E402
from tests.support.collector_server import CollectorServer  # noqa: E402
from tests.support.opa_server import FakeOpaServer  # noqa: E402
from tests.support.organisation import org_config, repository_references, write_boms  # noqa: E402

TODAY = "2026-11-26"


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_process(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one whole `aiospo-ci` process. CPU time
    is what to compare on a shared machine: wall time also counts the other jobs' turns."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "aiospo_ci", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"aiospo-ci {' '.join(args[:3])} ... failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(args: list[str], repeat: int) -> tuple[float, float, float]:
    runs = [timed_process(args) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def inventories(work: Path, n: int, repeat: int) -> list[str]:
    lines = []
    start = time.perf_counter()
    boms = write_boms(work / "boms", n)
    size = sum(p.stat().st_size for p in boms)
    lines.append(f"| write {n} repositories' BOMs (setup) | {time.perf_counter() - start:.2f} s | | {size / 2**20:.1f} MiB of CycloneDX |")
    config = work / "org.aiospo.yaml"
    import yaml

    config.write_text(yaml.safe_dump(org_config(TODAY)))
    quarter = max(1, n // 4)
    sizes = {1: None, quarter: None, n: None}
    for count in sizes:
        files = [str(p) for p in boms[:count]]
        sizes[count] = best(["inventory", "merge", *files, "-o", str(work / f"org-{count}.cdx.json")], repeat)
        seconds, cpu, rss = sizes[count]
        lines.append(f"| merge {count} BOMs -> organisation CycloneDX | {seconds:.2f} s ({cpu:.2f} s CPU) | {rss:.0f} MiB | |")
    html = work / "inventory.html"
    seconds, cpu, rss = best(["inventory", "merge", *map(str, boms), "--format", "html", "--config", str(config), "--today", TODAY, "-o", str(html)], repeat)
    models = json.loads((work / f"org-{n}.cdx.json").read_text())["components"]
    lines.append(f"| merge {n} BOMs -> HTML page | {seconds:.2f} s ({cpu:.2f} s CPU) | {rss:.0f} MiB | {html.stat().st_size / 2**20:.1f} MiB page, {len(models)} components |")
    fixed = sizes[1][1]
    ratio = ((sizes[n][1] - fixed) / max(sizes[quarter][1] - fixed, 1e-9)) / (n / quarter)
    lines.append(f"| growth: CPU({n}) / CPU({quarter}) / {n // quarter}, fixed cost removed | {ratio:.2f} | | 1 is linear |")
    if ratio > 2:
        FAILURES.append(f"merge grows faster than linearly ({ratio:.2f})")
    return lines


def documents(n: int) -> list[tuple[str, dict, list]]:
    config = org_config(TODAY)
    out = []
    for index in range(n):
        name, refs, facts, _ = repository_references(index)
        out.append((name, build_input(refs, facts, [None] * len(refs), config, TODAY), refs))
    return out


def decision_point(docs: list[tuple[str, dict, list]], modules: dict[str, str]) -> tuple[list[str], list[list]]:
    from opa_bindings.engine import OpaEngine

    lines = []
    query = f"x := {DECISION_QUERY}"
    start = time.perf_counter()
    engine = OpaEngine()
    for name in sorted(modules):
        engine.add_policy(name, modules[name])
    engine.eval_query(query, docs[0][1])  # compile and prepare the query once, as a server does at load
    lines.append(f"| OPA Go: load and compile the library ({len(modules)} modules) | {time.perf_counter() - start:.2f} s | {_rss_mib():.0f} MiB | |")

    answers: list[list] = []
    latencies = []
    start, cpu = time.perf_counter(), time.process_time()
    for _, doc, _ in docs:
        t = time.perf_counter()
        answers.append(engine.eval_query(query, doc)[0]["x"])
        latencies.append(time.perf_counter() - t)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    refs = sum(len(d["references"]) for _, d, _ in docs)
    lines.append(
        f"| OPA Go, 1 engine: {len(docs)} decisions ({refs} references) | {wall:.2f} s ({cpu:.2f} s CPU) | {_rss_mib():.0f} MiB | "
        f"{len(docs) / wall:.0f}/s; p50 {percentile(latencies, 50) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms |"
    )
    engine.close()

    workers = os.cpu_count() or 2
    engines = []
    for _ in range(workers):
        e = OpaEngine()
        for name in sorted(modules):
            e.add_policy(name, modules[name])
        e.eval_query(query, docs[0][1])
        engines.append(e)
    start, cpu = time.perf_counter(), time.process_time()

    def work(k: int) -> None:
        for i in range(k, len(docs), workers):
            engines[k].eval_query(query, docs[i][1])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    lines.append(
        f"| OPA Go, {workers} engines in {workers} threads: {len(docs)} decisions | {wall:.2f} s ({cpu:.2f} s CPU) | {_rss_mib():.0f} MiB | {len(docs) / wall:.0f}/s |"
    )
    for e in engines:
        e.close()
    return lines, answers


def rest(docs: list[tuple[str, dict, list]], modules: dict[str, str], answers: list[list]) -> list[str]:
    """All checks at once against OPA's REST API: policies loaded once, then one query per check."""
    engines = os.cpu_count() or 2
    with FakeOpaServer(backend="opa-golib", pool_size=engines) as opa:
        for name, source in sorted(modules.items()):
            request = urllib.request.Request(f"{opa.url}/v1/policies/{name}", data=source.encode(), method="PUT", headers={"Content-Type": "text/plain"})
            urllib.request.urlopen(request, timeout=120).read()
        results: list[tuple[float, int, object]] = [(0.0, 0, None)] * len(docs)
        barrier = threading.Barrier(len(docs) + 1)
        path = DECISION_QUERY.removeprefix("data.").replace(".", "/")

        def check(i: int) -> None:
            body = json.dumps({"input": docs[i][1]}).encode()
            barrier.wait()
            t = time.perf_counter()
            try:
                request = urllib.request.Request(f"{opa.url}/v1/data/{path}", data=body, method="POST", headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=600) as response:
                    results[i] = (time.perf_counter() - t, response.status, json.loads(response.read()).get("result"))
            except OSError as exc:
                results[i] = (time.perf_counter() - t, getattr(exc, "code", 0) or 0, None)

        threads = [threading.Thread(target=check, args=(i,)) for i in range(len(docs))]
        for t in threads:
            t.start()
        barrier.wait()
        start, cpu = time.perf_counter(), time.process_time()
        for t in threads:
            t.join()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    latencies = [r[0] for r in results]
    errors = sum(1 for r in results if r[1] != 200)
    wrong = sum(1 for r, expected in zip(results, answers) if r[1] == 200 and _sorted(r[2]) != _sorted(expected))
    if errors or wrong:
        FAILURES.append(f"the decision point answered {errors} errors and {wrong} wrong answers")
    return [
        f"| OPA REST (opa_server.py, Go evaluator, {engines} engines): {len(docs)} checks sent at once | {wall:.2f} s ({cpu:.2f} s CPU) | {_rss_mib():.0f} MiB | "
        f"p50 {percentile(latencies, 50):.2f} s, p95 {percentile(latencies, 95):.2f} s, max {max(latencies):.2f} s; {errors} errors, {wrong} wrong |"
    ]


def _sorted(findings: object) -> list:
    return sorted(json.dumps(f, sort_keys=True) for f in findings or ()) if isinstance(findings, list) else ["<not a list>"]


def records(work: Path, docs: list[tuple[str, dict, list]], answers: list[list], modules: dict[str, str]) -> list[str]:
    bundles = library.bundle_revisions(modules, {})
    start = time.perf_counter()
    lines_out = []
    for (name, doc, refs), raw in zip(docs, answers):
        findings = tuple(parse_findings(raw, len(refs)))
        result = CheckResult(root=name, scan=ScanResult(tuple(refs), len(refs)), facts=(), findings=findings, bundles=bundles)
        verdict = "fail" if any(f.severity == "deny" and not f.waived for f in findings) else "pass"
        lines_out.append(render_record(decision_record(result, doc, verdict=verdict, labels={"repository": name, "commit": "0" * 40})))
    log = work / "decisions.jsonl"
    log.write_text("".join(lines_out), encoding="utf-8")
    built = time.perf_counter() - start
    with CollectorServer() as collector:
        start = time.perf_counter()
        outcome = upload([line.rstrip("\n").encode() for line in lines_out], collector.url)
        sent = time.perf_counter() - start
        received = len(collector.state.events)
        compressed = sum(len(p.body) for p in collector.state.posts)
    if outcome.errors or received != len(docs):
        FAILURES.append(f"{len(docs) - received} decision records were not delivered: {outcome.errors[:1]}")
    return [
        f"| build and write {len(docs)} decision records | {built:.2f} s | {_rss_mib():.0f} MiB | {log.stat().st_size / 2**20:.1f} MiB NDJSON |",
        f"| POST them to a collector (gzip, batches of 32 KiB) | {sent:.2f} s | | {outcome.posts} POSTs, {compressed / 2**20:.2f} MiB gzip, {received} received |",
    ]


FAILURES: list[str] = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repositories", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each whole-process timing; the best is kept")
    args = parser.parse_args()
    n = args.repositories
    print(f"aiospo-ci organisation benchmark: {n} repositories, Python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    print("| step | time | peak RSS | notes |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="aiospo-org-") as tmp:
        work = Path(tmp)
        for line in inventories(work, n, args.repeat):
            print(line, flush=True)
        modules = library.load_modules([])
        docs = documents(n)
        point, answers = decision_point(docs, modules)
        for line in point:
            print(line, flush=True)
        for line in rest(docs, modules, answers):
            print(line, flush=True)
        for line in records(work, docs, answers, modules):
            print(line, flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    for failure in FAILURES:
        print(f"FAILED: {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
