"""Evaluate each distinct reference once: the run scales with the models, not the references.

A repository that loads one model in two hundred places gives the policies two hundred
references that differ only in where they are. The built-in library judges what a reference
is (its id, call, revision, flags, facts, lockfile entry), never where it is, and judges each
reference on its own. So when only the library is loaded, references that differ only in
their location are evaluated once and the findings are copied to every one of them: the same
findings, hence byte-identical reports, at a fraction of the work.

The contract (docs/engines.md, "What a rule may read"; tests/engines/test_distinct.py checks the
library keeps it):

- A library rule reads no field of LOCATION_FIELDS except `index`, which it only passes on
  as the finding's `ref` or uses as a key (main.rego, registry.rego).
- A library rule judges each reference on its own: it iterates `some r in input.references`
  and never counts, indexes or joins the list.

Every other field, including any added later (scope, new flags, new facts), tells references
apart, so a new field is safe by default. User policies (--policy, policy_dirs) may read
anything, `file` and `line` included, count references or join them: when any module other
than the library's own is loaded, the policies get the full list.
"""

from __future__ import annotations

import json
from typing import Any

from aiospo_ci.policy import library
from aiospo_ci.policy.interface import PolicyEngine

#: Where a reference is, not what it is: the fields the library does not judge. `owners`
#: follows from `file` (CODEOWNERS), so it is where, too.
LOCATION_FIELDS = frozenset({"index", "file", "line", "column", "cell", "owners"})


def library_only(modules: dict[str, str]) -> bool:
    """True when every loaded module is one of the library's own, unchanged (False when none are
    loaded: a central OPA's bundle may hold rules that read where a reference is)."""
    own = library.load_modules([])
    return bool(modules) and all(own.get(name) == source for name, source in modules.items())


def _key(reference: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in reference.items() if k not in LOCATION_FIELDS}, sort_keys=True, ensure_ascii=False)


def compact(document: dict[str, Any]) -> tuple[dict[str, Any], list[list[int]]]:
    """The document with one reference per distinct key (re-indexed 0..n-1, in first-seen
    order), and for each kept reference the indexes of the original references it stands for."""
    groups: dict[str, list[int]] = {}
    kept: list[dict[str, Any]] = []
    for position, reference in enumerate(document.get("references") or ()):
        members = groups.setdefault(_key(reference), [])
        if not members:
            kept.append(dict(reference, index=len(kept)))
        members.append(reference.get("index", position))
    return dict(document, references=kept), list(groups.values())


def expand(findings: Any, groups: list[list[int]]) -> Any:
    """The findings of the compact document, one per original reference."""
    if not isinstance(findings, list):
        return findings  # parse_findings says what is wrong with it
    out: list[Any] = []
    for finding in findings:
        ref = finding.get("ref") if isinstance(finding, dict) else None
        if isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref < len(groups):
            out.extend(dict(finding, ref=original) for original in groups[ref])
        else:
            out.append(finding)
    return out


def evaluate_distinct(engine: PolicyEngine, document: dict[str, Any], modules: dict[str, str]) -> Any:
    """The engine's findings for `document`, evaluating each distinct reference once when the
    loaded modules are the library's own; the full list otherwise."""
    if not library_only(modules):
        return engine.evaluate(document)
    small, groups = compact(document)
    if len(groups) == len(document.get("references") or ()):
        return engine.evaluate(document)
    return expand(engine.evaluate(small), groups)
