"""Fuzz every scanner with arbitrary bytes: a scanner may raise ScanFailure (the file is reported
unread and the scan goes on) and nothing else, and may report no crash of its own.

    pip install atheris
    python fuzz/fuzz_scanners.py -max_total_time=300 fuzz/corpus/scanners

The input's first byte picks the file name (and so the scanners that read it); the rest is the
file's content.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from aiospo_ci.scan.budget import BudgetExceeded
    from aiospo_ci.scan.interface import Gap, ScanFailure
    from aiospo_ci.scan.registry import scanners_for

NAMES = (
    "src/app.py", "notebooks/explore.ipynb", "configs/train.yaml", "configs/model.json",
    "pyproject.toml", "README.md", ".env", "scripts/serve.sh", "Modelfile", "web/app.js",
    "weights/model.pkl", "weights/model.bin", "Dockerfile", "config.toml", "docs/guide.md", "requirements.txt",
)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    relpath = NAMES[data[0] % len(NAMES)]
    body = data[1:]
    for scanner in scanners_for(relpath):
        try:
            refs, notes = scanner.scan_with_notes(relpath, body)
        except (ScanFailure, BudgetExceeded):
            continue
        for ref in refs:  # what a scanner returns must serialise: reports and the cache need it
            ref.to_dict()
        assert all(isinstance(n, Gap) and n.cause != "crash" for n in notes)


def main() -> None:
    sys.setrecursionlimit(10_000)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
