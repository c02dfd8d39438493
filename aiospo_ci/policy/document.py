"""Build the one input document the policies judge, and turn their answer into Findings."""

from __future__ import annotations

import json
import re
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
    owners: Sequence[Sequence[str]] | None = None,
    run: dict[str, Any] | None = None,
    unread: Sequence[Unread] = (),
) -> dict[str, Any]:
    """The whole run as one JSON document (see docs/architecture.md). `owners`, parallel to
    references, holds what CODEOWNERS says of each reference's file. `run`: where the run
    happens (pipeline.run_context: {"ci": bool}); absent, the run is not in CI."""
    from aiospo_ci.scope import classifier_for

    scopes = classifier_for(config)
    refs = []
    for index, ref in enumerate(references):
        entry = ref.to_dict()
        entry["index"] = index
        entry["owners"] = list(owners[index]) if owners is not None and index < len(owners) else []
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


def finding_contract() -> dict[str, Any]:
    """The finding JSON Schema (aiospo_ci/schemas/finding.schema.json): the one list of the
    fields a finding may carry, which of them are required, and their types."""
    from aiospo_ci.config import load_schema

    return load_schema("finding.schema.json")


_BROKEN = {
    "not_a_collection": "data.aiospo.rules.{package}.findings is {what}, not a set or an array of findings, so aiospo-ci could collect nothing from it",
    "not_an_object": "package aiospo.rules.{package} produced a finding that is not an object ({what})",
    "no_rule": "package aiospo.rules.{package} produced a finding without a text 'rule' ({what})",
    "sets_waiver": "package aiospo.rules.{package} produced a finding that sets 'waived' or 'waiver' ({what}), which only the configuration's waivers decide",
}
_MAKE = 'build each finding with lib.finding("<prefix>/<name>", severity, message, r.index) in `findings contains ... if { ... }`'


def _broken(item: dict[str, Any]) -> str | None:
    """The sentence for an entry main.rego passes on because it breaks the contract."""
    if set(item) not in ({"package", "problem", "findings"}, {"package", "problem", "finding"}):
        return None
    template = _BROKEN.get(str(item["problem"]))
    if template is None:
        return None
    value = item.get("findings", item.get("finding"))
    kind = _rego_type(value)
    what = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}" if item["problem"] == "not_a_collection" else json.dumps(value, sort_keys=True, ensure_ascii=False)[:160]
    return template.format(package=item["package"], what=what) + f"; {_MAKE}."


def _rego_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "null" if value is None else type(value).__name__


def _contract_problem(item: dict[str, Any]) -> str | None:
    """Why a finding breaks finding.schema.json, in one sentence naming its rule; None if it keeps it."""
    import jsonschema

    schema = finding_contract()
    known = schema["properties"]
    rule = item.get("rule")
    who = f"rule {rule}" if isinstance(rule, str) and rule else "a policy"
    unknown = sorted(set(item) - set(known))
    if unknown:
        return f"{who} produced a finding with the unknown field(s) {', '.join(unknown)}; a finding has only {', '.join(sorted(known))} (aiospo_ci/schemas/finding.schema.json)"
    missing = [name for name in schema["required"] if name not in item]
    if missing:
        return f"{who} produced a finding without {', '.join(missing)}; {_MAKE}"
    error = next(iter(sorted(jsonschema.Draft202012Validator(schema).iter_errors(item), key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return None
    field = ".".join(str(p) for p in error.absolute_path) or "the finding"
    expected = {"severity": "one of deny, warn, info", "rule": "'<prefix>/<name>' in lower case (kebab), as in its METADATA custom.id"}.get(field, error.message)
    return f"{who} produced {field} {json.dumps(error.instance, ensure_ascii=False)[:80]}, which is not valid: expected {expected}"


_RULE_ID = re.compile(finding_contract()["properties"]["rule"]["pattern"])
_FIELDS = frozenset(finding_contract()["properties"])
_REQUIRED = frozenset(finding_contract()["required"])


def _fast_valid(item: dict[str, Any]) -> bool:
    """The common case, checked without jsonschema (a large run has tens of thousands)."""
    return (
        _FIELDS.issuperset(item)
        and _REQUIRED.issubset(item)
        and isinstance(item.get("rule"), str)
        and _RULE_ID.match(item["rule"]) is not None
        and item.get("severity") in ("deny", "warn", "info")
        and isinstance(item.get("message"), str)
        and item["message"] != ""
        and isinstance(item.get("waived"), bool)
        and item.get("waiver") is None
        and (item.get("ref") is None or (isinstance(item["ref"], int) and not isinstance(item["ref"], bool)))
    )


def parse_findings(raw: Any, reference_count: int) -> list[Finding]:
    """Validate the engine's answer and make Findings; a malformed answer is an error, never
    'no findings', and so is any finding that breaks the contract (exit 2 naming its rule)."""
    if not isinstance(raw, list):
        raise PolicyError(f"the policies answered {type(raw).__name__} for the findings, expected a list; check custom policies that define 'findings'.")
    findings = []
    for item in raw:
        if not isinstance(item, dict):
            raise PolicyError(f"a policy produced a finding that is not an object ({item!r:.80}); emit {{rule, severity, message, ref}}.")
        broken = _broken(item)
        if broken:
            raise PolicyError(broken)
        if not _fast_valid(item):
            problem = _contract_problem(item)
            if problem:
                raise PolicyError(problem + ".")
        rule, severity, message, ref = item["rule"], item["severity"], item["message"], item.get("ref")
        if ref is not None and not 0 <= ref < reference_count:
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
