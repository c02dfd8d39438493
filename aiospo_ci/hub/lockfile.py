"""`aiospo.lock`: the Hub facts that were vetted, committed beside the code.

JSON with sorted keys and one entry per referenced (kind, id, revision), sorted, so that a
change upstream shows as a small readable diff. It records what a policy judged at vetting
time (resolved commit, license, access, weight formats, lineage, datasets) and leaves out what
changes every day (downloads, likes, day counts). Offline it is the source of facts (origin
'lockfile'); online each reference carries its entry as `locked`, so the drift rules in Rego
can compare it with the Hub today.

A lockfile is committed, so a pull request can edit it: every entry is checked against the
facts schema on load (only the recorded fields, each of its type, a status among LOCKABLE),
and a lockfile that fails stops the run naming the file. Only definite answers are recorded:
an error, an unknown, or a gated repository the token could not read is never written down as
vetted (`aiospo-ci lock` refuses instead).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aiospo_ci.errors import AiospoError, ConfigError
from aiospo_ci.hub.interface import FactsKey, key_order
from aiospo_ci.hub.validate import entry_problem
from aiospo_ci.model import HubFacts

LOCK_VERSION = 1
#: The statuses a lock entry may record: what the Hub said about the repository itself.
LOCKABLE = frozenset({"ok", "not_found", "disabled"})
# The HubFacts fields a lock entry records (besides kind, id and revision).
LOCKED_FIELDS = (
    "status",
    "canonical_id",
    "sha",
    "revision_kind",
    "revision_status",
    "resolved_commit",
    "license",
    "license_name",
    "license_link",
    "gated",
    "private",
    "disabled",
    "last_modified",
    "created_at",
    "library",
    "pipeline_tag",
    "has_safetensors",
    "has_pickle",
    "has_gguf",
    "has_onnx",
    "has_custom_code",
    "security_status",
    "card_present",
    "datasets",
    "dataset_facts",
    "base_models",
    "lineage",
)
HEADER = "Written by `aiospo-ci lock`: the Hub facts vetted for each referenced model. Commit it; regenerate to accept upstream changes."


def entry_for(key: FactsKey, facts: HubFacts) -> dict[str, Any]:
    data = facts.to_dict()
    entry = {name: data[name] for name in LOCKED_FIELDS}
    entry.update(kind=key.kind, id=key.id, revision=key.revision)
    return entry


def render(entries: Iterable[dict[str, Any]]) -> str:
    ordered = sorted(entries, key=lambda e: key_order(FactsKey(e["kind"], e["id"], e["revision"])))
    doc = {"aiospo_lock_version": LOCK_VERSION, "comment": HEADER, "entries": ordered}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_lock(path: Path, facts_by_key: Mapping[FactsKey, HubFacts]) -> Path:
    """Write the lock atomically; same facts give the same bytes."""
    text = render(entry_for(k, f) for k, f in facts_by_key.items())
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".aiospo.lock.", dir=path.parent)
    except OSError as exc:
        raise AiospoError(f"{path}: cannot write the lockfile ({exc.strerror}); check hub.lockfile and the folder's permissions.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        # mkstemp makes the file private (0600); a lockfile is committed and read by CI
        # containers running as other users, so give it the usual mode under the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_lock(path: Path) -> dict[FactsKey, dict[str, Any]]:
    """Entries by key; an absent file is an empty lock. A broken file stops the run (exit 2):
    silently ignoring it would hide drift."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the lockfile ({exc}); restore it or regenerate it with `aiospo-ci lock`.") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ConfigError(
            f"{path}: the lockfile is not valid JSON (line {getattr(exc, 'lineno', '?')}); "
            "restore it from version control or regenerate it with `aiospo-ci lock`."
        ) from None
    if not isinstance(doc, dict) or doc.get("aiospo_lock_version") != LOCK_VERSION:
        raise ConfigError(
            f"{path}: key aiospo_lock_version must be {LOCK_VERSION}; regenerate the lockfile with `aiospo-ci lock`."
        )
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: key entries must be a list; regenerate the lockfile with `aiospo-ci lock`.")
    out: dict[FactsKey, dict[str, Any]] = {}
    for i, entry in enumerate(entries):
        problem = entry_problem(entry, LOCKED_FIELDS, LOCKABLE)
        if problem:
            about = f" ({entry['id']})" if isinstance(entry, dict) and isinstance(entry.get("id"), str) else ""
            raise ConfigError(
                f"{path}: entries[{i}]{about} does not hold facts aiospo-ci records ({problem}); "
                "restore the lockfile from version control or regenerate it with `aiospo-ci lock`."
            )
        out[FactsKey(entry["kind"], entry["id"], entry["revision"])] = entry
    return out


def facts_from_entry(entry: Mapping[str, Any]) -> HubFacts:
    """The facts a lock entry records, as HubFacts with origin 'lockfile' (the rest None)."""
    data = {k: entry.get(k) for k in LOCKED_FIELDS if k in entry}
    data.update(id=entry["id"], kind=entry["kind"], revision=entry.get("revision"), origin="lockfile")
    return HubFacts.from_dict(data)  # read_lock checked the entry against the schema
