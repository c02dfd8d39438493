"""Fuzz the embedded engine's string handling: any string in the input document must come back
from the policies exactly as OPA would return it (identity, through a function, in sprintf,
as an object key), whatever quotes, backslashes or control characters it holds.

    pip install atheris
    python fuzz/fuzz_embedded_strings.py -max_total_time=300
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from aiospo_ci.policy.embedded import EmbeddedEngine

POLICY = """package aiospo.main

f(s) := s

findings := [
	input.s,
	f(input.s),
	sprintf("<%s>", [input.s]),
	concat("", [f(input.s), "|"]),
	{input.s: f(input.s)},
]
"""

ENGINE = EmbeddedEngine()
ENGINE.load({"main.rego": POLICY}, {})


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(256)
    got = ENGINE.evaluate({"s": text})
    expected = [text, text, f"<{text}>", f"{text}|", {text: text}]
    if got != expected:
        raise AssertionError(f"embedded engine changed {text!r}: {got!r}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
