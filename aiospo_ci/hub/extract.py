"""Turn huggingface_hub's ModelInfo / DatasetInfo into HubFacts fields.

Pure functions over the objects the client returns (duck-typed, so this module imports nothing
from huggingface_hub). Every fact the Hub did not give stays None.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from typing import Any

# Formats that deserialise with pickle (loading one can run code).
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
# Python files in a repo that trust_remote_code would not run: scripts shipped for people.
_NOT_LOADED = re.compile(r"(^|/)(examples?|scripts?|tests?)/|(^|/)(train|test|eval|run_|setup|convert|example)[^/]*\.py$")
_HEX = re.compile(r"^[0-9a-f]+$")
_PR = re.compile(r"^refs/pr/[0-9]+$")


def iso(value: Any) -> str | None:
    """A datetime as 'YYYY-MM-DDTHH:MM:SSZ' (UTC), stable across runs and parsers."""
    if value is None:
        return None
    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_between(timestamp: str | None, today: _dt.date) -> int | None:
    if not timestamp:
        return None
    try:
        day = _dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return (today - day).days


def revision_shape(revision: str | None) -> str | None:
    """What a revision string is by its shape alone: none, commit (40 hex), pr, short_sha
    (7-39 hex) or None (a name: a branch or a tag, which only the Hub's refs can tell)."""
    if revision is None:
        return "none"
    if len(revision) == 40 and _HEX.match(revision):
        return "commit"
    if _PR.match(revision):
        return "pr"
    if 7 <= len(revision) < 40 and _HEX.match(revision):
        return "short_sha"
    return None


def _card(info: Any) -> dict[str, Any]:
    card = getattr(info, "card_data", None)
    if card is None:
        return {}
    if isinstance(card, dict):
        return card
    try:
        return card.to_dict()
    except Exception:  # noqa: BLE001 - a card the client could not read is a card without facts
        return {}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _first_str(value: Any) -> str | None:
    items = _as_list(value)
    return items[0] if items else None


def license_facts(info: Any) -> tuple[str | None, str | None, str | None]:
    """(license, license_name, license_link): card data first, then the `license:` tag."""
    card = _card(info)
    license_id = _first_str(card.get("license"))
    if license_id is None:
        for tag in getattr(info, "tags", None) or ():
            if isinstance(tag, str) and tag.startswith("license:"):
                license_id = tag[len("license:") :]
                break
    return license_id, _first_str(card.get("license_name")), _first_str(card.get("license_link"))


def base_models(info: Any) -> tuple[str, ...]:
    """Declared base models: card data `base_model` and the Hub's `baseModels`, de-duplicated."""
    found = set(_as_list(_card(info).get("base_model")))
    declared = getattr(info, "base_models", None)
    if isinstance(declared, dict):
        for model in declared.get("models") or ():
            if isinstance(model, dict) and isinstance(model.get("id"), str):
                found.add(model["id"])
    found.discard(getattr(info, "id", None))
    return tuple(sorted(found))


def datasets(info: Any) -> tuple[str, ...]:
    return tuple(sorted(set(_as_list(_card(info).get("datasets")))))


def sibling_names(info: Any) -> tuple[str, ...]:
    return tuple(sorted({s.rfilename for s in getattr(info, "siblings", None) or ()}))


def security_status(raw: Any) -> str | None:
    """The Hub's scan summary ({scansDone, filesWithIssues}) as safe|unsafe|unscanned."""
    if not isinstance(raw, dict):
        return None
    if raw.get("filesWithIssues"):
        return "unsafe"
    if raw.get("scansDone") is False:
        return "unscanned"
    return "safe"


def safetensors_size(info: Any) -> tuple[int | None, tuple[str, ...] | None]:
    """(parameter count, tensor dtypes) from the Hub's `safetensors` summary
    ({"parameters": {"BF16": 8030261248}, "total": 8030261248}); (None, None) without one."""
    summary = getattr(info, "safetensors", None)
    if summary is None:
        return None, None
    parameters = summary.get("parameters") if isinstance(summary, dict) else getattr(summary, "parameters", None)
    total = summary.get("total") if isinstance(summary, dict) else getattr(summary, "total", None)
    types = tuple(sorted(str(t) for t in parameters)) if isinstance(parameters, dict) and parameters else None
    count = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None
    return count, types


def _has_suffix(files: Iterable[str], suffixes: tuple[str, ...]) -> bool:
    return any(f.lower().endswith(suffixes) for f in files)


def _repo_fields(info: Any, files: tuple[str, ...]) -> dict[str, Any]:
    """The facts models and datasets share: identity, license, access, dates, popularity."""
    license_id, license_name, license_link = license_facts(info)
    gated = getattr(info, "gated", None)
    return dict(
        canonical_id=info.id,
        sha=getattr(info, "sha", None),
        license=license_id,
        license_name=license_name,
        license_link=license_link,
        gated=None if gated is None else str(gated).lower(),
        private=getattr(info, "private", None),
        disabled=getattr(info, "disabled", None),
        last_modified=iso(getattr(info, "last_modified", None)),
        created_at=iso(getattr(info, "created_at", None)),
        downloads=getattr(info, "downloads", None),
        likes=getattr(info, "likes", None),
        card_present=("README.md" in files) if getattr(info, "siblings", None) is not None else None,
        files=files,
    )


def model_fields(info: Any) -> dict[str, Any]:
    """HubFacts keyword arguments from a ModelInfo (status, revision truth and lineage are
    the client's business)."""
    files = sibling_names(info)
    config = getattr(info, "config", None)
    tags = getattr(info, "tags", None) or ()
    custom_code = (
        any(f.endswith(".py") and not _NOT_LOADED.search(f) for f in files)
        or (isinstance(config, dict) and bool(config.get("auto_map")))
        or "custom_code" in tags
    )
    siblings_known = getattr(info, "siblings", None) is not None
    parameter_count, tensor_types = safetensors_size(info)
    return dict(
        _repo_fields(info, files),
        library=getattr(info, "library_name", None),
        pipeline_tag=getattr(info, "pipeline_tag", None),
        parameter_count=parameter_count,
        tensor_types=tensor_types,
        has_safetensors=_has_suffix(files, (".safetensors",)) if siblings_known else None,
        has_pickle=_has_suffix(files, PICKLE_SUFFIXES) if siblings_known else None,
        has_gguf=_has_suffix(files, (".gguf",)) if siblings_known else None,
        has_onnx=_has_suffix(files, (".onnx",)) if siblings_known else None,
        has_custom_code=custom_code if siblings_known else None,
        security_status=security_status(getattr(info, "security_repo_status", None)),
        datasets=datasets(info),
        base_models=base_models(info),
    )


def dataset_fields(info: Any) -> dict[str, Any]:
    return _repo_fields(info, sibling_names(info))
