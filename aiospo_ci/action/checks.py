"""Annotations through the Checks API: one check run per invocation, 50 annotations per
request (GitHub's limit; each PATCH appends), summary and text within 65,535 characters.

The check run is created already `completed` with its conclusion, then the remaining
annotations are appended: if a later request fails, the run never hangs `in_progress`, and
the caller knows how many annotations GitHub took so it can send the rest as workflow commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiospo_ci.action.github_api import describe, is_api_error
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
    sent: int = 0  # annotations GitHub accepted
    skipped: int = 0  # over MAX_ANNOTATIONS, or about the run rather than a line
    error: str | None = None
    requests: int = 0


def publish(
    repo: Any,
    sha: str,
    items: Sequence[Annotation],
    *,
    conclusion: str,
    title: str,
    summary: str,
    text: str,
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
        run = repo.create_check_run(
            name=CHECK_NAME,
            head_sha=sha,
            status="completed",
            conclusion=conclusion,
            output={**output, "annotations": batches[0]},
        )
        outcome.requests += 1
        outcome.check_run_id = run.id
        outcome.sent += len(batches[0])
        for batch in batches[1:]:
            run.edit(output={**output, "annotations": batch})
            outcome.requests += 1
            outcome.sent += len(batch)
    except Exception as exc:
        if not is_api_error(exc):
            raise
        outcome.error = redact(describe(exc))
    return outcome
