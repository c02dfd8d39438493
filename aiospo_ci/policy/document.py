"""Build the one input document the policies judge, and turn their answer into Findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiospo_ci.errors import PolicyError
from aiospo_ci.model import Finding, HubFacts, ModelReference, Unread

SCHEMA_VERSION = 1

# Facts kept out of the policy input: the full sibling file list can run to thousands of names
# per repo and rego-cpp's evaluation time grows with the input; the weights and custom-code
# facts derived from it are in the input instead.
_FACTS_NOT_IN_INPUT = ("files",)


def build_input(
    references: Sequence[ModelReference],
    facts: Sequence[HubFacts | None],
    locked: Sequence[dict[str, Any] | None],
    config: dict[str, Any],
    today: str,
    run: dict[str, Any] | None = None,
    unread: Sequence[Unread] = (),
) -> dict[str, Any]:
    """The whole run as one JSON document (see docs/architecture.md). `run`: where the run
    happens (pipeline.run_context: {"ci": bool}); absent, the run is not in CI."""
    from aiospo_ci.scope import classifier_for

    scopes = classifier_for(config)
    refs = []
    for index, ref in enumerate(references):
        entry = ref.to_dict()
        entry["index"] = index
        entry["scope"] = scopes.scope_of(ref.file)
        fact = facts[index] if index < len(facts) else None
        entry["facts"] = _policy_facts(fact) if fact is not None else None
        entry["locked"] = locked[index] if index < len(locked) else None
        refs.append(entry)
    return {"schema_version": SCHEMA_VERSION, "today": today, "config": config, "run": run or {"ci": False}, "references": refs,
            "unread": [u.to_dict() for u in sorted(unread)]}


def _policy_facts(fact: HubFacts) -> dict[str, Any]:
    facts = fact.to_document()
    for name in _FACTS_NOT_IN_INPUT:
        facts.pop(name, None)
    return facts


_SEVERITIES = ("deny", "warn", "info")


def parse_findings(raw: Any, reference_count: int) -> list[Finding]:
    """Validate the engine's answer and make Findings; a malformed answer is an error, never
    'no findings'."""
    if not isinstance(raw, list):
        raise PolicyError(f"the policies answered {type(raw).__name__} for the findings, expected a list; check custom policies that define 'findings'.")
    findings = []
    for item in raw:
        if not isinstance(item, dict):
            raise PolicyError(f"a policy produced a finding that is not an object ({item!r:.80}); emit {{rule, severity, message, ref}}.")
        rule = item.get("rule")
        severity = item.get("severity")
        message = item.get("message")
        ref = item.get("ref")
        if not isinstance(rule, str) or not rule:
            raise PolicyError(f"a policy produced a finding without a 'rule' id ({item!r:.120}); add rule: \"<package>/<name>\".")
        if severity not in _SEVERITIES:
            raise PolicyError(f"rule {rule} produced severity {severity!r}; use one of deny, warn, info.")
        if not isinstance(message, str):
            raise PolicyError(f"rule {rule} produced a finding without a text 'message'; add one.")
        if ref is not None and (not isinstance(ref, int) or isinstance(ref, bool) or not 0 <= ref < reference_count):
            raise PolicyError(f"rule {rule} produced ref {ref!r}, which is not an index into input.references; use the reference's 'index' or null.")
        file, line = item.get("file"), item.get("line")
        if file is not None and (not isinstance(file, str) or not file):
            raise PolicyError(f"rule {rule} produced file {file!r}; use the file's relative path (lib.file_finding) or leave it out.")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1 or file is None):
            raise PolicyError(f"rule {rule} produced line {line!r}; use a 1-based line number together with a file, or null.")
        waiver = item.get("waiver")
        findings.append(
            Finding(
                severity=severity,
                rule=rule,
                message=message,
                ref=ref,
                waived=bool(item.get("waived", False)),
                waiver=tuple(sorted((str(k), str(v)) for k, v in waiver.items() if v is not None)) if isinstance(waiver, dict) else None,
                file=file,
                line=line,
            )
        )
    # A set in Rego is unordered on the wire; sort so output is byte-identical across engines.
    return sorted(set(findings), key=Finding.sort_key)
