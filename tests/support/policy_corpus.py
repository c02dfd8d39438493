"""The engine conformance corpus (tests/policy/corpus) and its decisions under the embedded
engine, computed once per test session."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parents[1] / "policy" / "corpus"


def corpus_paths() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.json"))


@functools.cache
def corpus_case(name: str) -> dict[str, Any]:
    return json.loads((CORPUS_DIR / name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _embedded():
    from aiospo_ci.policy import library
    from aiospo_ci.policy.embedded import embedded_engine

    engine = embedded_engine()
    engine.load(library.load_modules([]), {})
    return engine


@functools.cache
def _decision_json(name: str) -> str:
    return json.dumps(_embedded().evaluate(corpus_case(name)["input"]))


def embedded_decision(name: str) -> list[dict[str, Any]]:
    """The library's findings for one corpus document (a fresh copy each call)."""
    return json.loads(_decision_json(name))
