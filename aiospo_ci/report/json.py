"""JSON: the whole result, sorted and without timestamps, so two runs are byte-identical."""

from __future__ import annotations

import json
from typing import Any

from aiospo_ci.model import CheckResult, ScanResult
from aiospo_ci.report.interface import Report


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def check_document(result: CheckResult) -> dict[str, Any]:
    references = []
    for index, ref in enumerate(result.scan.references):
        entry = ref.to_dict()
        entry["index"] = index
        fact = result.facts[index] if index < len(result.facts) else None
        entry["facts"] = fact.to_dict() if fact is not None else None
        references.append(entry)
    findings = []
    for f in result.findings:
        entry = f.to_dict()
        about = result.scan.references[f.ref] if f.ref is not None else None
        entry["file"], entry["line"], _ = result.location(f)
        entry["model"] = about.id if about else None
        entry["title"] = (result.rules.get(f.rule) or {}).get("title")
        findings.append(entry)
    return {
        "findings": findings,
        "references": references,
        "errors": [e.to_dict() for e in result.scan.errors],
        "unread": [u.to_dict() for u in result.scan.unread],
        "skipped": [s.to_dict() for s in result.scan.skipped],
        "summary": {**result.counts(), "references": len(result.scan.references), "files_scanned": result.scan.files_scanned,
                    "unread": len(result.scan.unread), "skipped_folders": len(result.scan.skipped_folders())},
        "warnings": list(result.warnings),
    }


class JsonReport(Report):
    name = "json"

    def render_check(self, result: CheckResult) -> str:
        return dumps(check_document(result))

    def render_scan(self, scan: ScanResult) -> str:
        return dumps(scan.to_dict())
