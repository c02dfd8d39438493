"""SARIF 2.1.0 for code scanning: stable rule ids and fingerprints so alerts do not duplicate
between runs (aiospo_ci/fingerprint.py: what the finding is about and the text of its line, not
the line number), and findings recorded in the baseline marked `baselineState: unchanged`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiospo_ci import __version__
from aiospo_ci.fingerprint import fingerprints, of_result
from aiospo_ci.model import CheckResult, ScanResult
from aiospo_ci.report.interface import Report
from aiospo_ci.report.json import dumps

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"deny": "error", "warn": "warning", "info": "note"}
# GitHub ranks code-scanning alerts by this number (0-10).
SECURITY_SEVERITY = {"deny": "8.0", "warn": "5.0", "info": "2.0"}
INFORMATION_URI = "https://github.com/aiospo-ci/aiospo-ci"
# The partialFingerprints key: a new algorithm gets a new key, so code scanning never matches
# old and new hashes as the same alert.
FINGERPRINT_KEY = "aiospoFinding/v2"


def artifact_uri(file: str) -> str:
    """A relative path as the URI reference SARIF requires: '%', spaces, quotes, ':' and
    non-ASCII are percent-encoded, so a file named 'a%0Ab.py' is not read back as 'a<newline>b.py'
    and 'c:x.py' is not read as a URI scheme."""
    return quote(file, safe="/")


def sarif_document(result: CheckResult) -> dict[str, Any]:
    used = sorted({f.rule for f in result.findings})
    rule_index = {rule: i for i, rule in enumerate(used)}
    rules = []
    for rule in used:
        meta = result.rules.get(rule) or {}
        severity = meta.get("severity") or next(f.severity for f in result.findings if f.rule == rule)
        entry: dict[str, Any] = {
            "id": rule,
            "name": rule.replace("/", "-"),
            "shortDescription": {"text": meta.get("title") or rule},
            "fullDescription": {"text": meta.get("description") or meta.get("title") or rule},
            "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
            "properties": {"security-severity": SECURITY_SEVERITY.get(severity, "5.0"), "tags": ["ai-model-governance"]},
        }
        related = meta.get("related_resources") or []
        if related and isinstance(related[0], dict) and related[0].get("ref"):
            entry["helpUri"] = related[0]["ref"]
        rules.append(entry)
    results = []
    for f, key in zip(result.findings, of_result(result)):
        where, at, column = result.location(f)
        file = where or ".aiospo.yaml"
        line = at or 1
        region: dict[str, Any] = {"startLine": max(1, line)}
        if column:
            region["startColumn"] = column
        entry = {
            "ruleId": f.rule,
            "ruleIndex": rule_index[f.rule],
            "level": LEVELS[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(file), "uriBaseId": "%SRCROOT%"}, "region": region}}],
            "partialFingerprints": {FINGERPRINT_KEY: key},
        }
        if f.baselined:
            entry["baselineState"] = "unchanged"  # recorded in the committed baseline
        if f.waived:
            waiver = dict(f.waiver or ())
            entry["suppressions"] = [{"kind": "external", "justification": waiver.get("justification", "")}]
        results.append(entry)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "aiospo-ci", "version": __version__, "informationUri": INFORMATION_URI, "rules": rules}},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The scanned repository root."}}},
        "results": results,
        **_skipped_notifications(result.scan),
    }
    if result.bundles:  # which policy decided: a property bag, as SARIF allows on every object
        run["properties"] = {"aiospo-ci": {"bundles": [{"name": n, "revision": r} for n, r in sorted(result.bundles.items())]}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _skipped_notifications(scan: ScanResult) -> dict[str, Any]:
    """The folders left out by default, as a note on the run's invocation (they are no finding)."""
    note = scan.skipped_note()
    if note is None:
        return {}
    return {"invocations": [{"executionSuccessful": True, "toolExecutionNotifications": [
        {"level": "note", "message": {"text": note},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(s.file), "uriBaseId": "%SRCROOT%"}}}
                       for s in scan.skipped_folders()]},
    ]}]}


INVENTORY_RULE = "inventory/model-reference"


class SarifReport(Report):
    name = "sarif"

    def render_check(self, result: CheckResult) -> str:
        return dumps(sarif_document(result))

    def render_scan(self, scan: ScanResult) -> str:
        """The inventory as notes: one result per reference, so code scanning can list them."""
        results = []
        keys = fingerprints(None, [(INVENTORY_RULE, ref, "") for ref in scan.references])
        for ref, key in zip(scan.references, keys):
            message = f"{ref.kind} {ref.id} ({ref.source}) via {ref.call}, pin {ref.pin}"
            results.append(
                {
                    "ruleId": INVENTORY_RULE,
                    "ruleIndex": 0,
                    "level": "note",
                    "message": {"text": message},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(ref.file), "uriBaseId": "%SRCROOT%"}, "region": {"startLine": max(1, ref.line)}}}],
                    "partialFingerprints": {FINGERPRINT_KEY: key},
                }
            )
        rule = {"id": INVENTORY_RULE, "name": "model-reference", "shortDescription": {"text": "A model or dataset referenced by the code"}, "defaultConfiguration": {"level": "note"}}
        document = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "aiospo-ci", "version": __version__, "informationUri": INFORMATION_URI, "rules": [rule]}}, "results": results}],
        }
        return dumps(document)
