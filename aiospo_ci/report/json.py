"""JSON: the whole result, sorted and without timestamps, so two runs are byte-identical."""

from __future__ import annotations

import json
import re
from typing import Any

from aiospo_ci.model import CheckResult, ScanResult
from aiospo_ci.report.interface import Report

# What json.dumps(ensure_ascii=False) leaves raw but a reader acts on: DEL, the C1 controls
# (0x9b is the 8-bit CSI), the Unicode line breaks, the bidirectional overrides, and the `[` of
# `##[`, which GitHub's runner reads as a legacy workflow command anywhere in a log line. They
# can only occur inside strings, where a \u escape is the same JSON value.
_RAW_CONTROLS = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|(?<=##)\[")


def dumps(value: Any) -> str:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def check_document(result: CheckResult) -> dict[str, Any]:
    references = []
    for index, ref in enumerate(result.scan.references):
        entry = ref.to_dict()
        entry["index"] = index
        entry["scope"] = result.scopes[index] if index < len(result.scopes) else "runtime"
        fact = result.facts[index] if index < len(result.facts) else None
        entry["facts"] = fact.to_document() if fact is not None else None
        references.append(entry)
    findings = []
    for f in result.findings:
        entry = f.to_dict()
        about = result.scan.references[f.ref] if f.ref is not None else None
        entry["file"], entry["line"], _ = result.location(f)
        entry["model"] = about.id if about else None
        entry["scope"] = result.scope_of(f)
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
        "bundles": dict(sorted(result.bundles.items())),  # the policy bundles that decided: name -> revision
    }


class JsonReport(Report):
    name = "json"

    def render_check(self, result: CheckResult) -> str:
        return dumps(check_document(result))

    def render_scan(self, scan: ScanResult) -> str:
        return dumps(scan.to_dict())
