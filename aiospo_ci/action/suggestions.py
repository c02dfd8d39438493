"""The mechanical fixes as pull-request review suggestions: a reviewer applies each with one click.

The fixes are `aiospo-ci fix`'s (aiospo_ci/fix/), computed from the run's references and facts on
the files in the workspace, and posted as one review (`event: COMMENT`, never an approval or a
request for changes) whose comments hold ```suggestion blocks on the exact lines they replace.

GitHub's rules for review comments, kept here:
- a comment's lines must be in the pull request's diff: only lines the pull request added or
  changed get suggestions (a fix elsewhere stays in `aiospo-ci fix`);
- the lines are the head commit's (`side: RIGHT`): a file whose workspace text differs from the
  head commit's (the merge checkout after the base moved) gets none, rather than a suggestion
  on the wrong line;
- a body holds at most 65,536 characters, and a review with many comments is slow to create and
  to read: at most MAX_COMMENTS per run, and the summary says how many were left out;
- a re-run must not post the same suggestion twice: comments already on the pull request with
  the same marker, path, line and body are skipped.
Failures are returned as notes for the summary and never change the exit code.
"""

from __future__ import annotations

import difflib
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiospo_ci.fix.interface import Edit
from aiospo_ci.model import CheckResult

MARKER = "<!-- aiospo-ci:suggestion -->"
MAX_COMMENTS = 50
BODY_LIMIT = 65_536


@dataclass(frozen=True)
class Suggestion:
    path: str
    start_line: int  # 1-based, in the head commit's file
    line: int  # last line replaced (== start_line for one line)
    replacement: list[str]  # the new lines, without line endings
    why: str

    def body(self) -> str:
        longest = max((len(run) for text in self.replacement for run in _backtick_runs(text)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"{MARKER}\n**aiospo-ci fix**: {self.why}\n\n{fence}suggestion\n" + "".join(t + "\n" for t in self.replacement) + f"{fence}\n"

    def comment(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path, "line": self.line, "side": "RIGHT", "body": self.body()}
        if self.start_line != self.line:
            entry.update(start_line=self.start_line, start_side="RIGHT")
        return entry


def _backtick_runs(text: str) -> list[str]:
    import re

    return re.findall(r"`+", text)


def suggestions_for(path: str, old: str, new: str, edits: Sequence[Edit]) -> list[Suggestion]:
    """One suggestion per changed block of lines; an inserted line is suggested together with
    the line above it (a suggestion replaces lines, it cannot add between them)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    why = "; ".join(sorted({e.describe() for e in edits})) or "mechanical fix"
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # pure insertion: take the line above along
            if i1 == 0:
                continue
            i1, j1 = i1 - 1, j1 - 1
        out.append(Suggestion(path, i1 + 1, i2, new_lines[j1:j2], why))
    return out


def _head_text(workspace: Path, head_sha: str, path: str) -> str | None:
    try:
        shown = subprocess.run(["git", "-C", str(workspace), "show", f"{head_sha}:{path}"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return shown.stdout.decode("utf-8", "replace") if shown.returncode == 0 else None


def post(inputs: Any, repo: Any, event: Any, result: CheckResult, workspace: Path, log: Any) -> list[str]:
    """Post the fixes as one review of suggestions on a pull request; notes for the summary."""
    if not inputs.suggestions or not event.is_pull_request or event.pr_number is None or not event.head_sha:
        return []
    if repo is None:
        return ["No github_token: the fixes were not posted as review suggestions."]
    from aiospo_ci.action import changed as changed_lines
    from aiospo_ci.action.github_api import describe, is_api_error
    from aiospo_ci.fix.plan import apply_edits, edits_for

    edits, _ = edits_for(result.scan.references, result.facts)
    fixes = apply_edits(workspace, edits)
    if not fixes.changed:
        return []
    pull = repo.get_pull(event.pr_number)
    try:
        changed = changed_lines.from_git(workspace, event.base_sha, event.head_sha) if event.base_sha else None
        if changed is None:
            changed = changed_lines.from_api_files(pull.get_files())
        existing = {(c.path, c.line, c.body) for c in pull.get_review_comments() if MARKER in (c.body or "")}
    except Exception as exc:
        if not is_api_error(exc):
            raise
        return [f"The fixes were not posted as review suggestions: the pull request could not be read ({describe(exc)})."]

    wanted: list[Suggestion] = []
    outside = moved = 0
    for path, (old, new) in sorted(fixes.changed.items()):
        head = _head_text(workspace, event.head_sha, path)
        if head is None or head != old:
            moved += 1  # not the head commit's text: line numbers would not be the pull request's
            continue
        in_diff = changed.get(path, frozenset())
        for s in suggestions_for(path, old, new, [e for e in fixes.applied if e.file == path]):
            if in_diff is not None and not all(n in in_diff for n in range(s.start_line, s.line + 1)):
                outside += 1
                continue
            if len(s.body()) > BODY_LIMIT or (s.path, s.line, s.body()) in existing:
                continue
            wanted.append(s)
    notes = []
    if outside:
        notes.append(f"{outside} fix(es) touch lines this pull request did not change, so GitHub takes no suggestion there; run `aiospo-ci fix` to apply them.")
    if moved:
        notes.append(f"{moved} file(s) in the workspace differ from the pull request's head commit, so no suggestion was placed on them; run `aiospo-ci fix` on the branch.")
    if len(wanted) > MAX_COMMENTS:
        notes.append(f"{len(wanted) - MAX_COMMENTS} more suggestions were left out (at most {MAX_COMMENTS} per run); run `aiospo-ci fix` to apply them all.")
        wanted = wanted[:MAX_COMMENTS]
    if not wanted:
        return notes
    body = (
        f"{MARKER}\naiospo-ci can fix {len(wanted)} place(s) in this pull request mechanically "
        "(pin models to the reviewed commit, drop unneeded `trust_remote_code`, use safetensors). "
        "Apply a suggestion with one click, or run `aiospo-ci fix` locally."
    )
    try:
        review = pull.create_review(commit=repo.get_commit(event.head_sha), body=body, event="COMMENT", comments=[s.comment() for s in wanted])
    except Exception as exc:
        if not is_api_error(exc):
            raise
        hint = "expected for a pull request from a fork, whose token is read-only" if event.is_fork else "give the job `permissions: pull-requests: write`"
        return notes + [f"The fixes could not be posted as review suggestions ({describe(exc)}); {hint}. Run `aiospo-ci fix` to apply them."]
    log.line(f"aiospo-ci: posted {len(wanted)} fix suggestion(s) in review {review.id}.")
    return notes
