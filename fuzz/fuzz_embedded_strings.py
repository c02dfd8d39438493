"""Fuzz the embedded engine's string handling: any string in the input document must come back
from the policies exactly as OPA would return it (identity, through a function, in sprintf,
as an object key), whatever quotes, backslashes or control characters it holds.

    pip install atheris
    python fuzz/fuzz_embedded_strings.py -max_total_time=300
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.*

with atheris.instrument_imports():
    from aiospo_ci.policy.embedded import embedded_engine

# The same policy and expectation as the property test, so the two cannot drift apart.
from tests.robustness.test_engine_strings import POLICY, expected

ENGINE = embedded_engine()
ENGINE.load({"main.rego": POLICY}, {})


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(256)
    got = ENGINE.evaluate({"s": text, "list": [text]})
    if got != expected(text, [text]):
        raise AssertionError(f"embedded engine changed {text!r}: {got!r}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
