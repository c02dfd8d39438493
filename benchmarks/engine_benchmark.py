"""Engine benchmark: every shipped in-process Rego engine against OPA's Go evaluator, on input
documents built from a real repository's scan.

The repository is a real library: diffusers 0.42 as published (/tmp/realcode/diffusers-*),
plus the code examples of its docstrings and of transformers' docstrings (the `>>>` lines,
written out as Python files: real model references as their authors wrote them). The project's
own scanner (`aiospo-ci scan --format json`) finds the references; documents of 10, 100, 1,000,
2,500 and 10,000 references take them in order (beyond the repository's own count, copies of
it in sub-folders, as in a monorepo that vendors it). Two variants per size:

  offline  every Hub fact unknown, as `check --offline` builds it without a lockfile
  facts    Hub facts on every Hub reference (the demo lockfile's models, one per distinct id)
           and a configuration with waivers, a registry, deprecations and license lists

Each engine runs in a fresh process per document and reports load+compile time, the first
evaluation and the steady evaluation (median of --repeat further evaluations); the ratio is
the engine's steady time over OPA's in the same run. The policy library is evaluated as the
pipeline evaluates it (every reference, no deduplication), so the engines are compared on the
same work; the last table times `aiospo-ci check --offline` as a whole process on a repository
of 2,500 references, where the pipeline's deduplication applies.

    python benchmarks/engine_benchmark.py                     # all sizes, all engines (~10 min)
    python benchmarks/engine_benchmark.py --sizes 10,100 --engines opa,regorus   # a quick look

Needs OPA's Go evaluator: pip install --ignore-requires-python opa-golib-python-bindings.
Exits 1 if the default embedded engine is slower than 2x OPA at any size, or the check of
2,500 references spends 10 s or more in the policies.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REALCODE = Path("/tmp/realcode")
SIZES = (10, 100, 1000, 2500, 10000)
ENGINES = ("opa", "regorus", "regopy")
TODAY = "2026-11-26"
DEFAULT_ENGINE = "regorus"


def _docstring_examples(source: Path, dest: Path) -> None:
    """Each file's `>>>` example lines written as a Python file (only blocks that parse)."""
    for path in sorted(source.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if ">>>" not in text:
            continue
        blocks: list[list[str]] = []
        current: list[str] = []
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith(">>> ") or stripped == ">>>":
                current.append(stripped[4:])
            elif current and (stripped.startswith("... ") or stripped == "..."):
                current.append(stripped[4:])
            elif current:
                blocks.append(current)
                current = []
        if current:
            blocks.append(current)
        good = []
        for block in blocks:
            try:
                ast.parse("\n".join(block))
            except SyntaxError:
                continue
            good.append("\n".join(block) + "\n")
        if good:
            out = dest / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text("\n\n".join(good), encoding="utf-8")


def _one(pattern: str) -> Path:
    found = sorted(REALCODE.glob(pattern))
    if not found:
        sys.exit(f"{REALCODE / pattern} not found: this benchmark reads the unpacked wheels in {REALCODE}.")
    return found[0]


def build_repository(work: Path) -> Path:
    """diffusers as published, plus the docstring examples of diffusers and transformers."""
    repo = work / "repo"
    shutil.copytree(_one("diffusers-*"), repo / "diffusers")
    _docstring_examples(_one("diffusers-*"), repo / "examples" / "diffusers")
    _docstring_examples(_one("transformers-*"), repo / "examples" / "transformers")
    return repo


def scan(repo: Path, work: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "aiospo_ci", "scan", "--format", "json", "--cache-dir", str(work / "cache"), str(repo)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)["references"]


def _demo_facts() -> list[dict[str, Any]]:
    lock = json.loads((REPO / "examples" / "demo" / "aiospo.lock").read_text(encoding="utf-8"))
    return [e for e in lock["entries"] if e.get("kind") == "model"]


FACTS_CONFIG = {
    "intended_use": "commercial",
    "licenses": {"deny": ["cc-by-nc-4.0"], "warn": ["llama3.1"], "allow": ["mit"]},
    "approved_models": [
        {"id": "google-bert/*", "owner": "nlp", "uses": ["commercial"], "review_by": "2027-01-01", "license": "apache-2.0"},
        {"id": "stabilityai/*", "owner": "vision", "uses": ["research"], "review_by": "2026-01-01"},
        {"id": "runwayml/stable-diffusion-v1-5", "owner": "vision", "gated_approval": True},
    ],
    "deprecations": [{"id": "CompVis/*", "sunset": "2026-06-01", "replacement": "stabilityai/stable-diffusion-2-1"}],
    "waivers": [
        {"model": "stabilityai/*", "rule": "pinning/*", "justification": "research only", "expires": "2027-01-01", "approver": "ospo"},
        {"model": "openai/*", "rule": "*", "justification": "expired on purpose", "expires": "2026-01-01"},
    ],
}


def document(references: list[dict[str, Any]], size: int, with_facts: bool) -> dict[str, Any]:
    """The input document of `size` references, built by the pipeline's own build_input."""
    from aiospo_ci.model import HubFacts, ModelReference, unknown_facts
    from aiospo_ci.policy.document import build_input

    refs = []
    for i in range(size):
        base = dict(references[i % len(references)])
        if i >= len(references):
            base["file"] = f"vendor/copy{i // len(references)}/{base['file']}"
        refs.append(ModelReference.from_dict(base))
    demo = _demo_facts()
    distinct = sorted({r.id for r in refs if r.source == "huggingface"})
    by_id = {}
    for n, id in enumerate(distinct):
        entry = dict(demo[n % len(demo)], id=id, canonical_id=id, kind="model", revision=None)
        by_id[id] = HubFacts.from_dict(entry)
    facts = []
    for r in refs:
        if r.source != "huggingface":
            facts.append(None)
        elif with_facts:
            facts.append(by_id[r.id])
        else:
            facts.append(unknown_facts(r.id, r.kind))
    return build_input(refs, facts, [None] * len(refs), FACTS_CONFIG if with_facts else {}, TODAY)


def worker(engine_name: str, doc_path: str, repeat: int) -> None:
    """In a fresh process: load the library on one engine, evaluate the document; print JSON."""
    from aiospo_ci.policy import library

    document_json = Path(doc_path).read_text(encoding="utf-8")
    doc = json.loads(document_json)
    modules = library.load_modules([])
    started = time.perf_counter()
    if engine_name == "opa":
        from opa_bindings.engine import OpaEngine

        opa = OpaEngine()
        for name, source in modules.items():
            opa.add_policy(name, source)

        def evaluate() -> list:
            rows = opa.eval_query("x := data.aiospo.main.findings", doc)
            return rows[0]["x"]
    else:
        from aiospo_ci.policy.embedded import embedded_engine

        engine = embedded_engine(engine_name)
        engine.load(modules, {})

        def evaluate() -> list:
            return engine.evaluate(doc)
    loaded = time.perf_counter()
    findings = evaluate()
    first = time.perf_counter()
    steady = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        evaluate()
        steady.append(time.perf_counter() - t0)
    print(json.dumps({"load": loaded - started, "first": first - loaded, "steady": statistics.median(steady) if steady else first - loaded, "findings": len(findings)}))


def measure(engine_name: str, doc_path: Path, repeat: int, timeout: float) -> dict[str, Any]:
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", engine_name, str(doc_path), "--repeat", str(repeat)],
            capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"no answer in {timeout:.0f} s"}
    if out.returncode != 0:
        lines = [line for line in out.stderr.strip().splitlines() if line.strip()]
        return {"error": (lines[-1] if lines else f"exit {out.returncode}")[:100]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def check_repository(repo: Path, work: Path, references: int, target: int) -> Path:
    """A repository holding at least `target` references: copies of the real one."""
    copies = -(-target // max(references, 1))
    big = work / "big"
    for n in range(copies):
        shutil.copytree(repo, big / f"copy{n}")
    return big


def time_check(repo: Path, work: Path, engine: str) -> tuple[float, int, int]:
    """Whole-process `check --offline` (warm scan cache), and its reference and finding counts."""
    command = [sys.executable, "-m", "aiospo_ci", "check", "--offline", "--engine", engine, "--today", TODAY,
               "--format", "json", "--fail-on", "never", "--cache-dir", str(work / "cache"), str(repo)]
    subprocess.run(command, check=True, capture_output=True)  # warms the scan cache
    started = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    report = json.loads(out.stdout)
    return elapsed, len(report.get("references", [])), len(report.get("findings", []))


def time_scan(repo: Path, work: Path) -> float:
    """Whole-process `scan` with a warm cache: the part of a check that is not the policies."""
    command = [sys.executable, "-m", "aiospo_ci", "scan", "--format", "json", "--cache-dir", str(work / "cache"), str(repo)]
    subprocess.run(command, check=True, capture_output=True)  # warms the scan cache
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "DOC"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--repeat", type=int, default=3, help="steady evaluations after the first (median)")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per engine and document")
    parser.add_argument("--check-refs", type=int, default=2500, help="references in the repository timed with `check` (0: skip)")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.repeat)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    if "opa" not in engines:
        engines.insert(0, "opa")
    failed = False
    with tempfile.TemporaryDirectory(prefix="aiospo-engine-bench-") as tmp:
        work = Path(tmp)
        repo = build_repository(work)
        references = scan(repo, work)
        hub = [r for r in references if r["source"] == "huggingface"]
        print(f"repository: {len(references)} references ({len(hub)} Hub, {len({r['id'] for r in hub})} distinct Hub ids) from diffusers and the docstring examples of diffusers and transformers\n")
        print(f"{'document':<16} {'engine':<8} {'load s':>8} {'first s':>8} {'steady s':>9} {'x OPA':>7} {'findings':>9}")
        for with_facts in (False, True):
            for size in sizes:
                label = f"{size} {'facts' if with_facts else 'offline'}"
                doc_path = work / f"doc-{label.replace(' ', '-')}.json"
                doc_path.write_text(json.dumps(document(references, size, with_facts)), encoding="utf-8")
                baseline = None
                for engine in engines:
                    result = measure(engine, doc_path, args.repeat, args.timeout)
                    if "error" in result:
                        print(f"{label:<16} {engine:<8} {'fails: ' + result['error']}")
                        failed |= engine == DEFAULT_ENGINE
                        continue
                    if engine == "opa":
                        baseline = result["steady"]
                    ratio = result["steady"] / baseline if baseline else float("nan")
                    print(f"{label:<16} {engine:<8} {result['load']:>8.3f} {result['first']:>8.3f} {result['steady']:>9.3f} {ratio:>6.2f}x {result['findings']:>9}")
                    if engine == DEFAULT_ENGINE and ratio > 2:
                        failed = True
        if args.check_refs:
            big = check_repository(repo, work, len(references), args.check_refs)
            scan_time = time_scan(big, work)
            print(f"\n`aiospo-ci check --offline` of {big.name} (whole process, warm scan cache; scan alone {scan_time:.2f} s):")
            for engine in ("embedded", "regopy"):
                if engine == "regopy" and "regopy" not in engines:
                    continue
                elapsed, refs, findings = time_check(big, work, engine)
                policy = elapsed - scan_time
                print(f"  --engine {engine:<9} {elapsed:7.2f} s for {refs} references, {findings} findings; about {policy:.2f} s beyond the scan")
                if engine == "embedded" and policy >= 10:
                    failed = True
    print("\ntarget: the default embedded engine within 2x OPA at every size, check of 2,500 references under 10 s of policy time:", "MISSED" if failed else "met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
