"""The data that passes between the four stages: plain, typed, frozen dataclasses.

scan  -> ModelReference (and ScanError)   one per place in the code that names a model
hub   -> HubFacts                         one per distinct (kind, id, revision) on the Hub
policy-> Finding                          one per rule that fired for a reference (or the run)

Every type has ``to_dict`` giving the JSON shape used in reports and in the policy input
document; keys and list orders are fixed so output is byte-identical across runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

# metric: an evaluation module (evaluate.load), reported but not judged as a model
Kind = Literal["model", "dataset", "metric"]
# huggingface: a Hub repo id; local: a path on disk; file: a weight file committed to the repo;
# api: a hosted model behind a provider's API (OpenAI, Anthropic, ...); unresolved: the value is
# an expression the scanner could not resolve to a string (reported, never guessed).
Source = Literal["huggingface", "local", "file", "api", "unresolved"]
Pin = Literal["commit", "mutable", "none"]
Severity = Literal["deny", "warn", "info"]

SEVERITY_ORDER = {"deny": 0, "warn": 1, "info": 2}


def _plain(value: Any) -> Any:
    """Tuples become lists so json.dumps and Rego see arrays."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ModelReference:
    """One place in the scanned tree that names a model or dataset."""

    file: str  # relative to the scanned root, '/'-separated
    line: int  # 1-based, as a person sees the file
    id: str  # Hub id, local path, file path, API model name, or the unresolved expression
    kind: Kind = "model"
    source: Source = "huggingface"
    call: str = ""  # what referenced it: 'transformers.AutoModel.from_pretrained', 'yaml:base_model'
    revision: str | None = None
    pin: Pin = "none"
    flags: tuple[str, ...] = ()  # sorted: 'trust_remote_code', 'use_safetensors_false', ...
    provider: str | None = None  # for source 'api': 'openai', 'anthropic', ...
    cell: int | None = None  # notebook cell index
    column: int | None = None  # 1-based
    detail: tuple[tuple[str, str], ...] = ()  # extra scanner facts, e.g. (('overridable_by', 'MODEL'),)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column or 0, self.call, self.id, self.kind, self.revision or "")

    def to_dict(self) -> dict[str, Any]:
        d = {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "cell": self.cell,
            "call": self.call,
            "revision": self.revision,
            "pin": self.pin,
            "flags": list(self.flags),
            "provider": self.provider,
            "detail": {k: v for k, v in self.detail},
        }
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelReference:
        return cls(
            file=d["file"],
            line=int(d["line"]),
            id=d["id"],
            kind=d.get("kind", "model"),
            source=d.get("source", "huggingface"),
            call=d.get("call", ""),
            revision=d.get("revision"),
            pin=d.get("pin", "none"),
            flags=tuple(d.get("flags", ())),
            provider=d.get("provider"),
            cell=d.get("cell"),
            column=d.get("column"),
            detail=tuple(sorted((d.get("detail") or {}).items())),
        )


@dataclass(frozen=True, order=True)
class ScanError:
    """A file that could not be read or parsed; the scan goes on."""

    file: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "reason": self.reason}


# Why a file (or part of one) was not read; the policy input's `unread[].cause`.
UNREAD_CAUSES = ("parse", "size", "budget", "crash", "encoding", "read", "weights-too-large", "weights-error")


@dataclass(frozen=True, order=True)
class Unread:
    """A file, or a part of one, that no scanner read to the end: whatever it names was not
    found, so the policies judge it (scan/unreadable) instead of the run passing in silence."""

    file: str
    cause: str  # one of UNREAD_CAUSES
    reason: str  # one sentence naming what was not read and why
    line: int | None = None  # the first line not read, when only a part was

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "reason": self.reason, "cause": self.cause, "line": self.line}


# `skipped` notes for folders left out by default start with this, so reports can count them.
SKIPPED_FOLDER = "vendored folder"


@dataclass(frozen=True)
class ScanResult:
    references: tuple[ModelReference, ...]
    files_scanned: int
    errors: tuple[ScanError, ...] = ()  # about the run, not a file's content: a path outside the root
    skipped: tuple[ScanError, ...] = ()  # vendored folders and symlinks left out, with the reason
    unread: tuple[Unread, ...] = ()  # sorted; each becomes input.unread and a scan/unreadable finding

    def skipped_folders(self) -> tuple[ScanError, ...]:
        """The folders left out by default (vendored code, virtual environments)."""
        return tuple(s for s in self.skipped if s.reason.startswith(SKIPPED_FOLDER))

    def skipped_note(self) -> str | None:
        """One sentence for every report: how many folders were left out, and which."""
        folders = self.skipped_folders()
        if not folders:
            return None
        shown = ", ".join(s.file for s in folders[:20]) + (f" and {len(folders) - 20} more" if len(folders) > 20 else "")
        return (f"{len(folders)} folder{'s' if len(folders) != 1 else ''} skipped by default (vendored code or virtual "
                f"environments, not tracked by git): {shown}; list them under `exclude` or track them to change this.")

    def to_dict(self) -> dict[str, Any]:
        return {
            "references": [r.to_dict() for r in self.references],
            "files_scanned": self.files_scanned,
            "errors": [e.to_dict() for e in self.errors],
            "skipped": [e.to_dict() for e in self.skipped],
            "unread": [u.to_dict() for u in self.unread],
        }


# Hub status values:
#   ok        the repo answered
#   not_found the repo does not exist (deleted, never existed, or private without access)
#   gated     gated and this token has no access (facts are partial)
#   disabled  the Hub disabled the repo
#   error     the Hub could not be asked (timeout, 5xx, 429, malformed answer); see `error`
#   unknown   offline and neither cache nor lockfile knows it
HubStatus = Literal["ok", "not_found", "gated", "disabled", "error", "unknown"]


@dataclass(frozen=True)
class Ancestor:
    """One model up the base_model chain, with the license it declares."""

    id: str
    depth: int  # 1 = direct base model
    license: str | None = None
    license_name: str | None = None
    status: HubStatus = "ok"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DatasetFacts:
    id: str
    license: str | None = None
    status: HubStatus = "ok"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class HubFacts:
    """What the Hub says about one repo at one revision. Every field a policy reads is here;
    a field the Hub did not give is None (the policies decide whether unknown passes)."""

    id: str  # the id as referenced in code
    kind: Kind = "model"
    status: HubStatus = "ok"
    error: str | None = None  # one sentence, never containing a token
    origin: Literal["hub", "cache", "lockfile", "none"] = "hub"
    canonical_id: str | None = None  # after redirects (renamed repos)
    sha: str | None = None  # head commit of the default branch (or of the revision asked)
    # revision truth
    revision: str | None = None
    revision_kind: str | None = None  # commit|short_sha|branch|tag|pr|none
    revision_status: str | None = None  # ok|not_found|unknown
    resolved_commit: str | None = None
    # licensing
    license: str | None = None
    license_name: str | None = None
    license_link: str | None = None
    # access
    gated: str | None = None  # 'false', 'auto', 'manual'
    private: bool | None = None
    disabled: bool | None = None
    # maintenance (kept apart from popularity on purpose)
    last_modified: str | None = None  # ISO 8601 date-time as the Hub gives it
    created_at: str | None = None
    days_since_modified: int | None = None  # computed against the run's evaluation date
    commits_last_year: int | None = None
    downloads: int | None = None
    likes: int | None = None
    library: str | None = None
    pipeline_tag: str | None = None
    # size and precision, from the Hub's safetensors metadata (None where the Hub gives none)
    parameter_count: int | None = None  # total parameters over every safetensors file
    tensor_types: tuple[str, ...] | None = None  # their dtypes, sorted: ('BF16',), ('F16', 'I8')
    # weights and safety
    has_safetensors: bool | None = None
    has_pickle: bool | None = None
    has_gguf: bool | None = None
    has_onnx: bool | None = None
    has_custom_code: bool | None = None
    security_status: str | None = None  # 'safe', 'unsafe', 'unscanned' or None when not given
    card_present: bool | None = None
    # provenance
    datasets: tuple[str, ...] = ()
    dataset_facts: tuple[DatasetFacts, ...] = ()
    base_models: tuple[str, ...] = ()
    lineage: tuple[Ancestor, ...] = ()
    files: tuple[str, ...] = ()  # sibling file names, sorted

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in ("lineage", "dataset_facts"):
                v = [x.to_dict() for x in v]
            d[f.name] = _plain(v)
        return d

    def to_document(self) -> dict[str, Any]:
        """to_dict() for the verdict documents (policy input, JSON report): a fact served from
        the cache is the Hub's answer, so its origin is `hub` there. Whether the cache was cold
        or warm is the run's business, not the verdict's (the --verbose log says it)."""
        d = self.to_dict()
        if d["origin"] == "cache":
            d["origin"] = "hub"
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HubFacts:
        known = {f.name for f in dataclasses.fields(cls)}
        kw: dict[str, Any] = {k: v for k, v in d.items() if k in known}
        for name in ("datasets", "base_models", "files"):
            kw[name] = tuple(kw.get(name) or ())
        if kw.get("tensor_types") is not None:
            kw["tensor_types"] = tuple(kw["tensor_types"])
        kw["lineage"] = tuple(Ancestor(**a) for a in (kw.get("lineage") or ()))
        kw["dataset_facts"] = tuple(DatasetFacts(**a) for a in (kw.get("dataset_facts") or ()))
        return cls(**kw)


def unknown_facts(id: str, kind: Kind = "model", reason: str = "") -> HubFacts:
    """Facts for a repo nobody could tell us about (offline, not cached, not locked)."""
    return HubFacts(id=id, kind=kind, status="unknown", origin="none", error=reason or None)


@dataclass(frozen=True, order=True)
class Finding:
    """One decision of the policies. `ref` indexes input.references (None: about the run)."""

    severity: Severity
    rule: str
    message: str
    ref: int | None = None
    waived: bool = False
    waiver: tuple[tuple[str, str], ...] | None = None  # justification, approver, expires
    title: str = ""  # from the rule's # METADATA, filled by the report stage
    file: str | None = None  # with ref None: the file the finding is about (an unread file)
    line: int | None = None
    baselined: bool = False  # recorded in the committed baseline: reported, does not fail the check

    @property
    def counted(self) -> bool:
        """Does this finding count toward the verdict (neither waived nor baselined)?"""
        return not (self.waived or self.baselined)

    @property
    def status(self) -> str:
        """What reports print for it: its severity, or waived / baselined."""
        return "waived" if self.waived else "baselined" if self.baselined else self.severity

    def to_dict(self) -> dict[str, Any]:
        d = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "ref": self.ref,
            "waived": self.waived,
            "waiver": dict(self.waiver) if self.waiver else None,
            "baselined": self.baselined,
        }
        if self.file is not None:
            d["file"], d["line"] = self.file, self.line
        return d

    def sort_key(self) -> tuple:
        return (
            self.waived,
            self.baselined,
            SEVERITY_ORDER.get(self.severity, 9),
            -1 if self.ref is None else self.ref,
            self.file or "",
            self.line or 0,
            self.rule,
            self.message,
        )


@dataclass(frozen=True)
class CheckResult:
    """Everything a report needs: the scan, the facts per reference, the decision."""

    root: str
    scan: ScanResult
    facts: tuple[HubFacts | None, ...]  # parallel to scan.references (None: not a Hub reference)
    findings: tuple[Finding, ...]
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> metadata
    warnings: tuple[str, ...] = ()  # run-level notes (fail-open Hub errors, truncations)
    scopes: tuple[str, ...] = ()  # parallel to scan.references: runtime, test, example, docs, notebook, script
    # The policy bundles that decided, name -> revision ({}: the built-in library), for reports.
    bundles: dict[str, str] = field(default_factory=dict)
    # What decision logs record as OPA does ({"bundles": {name: {"revision": ...}}}): the bundles,
    # else the library's own revision and the repository's policies' (library.bundle_revisions).
    policy_revisions: dict[str, str] = field(default_factory=dict)

    def location(self, finding: Finding) -> tuple[str | None, int | None, int | None]:
        """(file, line, column) a finding is about: its reference's place, or the file it names
        itself (scan/unreadable); (None, None, None) for a finding about the run."""
        if finding.ref is not None:
            ref = self.scan.references[finding.ref]
            return ref.file, ref.line, ref.column
        return finding.file, finding.line, None

    def counts(self) -> dict[str, int]:
        c = {"deny": 0, "warn": 0, "info": 0, "waived": 0, "baselined": 0}
        for f in self.findings:
            if f.waived:
                c["waived"] += 1
            elif f.baselined:
                c["baselined"] += 1
            else:
                c[f.severity] = c.get(f.severity, 0) + 1
        return c

    def scope_of(self, finding: Finding) -> str | None:
        """The scope of the reference a finding is about (None: about the run)."""
        if finding.ref is None:
            return None
        return self.scopes[finding.ref] if finding.ref < len(self.scopes) else "runtime"
