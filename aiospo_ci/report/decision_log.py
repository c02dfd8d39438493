"""One `check` as a decision-log event in OPA's shape, so the collectors, queries and dashboards
built for OPA's decision logs read aiospo-ci's decisions too.

The event (https://www.openpolicyagent.org/docs/management-decision-logs) holds `decision_id`,
`path` (the decision queried: `aiospo/main/findings`), `input` (the document the policies
judged) or, when only its hash is kept, `erased: ["/input"]` as OPA writes a masked input,
`result` (the findings), `bundles` (which policies decided, with their revisions),
`timestamp`, and `labels`: the run's context as strings (repository, commit, pull request,
verdict, and `input_sha256`, the SHA-256 of the input in canonical JSON, so a collector can
match an event to an input kept elsewhere). The schema is aiospo_ci/schemas/decision-log.schema.json.

`decision_id` and `timestamp` differ on every run by nature; everything else is a function of
the input, the policies and the labels, so the same run gives the same event otherwise.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiospo_ci import __version__
from aiospo_ci.model import CheckResult
from aiospo_ci.policy.interface import DECISION_QUERY

#: The decision the policies answer, as OPA's decision logs write a data path.
DECISION_PATH = DECISION_QUERY.removeprefix("data.").replace(".", "/")
INPUT_MODES = ("full", "hash")


def canonical_json(value: Any) -> bytes:
    """The bytes `input_sha256` is computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decision_record(
    result: CheckResult,
    document: dict[str, Any],
    *,
    verdict: str,
    labels: Mapping[str, str] | None = None,
    input_mode: str = "full",
    now: _dt.datetime | None = None,
) -> dict[str, Any]:
    """The event for one check. `verdict` is pass or fail (the exit code's meaning); `labels`
    are the run's context (repository, commit, pull_request, ...), added to aiospo-ci's own."""
    if input_mode not in INPUT_MODES:
        raise ValueError(f"input_mode {input_mode!r} is not one of {INPUT_MODES}")
    moment = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    all_labels = {k: str(v) for k, v in (labels or {}).items() if v is not None and str(v) != ""}
    all_labels.update(
        {
            "app": "aiospo-ci",
            "version": __version__,
            "verdict": verdict,
            "input_sha256": hashlib.sha256(canonical_json(document)).hexdigest(),
            # The baseline is applied after the policies decide; the result below is their decision.
            "baselined": str(sum(1 for f in result.findings if f.baselined)),
        }
    )
    record: dict[str, Any] = {
        "decision_id": str(uuid.uuid4()),
        "path": DECISION_PATH,
        "result": [{k: v for k, v in f.to_dict().items() if k != "baselined"} for f in result.findings],
        "bundles": {name: {"revision": revision} for name, revision in sorted(result.policy_revisions.items())},
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "labels": dict(sorted(all_labels.items())),
    }
    if input_mode == "full":
        record["input"] = document
    else:
        record["erased"] = ["/input"]
    return record


def render_record(record: dict[str, Any]) -> str:
    """One event as one line of JSON (OPA's console decision logger writes one per line)."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
