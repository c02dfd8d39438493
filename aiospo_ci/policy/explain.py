"""`check --explain`: the input document the policies judged, and which rules fired for which
reference, so a policy author can see why a verdict came out as it did."""

from __future__ import annotations

import json
from typing import Any

from aiospo_ci.model import CheckResult


def render_explanation(result: CheckResult, document: dict[str, Any]) -> str:
    lines = ["# input document (data.aiospo.main.findings was evaluated on this)", json.dumps(document, indent=2, sort_keys=True), ""]
    lines.append("# rules that fired, per reference")
    by_ref: dict[Any, list] = {}
    for f in result.findings:
        by_ref.setdefault(f.ref, []).append(f)
    for index, ref in enumerate(result.scan.references):
        fired = by_ref.get(index, [])
        names = ", ".join(f"{f.rule} ({'waived ' if f.waived else ''}{f.severity})" for f in fired) or "no rule fired"
        lines.append(f"[{index}] {ref.file}:{ref.line} {ref.id}: {names}")
    if None in by_ref:
        lines.append("[run] " + ", ".join(f"{f.rule} ({f.severity})" for f in by_ref[None]))
    return "\n".join(lines) + "\n"
