"""Each distinct reference is evaluated once when only the library is loaded: the same
findings as evaluating every reference, and the library keeps the contract that makes it so."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aiospo_ci.policy import distinct, library
from aiospo_ci.policy.embedded import embedded_engine
from tests.support.policy_corpus import corpus_case, corpus_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


def _canonical(findings):
    return sorted(json.dumps(f, sort_keys=True) for f in findings)


class CountingEngine:
    """The default engine, remembering how many references each evaluation saw."""

    def __init__(self, modules, data=None):
        self.engine = embedded_engine()
        self.engine.load(modules, data or {})
        self.seen: list[int] = []

    def evaluate(self, document):
        self.seen.append(len(document["references"]))
        return self.engine.evaluate(document)


def _spread(document, copies: int):
    """The document with every reference repeated in `copies` other places."""
    refs = []
    for n in range(copies):
        for r in document["references"]:
            refs.append(dict(r, index=len(refs), file=f"copy{n}/{r.get('file') or 'x.py'}", line=(r.get("line") or 1) + n))
    return dict(document, references=refs)


@pytest.fixture(scope="module")
def modules():
    return library.load_modules([])


@pytest.mark.parametrize("path", corpus_paths(), ids=lambda p: p.stem)
def test_distinct_evaluation_gives_the_same_findings(path, modules):
    document = _spread(corpus_case(path.name)["input"], 3)
    engine = CountingEngine(modules)
    full = engine.evaluate(document)
    once = distinct.evaluate_distinct(engine, document, modules)
    assert _canonical(once) == _canonical(full)
    if document["references"]:
        assert engine.seen[-1] <= len(document["references"]) // 3


def test_user_policies_get_the_full_list():
    """examples/policies/src_owner reads r.file: references in src/ and elsewhere differ."""
    modules = library.load_modules([EXAMPLES])
    assert not distinct.library_only(modules)
    document = {
        "schema_version": 1, "today": "2026-11-26", "config": {},
        "references": [
            {"index": i, "id": "org/m", "kind": "model", "source": "huggingface", "file": f, "line": 1, "call": "c", "revision": None,
             "pin": "none", "flags": [], "provider": None, "detail": {}, "facts": None, "locked": None}
            for i, f in enumerate(["src/app.py", "tools/x.py", "src/app.py"])
        ],
    }
    engine = CountingEngine(modules)
    findings = distinct.evaluate_distinct(engine, document, modules)
    assert engine.seen == [3]
    assert sorted(f["ref"] for f in findings if f["rule"] == "owner/missing") == [0, 2]


def test_a_changed_library_module_counts_as_a_user_policy(modules):
    changed = dict(modules)
    name = next(iter(changed))
    changed[name] += "\n# edited\n"
    assert distinct.library_only(modules)
    assert not distinct.library_only(changed)


def test_a_new_reference_field_tells_references_apart():
    """A field the contract does not name (say a future `scope`) is part of what a reference is."""
    refs = [{"index": 0, "id": "a", "scope": "test"}, {"index": 1, "id": "a", "scope": "prod"}, {"index": 2, "id": "a", "scope": "prod", "file": "b"}]
    small, groups = distinct.compact({"references": refs})
    assert groups == [[0], [1, 2]]
    assert [r["index"] for r in small["references"]] == [0, 1]


# The contract, checked on the library's source (tests excluded).
_FIELD = r"(file|line|column|cell)"
# `f` (a finding: main.rego passes a file finding's place on) and `u` (an input.unread entry,
# scan.rego) are not references; every other receiver is read as one.
_NOT_A_REFERENCE = r"(?<!\bf)(?<!\bu)"
_LOCATION_READ = re.compile(rf"{_NOT_A_REFERENCE}\.{_FIELD}\b|\[\s*\"{_FIELD}\"\s*\]|object\.get\((?![fu]\s*,)[^,]+,\s*\"{_FIELD}\"")
_REFERENCES = re.compile(r"input\.references\b(.{0,1})")


def _library_sources(modules):
    for name, source in modules.items():
        code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
        yield name, code


def test_the_library_reads_no_location_field(modules):
    offending = [(name, m.group(0)) for name, code in _library_sources(modules) for m in _LOCATION_READ.finditer(code)]
    assert offending == [], "a library rule reads where a reference is: remove the field from distinct.LOCATION_FIELDS"


def test_the_library_judges_each_reference_on_its_own(modules):
    """Only `some r in input.references` (one reference at a time), or the whole list handed to
    main.rego's decide, which keys by index; never count(input.references) or input.references[i]."""
    uses = []
    for name, code in _library_sources(modules):
        for m in _REFERENCES.finditer(code):
            before = code[max(0, m.start() - 12) : m.start()]
            if re.search(r"some \w+ in $", before) or (name == "rego/aiospo/main/main.rego" and m.group(1) == ","):
                continue
            uses.append((name, before + m.group(0)))
    assert uses == []
