"""Which tree the Action judges, so every line it reports is a line of the commit it reports on.

A check run, its annotations and the pull request's diff all speak of the pull request's head
commit. `actions/checkout` on `pull_request` gives GitHub's test merge commit instead, whose
lines differ from the head's as soon as the base branch has moved on; on `pull_request_target`
it gives the base branch. So on a pull request the Action judges the head commit's own tree:
the workspace when it is checked out at the head, else the head's files written from git's
object store into a private folder. When the head commit is not in the checkout (a shallow
clone, or a fork's commit that `pull_request_target` never fetched) there is no truthful tree
to judge: that is no verdict (exit 2) unless the workflow opts in to judging the files as
checked out (`tree: checkout`), in which case line annotations are left out when those lines
are not the head's.

On `push` and `workflow_dispatch` the Action reports on the checked-out commit itself.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aiospo_ci.action.event import Event
from aiospo_ci.action.git import Git, GitError
from aiospo_ci.errors import AiospoError

TREES = ("head", "checkout")


@dataclass
class JudgedTree:
    root: Path  # the folder the pipeline scans
    commit: str | None  # the commit the check run and the annotations are attached to
    lines_match: bool  # the findings' lines are that commit's lines
    note: str | None = None  # what the summary should say about the choice
    scratch: Path | None = None  # a private folder to remove when the run ends
    checkout: str | None = None  # the workspace's HEAD, when it is a git checkout

    def make_private(self) -> None:
        """Judge a private copy from now on (the workspace's files without .git), so that
        changing the judged files never touches the checkout."""
        if self.scratch is not None:
            return
        scratch = Path(tempfile.mkdtemp(prefix="aiospo-ci-"))
        shutil.copytree(self.root, scratch / "tree", symlinks=True, ignore=shutil.ignore_patterns(".git"))
        self.root, self.scratch = scratch / "tree", scratch

    def close(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "none"


def materialize(git: Git, commit: str, what: str) -> tuple[Path, Path]:
    """(the commit's files in a new private folder, the folder to remove later)."""
    scratch = Path(tempfile.mkdtemp(prefix="aiospo-ci-"))
    root = scratch / "tree"
    root.mkdir()
    try:
        git.materialize(commit, root)
    except (GitError, OSError) as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise AiospoError(f"could not read {what} {_short(commit)} from the checkout ({exc}); check out with `fetch-depth: 0`.") from None
    return root, scratch


def judged_tree(workspace: Path, event: Event, mode: str, git: Git | None = None) -> JudgedTree:
    """The tree to judge for this event, or AiospoError (no verdict) when the pull request's
    own tree cannot be had and the workflow did not opt in to the checked-out one."""
    git = git or Git(workspace)
    checkout = git.head()
    if not event.is_pull_request:
        # push, workflow_dispatch, ...: the commit checked out is the one judged and annotated.
        commit = checkout or event.sha
        note = None
        if checkout and event.sha and checkout != event.sha:
            note = f"The workspace is checked out at {_short(checkout)}, not at {_short(event.sha)} that triggered the run: the check run is attached to {_short(checkout)}, whose files were judged."
        return JudgedTree(workspace, commit, True, note, checkout=checkout)

    head = event.head_sha
    if not head:
        raise AiospoError(f"the {event.name} event names no pull_request.head.sha; give the event file GitHub wrote.")
    if mode == "checkout":
        if checkout == head:
            return JudgedTree(workspace, head, True, checkout=checkout)
        where = f"commit {_short(checkout)}" if checkout else "files that are no git checkout"
        return JudgedTree(
            workspace, head, False,
            f"tree: checkout judged the workspace as checked out ({where}), not the pull request's head {_short(head)}: "
            "its line numbers are not the pull request's, so findings are not annotated on lines.",
            checkout=checkout,
        )
    if checkout == head:
        return JudgedTree(workspace, head, True, checkout=checkout)
    merge = checkout is not None and head in git.parents(checkout)
    if git.has_tree(head):
        root, scratch = materialize(git, head, "the pull request's head commit")
        how = "GitHub's test merge commit" if merge else f"commit {_short(checkout)}"
        note = f"The workspace is {how}; the pull request's head {_short(head)} was judged, so every line is a line of the pull request."
        return JudgedTree(root, head, True, note, scratch=scratch, checkout=checkout)
    if merge:
        raise AiospoError(
            f"the workspace is GitHub's test merge commit {_short(checkout)} of this pull request, but the pull request's head "
            f"{_short(head)} is not in the checkout (a shallow clone), so no finding could be placed on the pull request's lines; "
            "set `fetch-depth: 0` (or 2) on actions/checkout, or `tree: checkout` to judge the merge commit without line annotations."
        )
    if checkout is None:
        raise AiospoError(
            f"the workspace is no git checkout, so nothing shows it holds the pull request's head {_short(head)}; "
            "run actions/checkout before aiospo-ci, or set `tree: checkout` to judge the files as they are, without line annotations."
        )
    target = " (pull_request_target checks out the base branch unless told otherwise)" if event.name == "pull_request_target" else ""
    raise AiospoError(
        f"the workspace is checked out at {_short(checkout)}, which is neither the pull request's head {_short(head)} nor GitHub's merge "
        f"commit of it{target}, and the head commit is not in the checkout; check out the head as docs/action.md shows "
        "(`ref: ${{ github.event.pull_request.head.sha }}`), or set `tree: checkout` to judge the checked-out files without line annotations."
    )
