"""The mechanical fixes as pull-request review suggestions: a reviewer applies each with one click.

The fixes are `aiospo-ci fix`'s (aiospo_ci/fix/), computed from the run's references and facts on
the judged tree, which on a pull request is its head commit's (action/tree.py), and posted as one
review (`event: COMMENT`, never an approval or a request for changes) on the head commit, whose
comments hold ```suggestion blocks on the exact lines they replace.

GitHub's rules for review comments, kept here:
- a comment's lines are the head commit's (`side: RIGHT`): suggestions are made only when the
  judged files are the head's, and a file whose judged text is not the head commit's blob gets
  none rather than a suggestion on the wrong line;
- a comment must sit on lines of the pull request's diff, or GitHub refuses the whole review:
  only lines the pull request added get suggestions (action/changed.py reads them from `git diff
  base...head`, else from the API's `patch` of each file; when neither tells, none is posted);
  a fix elsewhere stays with `aiospo-ci fix`;
- a body holds at most 65,536 characters, and at most MAX_COMMENTS suggestions go in one run;
  a suggestion that would carry the value of a token this run holds is not posted at all;
- a re-run must not post a suggestion again: each carries a key (its file, the lines it replaces
  and their replacement), and a key already on the pull request on a current line is skipped. The
  review's POST is never repeated: when its answer is lost, the comments are read back.
What was not suggested, and why, is returned as notes for the summary; no failure here changes
the exit code.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiospo_ci.action.changed import AddedLines, Change
from aiospo_ci.action.git import Git
from aiospo_ci.fix.interface import Edit
from aiospo_ci.model import CheckResult
from aiospo_ci.secrets import redact

MARKER = "<!-- aiospo-ci:suggestion -->"
MAX_COMMENTS = 50
BODY_LIMIT = 65_536
_KEY = re.compile(r"<!-- aiospo-ci:suggestion-key ([0-9a-f]{16}) -->")


@dataclass(frozen=True)
class Suggestion:
    path: str
    start_line: int  # 1-based, in the head commit's file
    line: int  # last line replaced (== start_line for one line)
    original: tuple[str, ...]  # the lines replaced
    replacement: tuple[str, ...]  # the new lines, without line endings
    why: str
    occurrence: int = 0  # earlier suggestions in the file with the same lines and replacement

    @property
    def key(self) -> str:
        text = "\0".join([self.path, str(self.occurrence), *self.original, "\0", *self.replacement])
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]

    def body(self) -> str:
        longest = max((len(run) for text in self.replacement for run in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        return (
            f"{MARKER}\n<!-- aiospo-ci:suggestion-key {self.key} -->\n**aiospo-ci fix**: {self.why}\n\n{fence}suggestion\n"
            + "".join(t + "\n" for t in self.replacement)
            + f"{fence}\n"
        )

    def comment(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path, "line": self.line, "side": "RIGHT", "body": self.body()}
        if self.start_line != self.line:
            entry.update(start_line=self.start_line, start_side="RIGHT")
        return entry


def _lines(text: str) -> list[str]:
    """A file's lines as git numbers them: ended by LF only (a form feed or U+2028 ends none)."""
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def suggestions_for(path: str, old: str, new: str, edits: Sequence[Edit]) -> list[Suggestion]:
    """One suggestion per changed line, or per changed block where lines are added or removed;
    an inserted line is suggested together with the line above it (below it at the top of the
    file): a suggestion replaces lines, it cannot add between them."""
    old_lines, new_lines = _lines(old), _lines(new)
    blocks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:  # line for line: each its own suggestion, applied on its own
            blocks += [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
        elif i1 < i2:
            blocks.append((i1, i2, j1, j2))
        elif i1 > 0:  # pure insertion: take a neighbouring line along
            blocks.append((i1 - 1, i2, j1 - 1, j2))
        elif i2 < len(old_lines):
            blocks.append((i1, i2 + 1, j1, j2 + 1))
    out: list[Suggestion] = []
    for i1, i2, j1, j2 in blocks:
        original, replacement = tuple(old_lines[i1:i2]), tuple(t.removesuffix("\r") for t in new_lines[j1:j2])
        seen = sum(1 for s in out if (s.original, s.replacement) == (original, replacement))
        out.append(Suggestion(path, i1 + 1, i2, original, replacement, _why(edits, i1, i2), seen))
    return out


def _why(edits: Sequence[Edit], i1: int, i2: int) -> str:
    """What the fixes of lines i1+1..i2 do: the edits of references on those lines, else of the
    nearest reference above (a call whose closing line the fix changes)."""
    near = [e for e in edits if i1 < e.line <= i2]
    if not near:
        above = [e.line for e in edits if e.line <= i1]
        near = [e for e in edits if above and e.line == max(above)] or list(edits)
    return "; ".join(sorted({e.describe() for e in near})) or "mechanical fix"


def _added_lines(git: Git, event: Any, changes: Sequence[Change] | None, paths: list[str], pull: Any, log: Any) -> tuple[AddedLines | None, str]:
    """The lines the pull request added in `paths`: from git, else from the API; (None, why)
    when neither tells."""
    from aiospo_ci.action import changed
    from aiospo_ci.action.github_api import describe, is_api_error

    found = changed.added_from_git(git, event.base_sha or "", event.head_sha or "", paths, changes)
    if found is not None:
        return found, ""
    try:
        return changed.added_from_api(pull.get_files(), pull.changed_files, paths), ""
    except Exception as exc:
        if not is_api_error(exc):
            raise
        log.line(f"aiospo-ci: could not read the pull request's files for suggestions: {describe(exc)}")
        return None, (
            "neither `git diff base...head` (the merge base is not in the checkout: `fetch-depth: 0`) nor the pull request's "
            f"files in the API ({describe(exc)}) told which lines this pull request added"
        )


def _posted(pull: Any) -> set[str]:
    """Keys of the suggestions on the pull request that still sit on a line of its diff (an
    outdated one, whose `line` GitHub sets to null, can no longer be applied)."""
    keys = set()
    for c in pull.get_review_comments():
        found = _KEY.search(c.body or "")
        if found and MARKER in (c.body or "") and c.line is not None:
            keys.add(found.group(1))
    return keys


def post(inputs: Any, event: Any, tree: Any, git: Git, changes: Sequence[Change] | None, result: CheckResult, repo: Any, log: Any) -> list[str]:
    """Post the fixes as one review of suggestions on a pull request; notes for the summary."""
    if not inputs.suggestions or not event.is_pull_request or event.pr_number is None or not event.head_sha:
        return []
    from aiospo_ci.fix.plan import apply_edits, edits_for

    edits, _ = edits_for(result.scan.references, result.facts)
    fixes = apply_edits(tree.root, edits)
    if not fixes.changed:
        return []
    head = event.head_sha
    if not tree.lines_match or tree.commit != head:
        return [f"{len(fixes.changed)} file(s) could be fixed, but no review suggestion was posted: the judged files are not the pull request's head {head[:12]}, so their lines are not the pull request's. Run `aiospo-ci fix` on the branch."]
    if repo is None:
        return ["No github_token: the fixes were not posted as review suggestions."]
    from aiospo_ci.action.github_api import advice, describe, is_api_error, kind_of

    notes: list[str] = []
    texts = {path: pair for path, pair in fixes.changed.items() if (git.show(head, path) or b"").decode("utf-8", "replace") == pair[0]}
    if len(texts) < len(fixes.changed):
        notes.append(f"{len(fixes.changed) - len(texts)} file(s) to fix differ from the pull request's head commit as judged, so no suggestion was placed on them; run `aiospo-ci fix` on the branch.")
    if not texts:
        return notes
    pull = repo.get_pull(event.pr_number)
    added, why_unknown = _added_lines(git, event, changes, sorted(texts), pull, log)
    if added is None:
        return notes + [f"No review suggestions were posted: {why_unknown}. Run `aiospo-ci fix` to apply the fixes."]
    for path, why in sorted(added.unknown.items()):
        notes.append(f"No suggestion on {path}: {why}.")
    wanted: list[Suggestion] = []
    outside = unpostable = 0
    for path, (old, new) in sorted(texts.items()):
        if path not in added.lines:
            continue
        lines = added.lines[path]
        for s in suggestions_for(path, old, new, [e for e in fixes.applied if e.file == path]):
            if not all(n in lines for n in range(s.start_line, s.line + 1)):
                outside += 1
            elif len(s.body()) > BODY_LIMIT or redact(s.body()) != s.body():
                unpostable += 1
            else:
                wanted.append(s)
    if outside:
        notes.append(f"{outside} fix(es) touch lines this pull request did not add, where a suggestion does not belong; run `aiospo-ci fix` to apply them.")
    if unpostable:
        notes.append(
            f"{unpostable} fix(es) cannot be posted as suggestions (longer than GitHub's 65,536 characters, or holding the value of a token "
            "this run was given); run `aiospo-ci fix` to apply them."
        )
    if not wanted:
        return notes
    try:
        posted = _posted(pull)
    except Exception as exc:
        if not is_api_error(exc):
            raise
        return notes + [f"No review suggestions were posted: the pull request's review comments could not be read ({describe(exc)}), so a re-run could duplicate them."]
    fresh = [s for s in wanted if s.key not in posted]
    if len(fresh) < len(wanted):
        log.line(f"aiospo-ci: {len(wanted) - len(fresh)} suggestion(s) are on the pull request already.")
    if len(fresh) > MAX_COMMENTS:
        notes.append(f"{len(fresh) - MAX_COMMENTS} more suggestions were left out (at most {MAX_COMMENTS} per run); run `aiospo-ci fix` to apply them all.")
        fresh = fresh[:MAX_COMMENTS]
    if not fresh:
        return notes
    body = (
        f"{MARKER}\naiospo-ci can fix {len(fresh)} place(s) in this pull request mechanically "
        "(pin models to the reviewed commit, drop unneeded `trust_remote_code`, use safetensors). "
        "Apply a suggestion with one click, or run `aiospo-ci fix` locally."
    )
    try:
        review = pull.create_review(commit=repo.get_commit(head), body=body, event="COMMENT", comments=[s.comment() for s in fresh])
        log.line(f"aiospo-ci: posted {len(fresh)} fix suggestion(s) in review {review.id} on {head[:12]} (lines from {added.source}).")
    except Exception as exc:
        if not is_api_error(exc):
            raise
        # A POST whose answer was lost may have created the review: look before concluding, never resend.
        if kind_of(exc) == "unavailable" and _landed(pull, fresh):
            log.line(f"aiospo-ci: posted {len(fresh)} fix suggestion(s) on {head[:12]} (the answer was lost; read back).")
            return notes
        fork = event.head_repository if event.is_fork else None
        notes.append(
            f"The fixes could not be posted as review suggestions ({describe(exc)}). "
            + advice(exc, permission="pull-requests", fork=fork, repository=event.repository)
            + " Run `aiospo-ci fix` to apply them."
        )
    return notes


def _landed(pull: Any, suggestions: Sequence[Suggestion]) -> bool:
    from aiospo_ci.action.github_api import is_api_error

    try:
        return {s.key for s in suggestions} <= _posted(pull)
    except Exception as exc:
        if not is_api_error(exc):
            raise
        return False
