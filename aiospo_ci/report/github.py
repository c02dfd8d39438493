"""GitHub workflow commands: `::error file=F,line=L,title=T::message` lines for the job log.

GitHub turns these lines into annotations when the Checks API cannot be used (a fork's
read-only token). Everything from the scanned tree (file names, model ids, messages) is data:
it is escaped as actions/toolkit does, so a hostile name can neither end the command early nor
start a new one on the next line; secrets are redacted before escaping and other control
characters are written as visible escapes (\x1b), never raw into the log. GitHub shows at most 10 error and 10 warning annotations per
step from these commands (50 per job); the full list is always in the job summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiospo_ci.model import CheckResult, Finding
from aiospo_ci.report.interface import Report
from aiospo_ci.report.text import one_line
from aiospo_ci.secrets import redact

#: Finding severity -> workflow command (and the Checks API level it stands for).
COMMANDS = {"deny": "error", "warn": "warning", "info": "notice"}
#: GitHub's per-step display limits for annotations made from workflow commands.
STEP_LIMITS = {"error": 10, "warning": 10}


def percent_data(value: str) -> str:
    """actions/toolkit `escapeData`: what the runner decodes in a command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def percent_property(value: str) -> str:
    """actions/toolkit `escapeProperty`: also `:` and `,`, which end a property value."""
    return percent_data(value).replace(":", "%3A").replace(",", "%2C")


def escape_data(value: str) -> str:
    """The message part of a command: redacted, percent-escaped, control characters visible."""
    return one_line(percent_data(redact(value)))


def escape_property(value: str) -> str:
    """A property value: redacted, percent-escaped, control characters visible."""
    return one_line(percent_property(redact(value)))


def command(name: str, message: str, properties: dict[str, object] | None = None) -> str:
    """One workflow command line, properties in a fixed order, empty values left out."""
    props = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in (properties or {}).items() if value not in (None, "")
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


@dataclass(frozen=True)
class Annotation:
    """One annotation, independent of how it is delivered (Checks API or workflow command)."""

    path: str | None  # None: about the run, not a line
    line: int
    severity: str  # deny|warn|info
    title: str
    message: str
    column: int | None = None
    ref: int | None = None  # the finding's index into the references

    @property
    def command(self) -> str:
        return COMMANDS[self.severity]


def finding_title(result: CheckResult, finding: Finding) -> str:
    meta = result.rules.get(finding.rule) or {}
    title = finding.title or meta.get("title") or ""
    return f"{title} ({finding.rule})" if title else finding.rule


def annotations_of(result: CheckResult) -> list[Annotation]:
    """The findings that count as annotations, in the findings' (sorted) order. Waived and
    baselined findings are not annotated: they are listed as such in the summary and the PR
    comment."""
    out = []
    for finding in result.findings:
        if not finding.counted:
            continue
        ref = result.scan.references[finding.ref] if finding.ref is not None else None
        message = finding.message
        if ref is not None:
            message = f"{message} [{ref.kind} {ref.id}]"
        path, line, column = result.location(finding)
        out.append(
            Annotation(
                path=path,
                line=max(1, line or 1),
                column=column,
                severity=finding.severity,
                title=finding_title(result, finding),
                message=message,
                ref=finding.ref,
            )
        )
    return out


def annotation_command(annotation: Annotation) -> str:
    props: dict[str, object] = {}
    if annotation.path:
        props["file"] = annotation.path
        props["line"] = annotation.line
        props["endLine"] = annotation.line
        if annotation.column:
            props["col"] = annotation.column  # only valid on a single line, which this is
    props["title"] = annotation.title
    return command(annotation.command, annotation.message, props)


def limit_note(items: list[Annotation]) -> str:
    """The sentence telling the reader that GitHub may drop some of these annotations."""
    counts = {name: sum(1 for a in items if a.command == name) for name in STEP_LIMITS}
    over = [f"{counts[name]} {name}s" for name in STEP_LIMITS if counts[name] > STEP_LIMITS[name]]
    note = "GitHub shows at most 10 errors and 10 warnings per step from workflow commands (50 per job)"
    if not over:
        return note + "; every finding is also in the job summary."
    return f"{note}; this run has {' and '.join(over)}, so some will not appear on the diff. Every finding is in the job summary."


class GithubReport(Report):
    """Workflow commands, one per unwaived finding (the `--format github` view)."""

    name = "github"

    def render_check(self, result: CheckResult) -> str:
        items = annotations_of(result)
        lines = [annotation_command(a) for a in items]
        if items:
            lines.append(command("notice", limit_note(items), {"title": "aiospo-ci"}))
        if result.scan.skipped_note():
            lines.append(command("notice", result.scan.skipped_note() or "", {"title": "aiospo-ci: folders skipped"}))
        return "\n".join(lines) + ("\n" if lines else "")
