"""Write the engine conformance corpus: tests/policy/corpus/*.json.

Each file is {"description", "expect": [[rule, severity, ref, waived], ...], "input"}: one policy
input document as the pipeline builds it (references from ModelReference.to_dict, facts from
HubFacts.to_dict) and findings that must be among the decision. The conformance test checks
that every shipped engine and OPA reach the same decision on every document, that each expectation holds,
and that together the documents fire every rule in the library.

Run `python tests/policy/make_corpus.py` after changing a case; commit the JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aiospo_ci.model import Ancestor, DatasetFacts, HubFacts, ModelReference

HERE = Path(__file__).resolve().parent / "corpus"
TODAY = "2026-11-26"
SHA = "a" * 40
HEAD = "b" * 40


def facts(id: str, **kw: Any) -> dict[str, Any]:
    base = dict(
        id=id, canonical_id=id, sha=HEAD, license="apache-2.0", gated="false", private=False, disabled=False,
        last_modified="2026-10-01T00:00:00.000Z", days_since_modified=56, downloads=1000, likes=10,
        has_safetensors=True, has_pickle=False, has_custom_code=False, security_status="safe", card_present=True,
        datasets=("org/data",),
    )
    base.update(kw)
    for name in ("datasets", "base_models"):
        base[name] = tuple(base.get(name) or ())
    base["lineage"] = tuple(Ancestor(**a) for a in base.get("lineage") or ())
    base["dataset_facts"] = tuple(DatasetFacts(**d) for d in base.get("dataset_facts") or ())
    return HubFacts(**base).to_dict()


def ref(id: str, *, facts_: dict | None = None, locked: dict | None = None, **kw: Any) -> dict[str, Any]:
    kw.setdefault("file", "src/app.py")
    kw.setdefault("line", 10)
    kw.setdefault("call", "transformers.AutoModel.from_pretrained")
    if "revision" not in kw:
        kw["revision"] = SHA
        kw.setdefault("pin", "commit")
    kw["flags"] = tuple(sorted(kw.get("flags", ())))
    kw["detail"] = tuple(sorted((kw.get("detail") or {}).items()))
    scope = kw.pop("scope", "runtime")
    d = ModelReference(id=id, **kw).to_dict()
    d["scope"] = scope
    d["facts"] = facts_
    d["locked"] = locked
    return d


def hub(id: str, *, locked: dict | None = None, ref_kw: dict | None = None, **fkw: Any) -> dict[str, Any]:
    return ref(id, facts_=facts(id, **fkw), locked=locked, **(ref_kw or {}))


def doc(refs: list[dict], config: dict | None = None, today: str = TODAY, unread: list[dict] | None = None) -> dict[str, Any]:
    for i, r in enumerate(refs):
        r["index"] = i
    document = {"schema_version": 1, "today": today, "config": config or {}, "references": refs}
    if unread is not None:
        document["unread"] = unread
    return document


CASES: dict[str, tuple[str, dict, list]] = {}


def case(name: str, description: str, document: dict, expect: list) -> None:
    CASES[name] = (description, document, expect)


case("01_clean", "a pinned, permissive, maintained model: no findings", doc([hub("org/clean")]), [])
case("02_unpinned", "no revision: pinning/none denies", doc([hub("org/m", ref_kw={"revision": None, "pin": "none"})]), [["pinning/none", "deny", 0, False]])
case("03_branch", "revision='main': pinning/mutable warns", doc([hub("org/m", ref_kw={"revision": "main", "pin": "mutable"}, resolved_commit=HEAD)]), [["pinning/mutable", "warn", 0, False]])
case("04_pinning_config", "pinning levels from the configuration",
     doc([hub("org/a", ref_kw={"revision": "v1", "pin": "mutable"}), hub("org/b")], {"pinning": {"mutable": "deny", "commit": "info"}}),
     [["pinning/mutable", "deny", 0, False], ["pinning/commit", "info", 1, False]])
case("05_revision_missing", "a revision the Hub does not have", doc([hub("org/m", ref_kw={"revision": "v9", "pin": "mutable"}, revision_status="not_found")]),
     [["pinning/revision-not-found", "deny", 0, False], ["pinning/mutable", "warn", 0, False]])
case("06_license_matrix", "every license category under commercial use",
     doc([hub("a/mit", license="mit"), hub("a/lgpl", license="lgpl-3.0"), hub("a/gpl", license="gpl-3.0"), hub("a/nc", license="cc-by-nc-4.0"),
          hub("a/rail", license="creativeml-openrail-m"), hub("a/llama", license="llama3.1", gated="manual"), hub("a/none", license=None)]),
     [["license/category", "warn", 1, False], ["license/category", "warn", 2, False], ["license/category", "deny", 3, False],
      ["license/category", "warn", 4, False], ["license/category", "warn", 5, False], ["license/category", "deny", 6, False]])
case("07_research_use", "non-commercial passes for research",
     doc([hub("a/nc", license="cc-by-nc-4.0"), hub("a/gpl", license="gpl-3.0")], {"intended_use": "research"}),
     [["license/category", "info", 0, False], ["license/category", "info", 1, False]])
case("08_internal_use", "internal use: copyleft noted, non-commercial still denied",
     doc([hub("a/nc", license="cc-by-nc-sa-4.0"), hub("a/agpl", license="agpl-3.0")], {"intended_use": "internal"}),
     [["license/category", "deny", 0, False], ["license/category", "info", 1, False]])
case("09_other_licenses", "`other` judged by name and link, never permissive",
     doc([hub("b/flux", license="other", license_name="flux-1-dev-non-commercial-license"),
          hub("b/x", license="other", license_name="apache-2.0"),
          hub("b/mrl", license="other", license_name=None, license_link="https://mistral.ai/licenses/MRL-0.1.md"),
          hub("b/unknown", license="other", license_name="acme-model-license")]),
     [["license/category", "deny", 0, False], ["license/category", "deny", 1, False], ["license/category", "deny", 2, False], ["license/category", "deny", 3, False]])
case("10_license_lists", "explicit allow, warn and deny ids",
     doc([hub("c/mit", license="mit"), hub("c/nc", license="cc-by-nc-4.0"), hub("c/apache", license="apache-2.0")],
         {"licenses": {"deny": ["mit"], "allow": ["cc-by-nc-4.0"], "warn": ["Apache-2.0"]}}),
     [["license/denied-id", "deny", 0, False], ["license/warned-id", "warn", 2, False]])
case("11_category_config", "category actions from the configuration",
     doc([hub("d/llama", license="llama3.3"), hub("d/gemma", license="gemma")], {"licenses": {"categories": {"community": "deny"}}}),
     [["license/category", "deny", 0, False], ["license/category", "deny", 1, False]])
case("12_no_derivatives", "cc-by-nd warns, its no-derivatives clause in the message", doc([hub("e/nd", license="cc-by-nd-4.0")]),
     [["license/category", "warn", 0, False]])
case("13_inheritance", "apache-2.0 fine-tune of a Llama model",
     doc([hub("f/ft", license="apache-2.0", base_models=("meta-llama/Llama-3.1-8B",),
              lineage=[{"id": "meta-llama/Llama-3.1-8B", "depth": 1, "license": "llama3.1", "license_name": None, "status": "ok"}])]),
     [["license/inheritance", "warn", 0, False]])
case("14_inheritance_deep", "a grandparent's non-commercial license binds",
     doc([hub("f/ft2", license="llama3.1", lineage=[
         {"id": "f/mid", "depth": 1, "license": "llama3.1", "license_name": None, "status": "ok"},
         {"id": "f/root", "depth": 2, "license": "cc-by-nc-4.0", "license_name": None, "status": "ok"}])], {"licenses": {"inheritance": "deny"}}),
     [["license/inheritance", "deny", 0, False]])
case("15_datasets", "undeclared datasets of a fine-tuned base (not of a model used as it is) and a non-commercial training set",
     doc([hub("g/nodata", datasets=(), ref_kw={"call": "yaml:base_model"}), hub("g/as-is", datasets=()), hub("g/nc-data", datasets=("g/d",), dataset_facts=[{"id": "g/d", "license": "cc-by-nc-4.0", "status": "ok"}])]),
     [["provenance/undeclared-datasets", "info", 0, False], ["provenance/dataset-license", "warn", 2, False]])
case("16_stale", "no commit for 1,500 days, however popular; a finished model at 1,000 days and an old dataset pass",
     doc([hub("h/old", days_since_modified=1500, downloads=90000000, likes=5000), hub("h/finished", days_since_modified=1000),
          hub("h/data", kind="dataset", days_since_modified=3000, ref_kw={"kind": "dataset"})]), [["maintenance/stale", "warn", 0, False]])
case("17_stale_limit", "a tighter maintenance limit",
     doc([hub("h/m", days_since_modified=100)], {"vetting": {"max_days_since_modified": 90, "unmaintained": "deny"}}), [["maintenance/stale", "deny", 0, False]])
case("18_no_card", "no model card", doc([hub("h/nocard", card_present=False)]), [["maintenance/missing-card", "warn", 0, False]])
case("19_not_found", "a deleted model",
     doc([ref("i/gone", facts_=HubFacts(id="i/gone", status="not_found", error="404 Repository Not Found").to_dict())]), [["access/not-found", "deny", 0, False]])
case("20_disabled", "a disabled repository",
     doc([ref("i/off", facts_=HubFacts(id="i/off", status="disabled").to_dict())]), [["access/disabled", "deny", 0, False]])
case("21_gated", "gated models with and without a recorded approval",
     doc([hub("j/gated", gated="manual"), hub("j/approved", gated="manual"), ref("j/noaccess", facts_=HubFacts(id="j/noaccess", status="gated").to_dict())],
         {"approved_models": [{"id": "j/approved", "owner": "ml", "gated_approval": True}, {"id": "j/gated"}, {"id": "j/noaccess"}]}),
     [["access/gated-unapproved", "warn", 0, False], ["license/category", "deny", 2, False]])
case("22_hub_error_unknown", "Hub errors and unknown facts are judged, not dropped",
     doc([ref("k/err", facts_=HubFacts(id="k/err", status="error", error="the Hub answered 503 twice").to_dict()),
          ref("k/unk", facts_=HubFacts(id="k/unk", status="unknown", origin="none").to_dict())], {"vetting": {"hub_error": "deny"}}),
     [["hub/error", "deny", 0, False], ["hub/unknown", "warn", 1, False]])
case("23_trust_remote_code", "trust_remote_code with and without custom code",
     doc([hub("l/custom", has_custom_code=True, ref_kw={"flags": ["trust_remote_code"]}),
          hub("l/plain", has_custom_code=False, ref_kw={"flags": ["trust_remote_code"]}),
          ref("./local-model", source="local", revision=None, pin="none", flags=["trust_remote_code"])]),
     [["security/trust-remote-code", "deny", 0, False], ["security/trust-remote-code-unneeded", "info", 1, False], ["security/trust-remote-code", "deny", 2, False]])
case("24_weights", "pickle-only weights, use_safetensors=False, hub scan unsafe",
     doc([hub("m/pkl", has_pickle=True, has_safetensors=False), hub("m/nosafe", ref_kw={"flags": ["use_safetensors_false"]}),
          hub("m/bad", security_status="unsafe")]),
     [["security/pickle-only", "warn", 0, False], ["security/safetensors-disabled", "warn", 1, False], ["security/hub-scan-unsafe", "deny", 2, False]])
case("25_unsafe_loads", "torch.load and pickle.load of local files",
     doc([ref("weights/model.pt", source="local", revision=None, pin="none", call="torch.load", flags=["unsafe_torch_load"]),
          ref("weights/clf.pkl", source="local", revision=None, pin="none", call="pickle.load", flags=["pickle_load"])], {"vetting": {"unsafe_load": "deny"}}),
     [["security/unsafe-torch-load", "deny", 0, False], ["security/pickle-load", "deny", 1, False]])
case("26_committed_files", "committed weight files: dangerous, unscannable, clean",
     doc([ref("models/evil.pkl", source="file", revision=None, pin="none", call="file", detail={"format": "pickle", "scan": "dangerous", "dangerous_globals": "os.system, builtins.exec"}),
          ref("models/broken.pt", source="file", revision=None, pin="none", call="file", detail={"format": "pytorch", "scan": "error"}),
          ref("models/ok.safetensors", source="file", revision=None, pin="none", call="file", detail={"format": "safetensors", "scan": "clean"})]),
     [["security/dangerous-file", "deny", 0, False], ["security/file-scan-error", "warn", 1, False]])
case("27_registry", "approved-models registry: unapproved, wrong use, overdue, relicensed",
     doc([hub("n/unlisted"), hub("n/research-only"), hub("n/overdue"), hub("n/relicensed", license="gpl-3.0"), hub("n/ok"), hub("gpt2", canonical_id="openai-community/gpt2")],
         {"unapproved": "deny", "approved_models": [
             {"id": "n/research-only", "owner": "research", "uses": ["research"]},
             {"id": "n/overdue", "owner": "platform", "review_by": "2026-06-30"},
             {"id": "n/relicensed", "owner": "legal", "license": "apache-2.0"},
             {"id": "n/o*", "owner": "platform", "review_by": "2027-06-30"},
             {"id": "openai-community/gpt2", "owner": "nlp"}]}),
     [["registry/unapproved", "deny", 0, False], ["registry/use-not-approved", "deny", 1, False], ["registry/review-overdue", "warn", 2, False],
      ["registry/license-changed", "warn", 3, False]])
case("28_deprecations", "a model before and after its sunset",
     doc([hub("o/old-v1"), hub("o/older-v0"), ref("gpt-3.5-turbo", source="api", provider="openai", revision=None, pin="none", call="openai.chat.completions.create")],
         {"deprecations": [{"id": "o/old-*", "sunset": "2027-03-31", "replacement": "o/new-v2", "reason": "superseded"},
                           {"id": "o/older-v0", "sunset": "2026-11-26", "replacement": "o/new-v2"},
                           {"id": "gpt-3.5*", "sunset": "2025-01-01"}]}),
     [["deprecation/upcoming", "warn", 0, False], ["deprecation/sunset", "deny", 1, False], ["deprecation/sunset", "deny", 2, False]])
case("29_api_models", "hosted API models against approved providers and names",
     doc([ref("gpt-4o-mini", source="api", provider="openai", revision=None, pin="none", call="openai.chat.completions.create"),
          ref("claude-3-opus", source="api", provider="anthropic", revision=None, pin="none", call="anthropic.messages.create"),
          ref("gpt-3.5-turbo", source="api", provider="openai", revision=None, pin="none", call="openai.chat.completions.create")],
         {"api_models": {"providers": ["openai"], "models": ["gpt-4o*", "claude-3-5-*"], "unapproved": "deny"}}),
     [["api/unapproved-provider", "deny", 1, False], ["api/unapproved-model", "deny", 1, False], ["api/unapproved-model", "deny", 2, False]])
LOCKED = {"kind": "model", "id": "p/m", "revision": None, "status": "ok", "sha": HEAD, "resolved_commit": None, "license": "apache-2.0", "gated": "false"}
case("30_drift", "license and commit changed since aiospo.lock",
     doc([hub("p/m", license="gpl-3.0", sha="c" * 40, locked=LOCKED, ref_kw={"revision": None, "pin": "none"}),
          hub("p/same", locked=dict(LOCKED, id="p/same"))]),
     [["drift/license", "warn", 0, False], ["drift/commit", "warn", 0, False], ["license/category", "warn", 0, False]])
case("31_unresolved", "a model name built at run time",
     doc([ref("os.environ['MODEL_NAME']", source="unresolved", revision=None, pin="none")]), [["scan/unresolved", "info", 0, False]])
WAIVE = {"model": "q/*", "rule": "license/*", "justification": "evaluation only, legal ticket LEGAL-42", "approver": "ospo@example.com", "expires": "2027-01-31"}
case("32_waivers", "active, expired and invalid waivers",
     doc([hub("q/nc", license="cc-by-nc-4.0"), hub("r/nc", license="cc-by-nc-4.0", ref_kw={"revision": None, "pin": "none"})],
         {"waivers": [WAIVE, dict(WAIVE, model="r/nc", rule="pinning/none", expires="2026-11-01"),
                      dict(WAIVE, model="gone/*", expires="2025-01-01"), dict(WAIVE, model="r/*", justification=" ")]}),
     [["license/category", "deny", 0, True], ["license/category", "deny", 1, False], ["pinning/none", "deny", 1, False],
      ["waiver/expired", "info", 1, False], ["waiver/expired", "info", None, False], ["waiver/invalid", "deny", None, False]])
case("33_renamed", "a renamed repo is named by both ids and waived by its new id",
     doc([hub("bert-base-uncased", canonical_id="google-bert/bert-base-uncased", ref_kw={"revision": "main", "pin": "mutable"})],
         {"waivers": [{"model": "google-bert/*", "rule": "pinning/*", "justification": "tracked in OSPO-7", "expires": "2026-12-31"}]}),
     [["pinning/mutable", "warn", 0, True]])
case("34_kitchen_sink", "many references, many rules, one query",
     doc([hub(f"s/m{i}", license=lic, days_since_modified=days, ref_kw={"revision": None, "pin": "none"} if i % 3 == 0 else None)
          for i, (lic, days) in enumerate([("mit", 10), ("llama2", 800), ("gpl-2.0", 30), (None, 5), ("openrail++", 400), ("bsd-3-clause", 1), ("cc-by-sa-4.0", 2000)])]
         + [ref("./ckpt", source="local", revision=None, pin="none")], {"intended_use": "internal", "fail_on": "warn"}),
     [["pinning/none", "deny", 0, False], ["license/category", "warn", 1, False], ["maintenance/stale", "warn", 6, False], ["license/category", "deny", 3, False]])
case("35_empty", "no references at all", doc([]), [])
case("36_overlaps", "overlapping deprecations, registry entries and waivers: the first in configuration order applies",
     doc([hub("o/old-v1")], {
         "deprecations": [{"id": "o/old-v1", "sunset": "2025-01-01", "replacement": "o/new"}, {"id": "o/old-*", "sunset": "2027-01-01"}],
         "approved_models": [{"id": "o/*", "owner": "a", "review_by": "2020-01-01"}, {"id": "o/old-v1", "owner": "b", "review_by": "2026-01-01"}],
         "waivers": [{"model": "o/*", "rule": "deprecation/*", "justification": "migration planned, OSPO-9", "expires": "2030-01-01"},
                     {"model": "o/old-v1", "rule": "*", "justification": "second", "expires": "2030-01-01"}]}),
     [["deprecation/sunset", "deny", 0, True], ["registry/review-overdue", "warn", 0, True]])
case("42_unread", "files not read in full, load arguments that cannot be resolved, a pickle with unknown imports",
     doc([hub("u/m", ref_kw={"revision": None, "pin": "mutable", "flags": ("revision_unresolved", "trust_remote_code_unresolved"),
                             "detail": {"revision_expression": "REVISION", "trust_remote_code_expression": "args.trust_remote_code"}}),
          ref("weights/model.pkl", source="file", call="file", file="weights/model.pkl", line=1, revision=None, pin="none",
              detail={"format": "pickle", "scan": "suspicious", "suspicious_globals": "sklearn.linear_model._logistic.LogisticRegression"})],
         unread=[{"file": "notebooks/train.ipynb", "reason": "cell 3: line 2 is not valid Python 3.11 (invalid syntax) and may name a model; "
                                                            "the rest of the file was read", "cause": "parse", "line": None},
                 {"file": "src/generated.py", "reason": "the scan stopped: it took longer than 10 seconds", "cause": "budget", "line": None},
                 {"file": "weights/big.bin", "reason": "a weight file of 300000000 bytes, above the 268435456-byte scan limit: its content "
                                                       "was not checked", "cause": "weights-too-large", "line": None}]),
     [["scan/unreadable", "deny", None, False], ["scan/unresolved-argument", "warn", 0, False], ["scan/suspicious-file", "warn", 1, False]])
case("43_metric", "an evaluation module (evaluate.load) is listed, not judged as a model: no findings",
     doc([ref("accuracy", kind="metric", call="evaluate.load", revision=None, pin="none")]), [])

case("37_scopes", "pinning and maintenance relax outside runtime; licenses and security do not; by_scope overrides",
     doc([hub("t/unpinned", ref_kw={"revision": None, "pin": "none", "scope": "test", "file": "tests/test_app.py"}),
          hub("t/branch", ref_kw={"revision": "main", "pin": "mutable", "scope": "example", "file": "examples/demo.py"}),
          hub("t/old", days_since_modified=4000, card_present=False, ref_kw={"scope": "notebook", "file": "nb/explore.ipynb"}),
          hub("t/nc", license="cc-by-nc-4.0", ref_kw={"scope": "docs", "file": "docs/usage.py"}),
          hub("t/remote", has_custom_code=True, ref_kw={"flags": ["trust_remote_code"], "scope": "script", "file": "scripts/convert.py"}),
          hub("t/strict", ref_kw={"revision": None, "pin": "none", "scope": "notebook", "file": "nb/strict.ipynb"})],
         {"by_scope": {"notebook": {"pinning": {"none": "warn"}}}}),
     [["pinning/none", "info", 0, False], ["license/category", "deny", 3, False], ["security/trust-remote-code", "deny", 4, False],
      ["pinning/none", "warn", 5, False]])
case("38_held_back", "a license-denied model keeps its denials; its warnings come back under a waiver",
     doc([hub("u/nc", license="cc-by-nc-4.0", has_pickle=True, has_safetensors=False, days_since_modified=2000, ref_kw={"revision": None, "pin": "none"}),
          hub("u/kept", license="cc-by-nc-4.0", has_pickle=True, has_safetensors=False)],
         {"waivers": [{"model": "u/kept", "rule": "license/*", "justification": "research prototype, LEGAL-7", "expires": "2027-06-30"}]}),
     [["license/category", "deny", 0, False], ["pinning/none", "deny", 0, False], ["license/category", "deny", 1, True],
      ["security/pickle-only", "warn", 1, False]])
case("39_datasets_pinning", "unpinned datasets warn, branch-pinned datasets are noted, configurable apart from models",
     doc([hub("v/data", kind="dataset", ref_kw={"kind": "dataset", "revision": None, "pin": "none", "call": "datasets.load_dataset"}),
          hub("v/branch", kind="dataset", ref_kw={"kind": "dataset", "revision": "main", "pin": "mutable", "call": "datasets.load_dataset"}),
          hub("v/model", ref_kw={"revision": None, "pin": "none"})], {"pinning": {"none": "warn"}}),
     [["pinning/none", "warn", 0, False], ["pinning/mutable", "info", 1, False], ["pinning/none", "warn", 2, False]])
case("40_obligations_allowed", "an allowed community license gets its obligations as a note",
     doc([hub("w/gemma", license="gemma"), hub("w/cuda", license="c-uda", kind="dataset", ref_kw={"kind": "dataset"})],
         {"licenses": {"allow": ["gemma"]}}),
     [["license/obligations", "info", 0, False], ["license/obligations", "info", 1, False]])
BASE_CONFIG = {"licenses": {"categories": {"copyleft": "deny"}}, "config_changed": "deny"}
HEAD_CONFIG = {"licenses": {"categories": {"copyleft": "allow"}}, "config_changed": "allow",
               "waivers": [{"model": "org/*", "rule": "license/*", "justification": "added by the pull request", "expires": "2027-01-31"}]}
case("41_config_changed", "a pull request relaxes the configuration it is judged by (input.run from the GitHub Action)",
     dict(doc([hub("org/m")], HEAD_CONFIG), run={"ci": True,
         "config_from": "head", "base_config": BASE_CONFIG, "head_config": HEAD_CONFIG, "changed_lock_entries": [],
         "changed_policy_files": [{"path": ".aiospo.yaml", "old_path": None, "status": "modified", "kind": "config"},
                                  {"path": "policies/org.rego", "old_path": None, "status": "deleted", "kind": "policy"}]}),
     [["config/changed", "deny", None, False]])


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for old in HERE.glob("*.json"):
        old.unlink()
    for name, (description, document, expect) in CASES.items():
        body = {"description": description, "expect": expect, "input": document}
        (HERE / f"{name}.json").write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} corpus documents to {HERE}")


if __name__ == "__main__":
    main()
