"""The license category of each model for the PR comment's table, asked of the policies.

Categories are policy (the catalogue in rego/aiospo/catalogue/licenses.rego, with user overrides), so
Python does not keep a copy: it evaluates `data.aiospo.lib.license_category` once for all the
run's licenses on the embedded engine. If that fails the column shows a dash and the log says
why; the verdict never depends on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aiospo_ci.model import CheckResult

QUERY = "[data.aiospo.lib.license_category(x[0], x[1], x[2]) | some x in input.licenses]"


def license_categories(result: CheckResult, policy_dirs: Sequence[Path]) -> tuple[dict[tuple[str, str], str], str | None]:
    """(model key -> category, None) or ({}, the reason there are none)."""
    wanted: dict[tuple[str, str], tuple[str | None, str | None, str | None]] = {}
    for index, ref in enumerate(result.scan.references):
        fact = result.facts[index] if index < len(result.facts) else None
        if fact is None or fact.status not in ("ok", "gated") or (ref.kind, ref.id) in wanted:
            continue
        wanted[(ref.kind, ref.id)] = (fact.license, fact.license_name, fact.license_link)
    if not wanted:
        return {}, None
    # Many models share a license: ask once per distinct (license, name, link).
    distinct = sorted({v for v in wanted.values()}, key=lambda t: tuple("" if x is None else str(x) for x in t))
    try:
        from aiospo_ci.policy import library
        from aiospo_ci.policy.embedded import embedded_engine

        engine = embedded_engine()
        try:
            engine.load(library.load_modules(list(policy_dirs)), library.load_data(list(policy_dirs)))
            answer = engine.query(QUERY, {"licenses": [list(t) for t in distinct]})
        finally:
            engine.close()
    except Exception as exc:  # noqa: BLE001 - a missing column is not worth failing the run for
        return {}, f"license categories unavailable ({type(exc).__name__}: {str(exc)[:200]})"
    if not isinstance(answer, list) or len(answer) != len(distinct):
        return {}, "license categories unavailable (the policies gave no answer for data.aiospo.lib.license_category)"
    by_license = {t: c for t, c in zip(distinct, answer) if isinstance(c, str)}
    return {k: by_license[t] for k, t in wanted.items() if t in by_license}, None
