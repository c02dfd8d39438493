"""No crash loses a file (issue 14 §1): the Python scanner over the Python files of large real
packages, fetched from the package registry, for a bounded time, with zero exceptions.

Three passes, each bounded: every file as the scan reads it (prefilter, markers, block parse);
a seeded sample analysed in full (every statement hot, the whole file parsed), which exercises
the resolver on code written by others; and a seeded sample mutated (cut at a random point, a
random line dropped, a random bracket inserted), which exercises the tolerant parser. A scanner
may report a part of a file unread (a mutation breaks the syntax); it may never raise, crash on
a call, or run out of its budget on real code.

The wheels come from the registry (`pip download --no-deps`, pinned). AIOSPO_FUZZ_WHEELHOUSE
names a folder of those wheels to use instead (offline development: /tmp/realcode/dl).
"""

from __future__ import annotations

import ast
import os
import random
import subprocess
import sys
import time
import zipfile

import pytest

from aiospo_ci.scan.python import PythonAnalysis, PythonScanner, hot_lines, parse_tolerant
from aiospo_ci.scan.registry import scanners_for
from aiospo_ci.scan.runner import scan_content

PACKAGES = (
    "transformers==5.25.0", "diffusers==0.42.1", "sentence-transformers==6.3.0", "peft==0.21.2", "timm==1.0.31",
    "open_clip_torch==3.3.0",
)
FULL_ANALYSIS_SECONDS = 12.0
MUTATION_SECONDS = 8.0


@pytest.fixture(scope="module")
def python_files(tmp_path_factory) -> list[tuple[str, bytes]]:
    wheels = tmp_path_factory.mktemp("wheels")
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", str(wheels)]
    house = os.environ.get("AIOSPO_FUZZ_WHEELHOUSE")
    if house:
        command += ["--no-index", "--find-links", house]
    proc = subprocess.run(command + list(PACKAGES), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (
        f"pip download of {', '.join(PACKAGES)} failed (the package registry must be reachable, or set "
        f"AIOSPO_FUZZ_WHEELHOUSE to a folder of these wheels): {proc.stderr[-800:]}")
    files: list[tuple[str, bytes]] = []
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as z:
            for name in sorted(z.namelist()):
                if name.endswith(".py"):
                    files.append((f"{wheel.name}/{name}", z.read(name)))
    assert len(files) > 4000, f"only {len(files)} Python files in {len(PACKAGES)} wheels"
    return files


def test_every_file_as_the_scan_reads_it(python_files):
    scanners = scanners_for("x.py")
    references = 0
    for name, data in python_files:
        found, unread, _ = scan_content(name, data, scanners)
        references += len(found)
        assert unread == [], (name, unread)  # released code parses: nothing unread, no crash
    assert references > 100


def test_a_sample_analysed_in_full(python_files):
    """Every statement of each sampled file walked and every call resolved: the resolver meets
    all the code the markers would skip. Exceptions propagate: any one fails the test."""
    rng = random.Random(14)
    sample = rng.sample(python_files, len(python_files))
    deadline = time.monotonic() + FULL_ANALYSIS_SECONDS
    analysed = 0
    for name, data in sample:
        if time.monotonic() > deadline:
            break
        tree = compile(data, name, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        analysis = PythonAnalysis(name, tree, None, None)
        analysis.run()
        assert analysis.gaps == [], (name, analysis.gaps)
        analysed += 1
    assert analysed >= 50, f"only {analysed} files analysed in {FULL_ANALYSIS_SECONDS} s"


def _mutate(rng: random.Random, data: bytes) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:
        return data[: rng.randrange(len(data) + 1)]
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    if choice == 1:
        del lines[i]
    else:
        lines[i] = lines[i][: len(lines[i]) // 2] + rng.choice([b"(", b"[", b"{", b'"""', b"'", b"\\", b":"]) + lines[i][len(lines[i]) // 2:]
    return b"\n".join(lines)


def test_mutated_real_files_never_break_the_scanner(python_files):
    rng = random.Random(11)
    relevant = [(n, d) for n, d in python_files if hot_lines(d)]
    deadline = time.monotonic() + MUTATION_SECONDS
    tried = 0
    scanner = PythonScanner()
    while time.monotonic() < deadline:
        name, data = rng.choice(relevant)
        mutated = _mutate(rng, data)
        refs, gaps = scanner.scan_with_notes(name, mutated)
        for ref in refs:
            ref.to_dict()
        assert all(g.cause in ("parse", "encoding") for g in gaps), (name, gaps)
        tried += 1
    assert tried >= 30, f"only {tried} mutations in {MUTATION_SECONDS} s"


def test_the_tolerant_parser_reads_real_files_it_is_given_whole(python_files):
    """parse_tolerant on unbroken real files must give the interpreter's own tree back (it only
    mends what does not parse)."""
    rng = random.Random(3)
    for name, data in rng.sample(python_files, 40):
        tree, _, gaps = parse_tolerant(data, name)
        assert gaps == [] and ast.dump(tree) == ast.dump(ast.parse(data)), name

