"""Scan-stage fixtures, and the corpus's precision and recall in the terminal summary (shown
with or without -s, so CI logs always carry the figures)."""

from __future__ import annotations

import pytest

# Filled by test_corpus.py; printed once at the end of the run.
CORPUS_METRICS: dict[str, float] = {}


@pytest.fixture
def corpus_metrics() -> dict[str, float]:
    return CORPUS_METRICS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not CORPUS_METRICS:
        return
    m = CORPUS_METRICS
    terminalreporter.write_sep("-", "scan reference corpus")
    terminalreporter.write_line(
        f"precision {m['precision']:.1%}  recall {m['recall']:.1%}  "
        f"({int(m['true_positives'])} found of {int(m['expected'])} expected, {int(m['reported'])} reported)"
    )
