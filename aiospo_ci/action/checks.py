"""Annotations through the Checks API: one check run per invocation, 50 annotations per
request (GitHub's limit; each PATCH appends), summary and text within 65,535 characters.

The check run is created already `completed` with its conclusion, then the remaining
annotations are appended: if a later request fails, the run never hangs `in_progress`, and
the caller knows how many annotations GitHub took so it can send the rest as workflow commands.

Every write happens once. A PATCH is never repeated (GitHub would append its annotations a
second time): when its answer is lost (a timeout, a 5xx) the check run is read back, and its
`annotations_count` says whether the batch landed. A POST that timed out is looked up by the
`external_id` this invocation gave it before anything is concluded.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiospo_ci.action.github_api import is_api_error, kind_of
from aiospo_ci.report.github import Annotation
from aiospo_ci.secrets import redact

BATCH = 50
#: At most this many annotations (50 requests); the rest are counted in the summary.
MAX_ANNOTATIONS = 2_500
OUTPUT_LIMIT = 65_535
TITLE_LIMIT = 255
MESSAGE_LIMIT = 4_000
LEVELS = {"deny": "failure", "warn": "warning", "info": "notice"}
CHECK_NAME = "aiospo-ci"


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def to_api(annotation: Annotation) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": annotation.path,
        "start_line": annotation.line,
        "end_line": annotation.line,
        "annotation_level": LEVELS[annotation.severity],
        "title": _cut(redact(annotation.title), TITLE_LIMIT),
        "message": _cut(redact(annotation.message), MESSAGE_LIMIT),
    }
    if annotation.column:
        entry["start_column"] = entry["end_column"] = annotation.column
    return entry


def fit(text: str, limit: int = OUTPUT_LIMIT) -> str:
    """Cut to GitHub's character limit with a note saying so."""
    text = redact(text)
    if len(text) <= limit:
        return text
    note = "\n\n_… cut at GitHub's 65,535-character limit; the job summary has everything._\n"
    return text[: limit - len(note)] + note


@dataclass
class CheckOutcome:
    check_run_id: int | None = None
    sent: int = 0  # annotations GitHub holds for this check run
    skipped: int = 0  # over MAX_ANNOTATIONS, or about the run rather than a line
    error: BaseException | None = None
    requests: int = 0
    read_backs: int = 0


def _annotations_count(repo: Any, run_id: int) -> int | None:
    try:
        return int(repo.get_check_run(run_id).output.annotations_count)
    except Exception as exc:
        if not is_api_error(exc):
            raise
        return None


def _created(repo: Any, sha: str, external_id: str) -> Any | None:
    """The check run this invocation created, when its POST timed out or failed after GitHub
    took it: found by the external id only this invocation knows."""
    try:
        for run in repo.get_commit(sha).get_check_runs(check_name=CHECK_NAME):
            if run.external_id == external_id:
                return run
    except Exception as exc:
        if not is_api_error(exc):
            raise
    return None


def _landed(repo: Any, run_id: int, expected: int, waits: Sequence[float]) -> bool:
    """Whether a PATCH whose answer was lost appended its batch: read the check run back a few
    times (GitHub may still be applying it). Never send the batch again: it would be appended twice."""
    for wait in waits:
        time.sleep(wait)
        count = _annotations_count(repo, run_id)
        if count is not None and count >= expected:
            return True
    return False


def publish(
    repo: Any,
    sha: str,
    items: Sequence[Annotation],
    *,
    conclusion: str,
    title: str,
    summary: str,
    text: str,
    external_id: str,
    read_back_waits: Sequence[float] = (1.0, 2.0, 4.0),
) -> CheckOutcome:
    lined = [a for a in items if a.path]
    annotations = [to_api(a) for a in lined[:MAX_ANNOTATIONS]]
    outcome = CheckOutcome(skipped=len(items) - len(annotations))
    if outcome.skipped:
        summary += (
            f"\n\n{outcome.skipped} findings are not annotated here (about the run, not a line, or over "
            f"the {MAX_ANNOTATIONS:,} annotations this check sends); every finding is in the job summary."
        )
    output = {"title": _cut(redact(title), TITLE_LIMIT), "summary": fit(summary), "text": fit(text)}
    batches = [annotations[i : i + BATCH] for i in range(0, len(annotations), BATCH)] or [[]]
    try:
        outcome.requests += 1
        run = repo.create_check_run(
            name=CHECK_NAME,
            head_sha=sha,
            external_id=external_id,
            status="completed",
            conclusion=conclusion,
            output={**output, "annotations": batches[0]},
        )
        run_id = run.id
    except Exception as exc:
        if not is_api_error(exc):
            raise
        found = _created(repo, sha, external_id) if kind_of(exc) == "unavailable" else None
        outcome.read_backs += 1
        if found is None:
            outcome.error = exc
            return outcome
        run_id = found.id
    outcome.check_run_id = run_id
    outcome.sent = len(batches[0])
    # Appending through the run object returned by the POST (PyGithub's `edit`) would replace
    # its attributes with the answer; the id is all a later request needs.
    target = repo.get_check_run(run_id)
    for batch in batches[1:]:
        expected = outcome.sent + len(batch)
        try:
            outcome.requests += 1
            target.edit(output={**output, "annotations": batch})
        except Exception as exc:
            if not is_api_error(exc):
                raise
            outcome.read_backs += 1
            if kind_of(exc) != "unavailable" or not _landed(repo, run_id, expected, read_back_waits):
                outcome.error = exc
                return outcome
        outcome.sent = expected
    return outcome
