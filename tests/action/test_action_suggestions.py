"""Review suggestions on the reworked Action: `aiospo-ci fix`'s changes as ```suggestion blocks
on the lines a pull request added, in its head commit's numbering, against the local server's
pull-request review API (which, as GitHub does, refuses the whole review when one comment is
off the diff). Each test runs the real pipeline (offline, from the demo's aiospo.lock) on a real
git repository holding the base, the head and GitHub's merge commit, with the base branch
moved on above the change."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiospo_ci.action.suggestions import MARKER, suggestions_for
from aiospo_ci.fix.interface import Edit
from tests.action.conftest import git, make_pr_repo, pull_files

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
PHI2 = "ef382358ec9e382308935a992d908de099b64c23"
NLLB = "f8d333a098d19b4fd9a8b18f94170487ad3f821d"
PHI2_LINE = 'model = AutoModel.from_pretrained("microsoft/phi-2", trust_remote_code=True)\n'
PHI2_FIXED = f'model = AutoModel.from_pretrained("microsoft/phi-2", revision="{PHI2}")'

LOADER = 'from transformers import AutoModel\n\n\n# loaders\nlocal = AutoModel.from_pretrained("./checkpoints/finetuned")\n'
ODD = 'src/t\tq"ü.py'  # a tab, a quote and a non-ASCII letter: git quotes this name in its diff headers
APP = (DEMO / "src" / "app.py").read_text()
SUMMARISER = 'return pipeline("summarization", model="facebook/nllb-200-distilled-600M")'


def _repo(tmp_path: Path):
    """The base has the demo's lockfile, config and src/app.py, and `src/my loader.py`. The pull
    request adds an unpinned phi-2 with trust_remote_code to `src/my loader.py` (line 5), adds a
    file with an odd name, and renames src/app.py to `src/service app.py` changing one line (the
    summariser, line 27); the fix for its line 17 (a revision="main") is on a line it did not
    touch. Meanwhile the base branch added three lines at the top of `src/my loader.py`."""
    return make_pr_repo(
        tmp_path / "repo",
        {
            "aiospo.lock": (DEMO / "aiospo.lock").read_bytes(),
            "configs/train.yaml": (DEMO / "configs" / "train.yaml").read_bytes(),
            "src/app.py": APP,
            "src/my loader.py": LOADER,
        },
        {
            "src/my loader.py": LOADER.replace("# loaders\n", "# loaders\n" + PHI2_LINE),
            ODD: "from transformers import AutoModel\n" + PHI2_LINE,
            "src/service app.py": APP.replace(SUMMARISER, SUMMARISER.replace(")", ", device=0)")),
        },
        base_moves={"src/my loader.py": '"""Loaders."""\n\nimport os\n' + LOADER},
        renames={"src/app.py": "src/service app.py"},
    )


def _suggested(comment: dict) -> str:
    return re.search(r"```suggestion\n(.*?)```", comment["body"], re.S).group(1)


def _comments(github_server) -> dict[tuple[str, int], dict]:
    return {(c["path"], c["line"]): c for c in github_server.state.review_comments.values()}


def test_fixes_become_suggestions_on_the_heads_added_lines_once(harness, github_server, tmp_path):
    repo = _repo(tmp_path)
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    h = harness(repo=repo, inputs={"annotations": "none", "comment": "never"})
    merged = (h.workspace / "src/my loader.py").read_text().splitlines()
    assert merged.index(PHI2_LINE.rstrip("\n")) + 1 == 8  # in the merge commit the line sits three lower

    run = h.run_real()

    assert run.code == 1, run.stdout  # the suggestions change nothing about the verdict
    (review,) = github_server.state.reviews.values()
    assert review["state"] == "COMMENTED" and review["commit_id"] == repo.head and MARKER in review["body"]
    comments = _comments(github_server)
    assert set(comments) == {(ODD, 2), ("src/my loader.py", 5), ("src/service app.py", 27)}
    assert _suggested(comments[("src/my loader.py", 5)]) == PHI2_FIXED + "\n"
    assert _suggested(comments[(ODD, 2)]) == PHI2_FIXED + "\n"
    assert f'revision="{NLLB}"' in _suggested(comments[("src/service app.py", 27)])
    assert f"pin microsoft/phi-2 to {PHI2}" in comments[("src/my loader.py", 5)]["body"]
    assert "remove trust_remote_code=True" in comments[("src/my loader.py", 5)]["body"]
    assert all(c["start_line"] is None and c["side"] == "RIGHT" for c in comments.values())
    # lines 17, 22 and 31 of the renamed file and train.yaml's base_model are not the pull request's lines
    assert "4 fix(es) touch lines this pull request did not add" in run.stdout
    assert "lines from git diff base...head" in run.stdout
    assert git(h.workspace, "status", "--porcelain") == ""  # nothing written to the checkout

    again = h.run_real()
    assert again.code == 1
    assert len(github_server.calls("POST", r"/pulls/7/reviews$")) == 1  # a re-run posts no duplicate
    assert "3 suggestion(s) are on the pull request already" in again.stdout

    # A push that changes a suggestion's hunk makes it outdated (GitHub sets its line to null):
    # it can no longer be applied, so the next run suggests that fix again, and only that one.
    outdated = comments[("src/my loader.py", 5)]["id"]
    github_server.make_outdated(outdated)
    h.run_real()
    assert len(github_server.calls("POST", r"/pulls/7/reviews$")) == 2
    (latest,) = [c for c in github_server.state.review_comments.values() if c["id"] > max(comments[k]["id"] for k in comments)]
    assert (latest["path"], latest["line"]) == ("src/my loader.py", 5)


def test_without_the_merge_base_the_apis_patches_place_them(harness, github_server, tmp_path):
    """fetch-depth: 2 brings the merge commit and its two parents, not their merge base: git
    cannot diff base...head, so the lines come from each file's `patch` in the API."""
    repo = _repo(tmp_path)
    files = pull_files(repo.origin, repo.base, repo.head)
    github_server.set_pull_files(7, files)
    workspace = repo.clone(tmp_path / "shallow", repo.merge, depth=2)
    h = harness(repo=repo, workspace=workspace, inputs={"annotations": "none", "comment": "never"})
    run = h.run_real()
    assert run.code == 1, run.stdout
    assert set(_comments(github_server)) == {(ODD, 2), ("src/my loader.py", 5), ("src/service app.py", 27)}
    assert "lines from the pull request's files (API)" in run.stdout


def test_a_file_without_a_patch_in_the_api_gets_none_and_the_summary_says_why(harness, github_server, tmp_path):
    repo = _repo(tmp_path)
    files = pull_files(repo.origin, repo.base, repo.head)
    for entry in files:
        if entry["filename"] == "src/my loader.py":
            del entry["patch"]  # GitHub leaves out the patch of a large diff
    github_server.set_pull_files(7, files)
    h = harness(repo=repo, workspace=repo.clone(tmp_path / "shallow", repo.merge, depth=2), inputs={"annotations": "none", "comment": "never"})
    run = h.run_real()
    assert set(_comments(github_server)) == {(ODD, 2), ("src/service app.py", 27)}
    assert "No suggestion on src/my loader.py: the API gives no diff for it" in run.stdout


def test_when_neither_git_nor_the_api_tells_the_lines_none_is_posted(harness, github_server, tmp_path):
    repo = _repo(tmp_path)
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    github_server.fail("GET", r"/pulls/7/files$", 502, "Server Error")
    h = harness(repo=repo, workspace=repo.clone(tmp_path / "shallow", repo.merge, depth=2), inputs={"annotations": "none", "comment": "never"})
    run = h.run_real()
    assert run.code == 1
    assert github_server.calls("POST", r"/reviews$") == []
    assert "No review suggestions were posted: neither `git diff base...head`" in run.stdout and "(HTTP 502: Server Error)" in run.stdout


def test_judged_files_that_are_not_the_heads_get_no_suggestion(harness, github_server, tmp_path):
    """pull_request_target's default checkout is the base branch; with `tree: checkout` its files
    are judged, and their lines are not the pull request's."""
    repo = _repo(tmp_path)
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    h = harness(repo=repo, event_name="pull_request_target", inputs={"tree": "checkout", "annotations": "none", "comment": "never"})
    run = h.run_real()
    assert github_server.calls("POST", r"/reviews$") == []
    assert "the judged files are not the pull request's head" in run.stdout


def test_a_lost_answer_is_read_back_not_resent(harness, github_server, tmp_path):
    repo = _repo(tmp_path)
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    github_server.slow("POST", r"/pulls/7/reviews$", 3.0)  # created at once; the answer comes after the client gave up
    h = harness(repo=repo, inputs={"annotations": "none", "comment": "never"}, extra_env={"AIOSPO_GITHUB_TIMEOUT": "1"})
    run = h.run_real()
    assert len(github_server.calls("POST", r"/pulls/7/reviews$")) == 1 and len(github_server.state.reviews) == 1
    assert "the answer was lost; read back" in run.stdout and "could not be posted" not in run.stdout
    h.run_real()
    assert len(github_server.calls("POST", r"/pulls/7/reviews$")) == 1


def test_a_read_only_token_is_a_note_not_a_failure(harness, github_server, tmp_path):
    repo = _repo(tmp_path)
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    github_server.fail("POST", r"/pulls/7/reviews$", 403, "Resource not accessible by integration")
    run = harness(repo=repo, head_repo="contributor/app", inputs={"annotations": "none", "comment": "never"}).run_real()
    assert run.code == 1
    assert "could not be posted as review suggestions (HTTP 403: Resource not accessible by integration)" in run.stdout
    assert "comes from the fork contributor/app" in run.stdout and "### GitHub API" in run.summary


def test_suggestions_can_be_turned_off(harness, github_server, tmp_path):
    repo = _repo(tmp_path)
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    harness(repo=repo, inputs={"suggestions": "false", "annotations": "none", "comment": "never"}).run_real()
    assert github_server.calls("POST", r"/reviews$") == []


def test_at_most_fifty_per_run_each_on_the_diff(harness, github_server, tmp_path):
    many = "from transformers import AutoModel\n" + "".join(f'm{i} = AutoModel.from_pretrained("microsoft/phi-2")\n' for i in range(60))
    repo = make_pr_repo(tmp_path / "repo", {"aiospo.lock": (DEMO / "aiospo.lock").read_bytes()}, {"src/many.py": many})
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    run = harness(repo=repo, inputs={"annotations": "none", "comment": "never"}).run_real()
    assert len(github_server.state.review_comments) == 50  # the server took every one: all on the diff
    assert "10 more suggestions were left out (at most 50 per run)" in run.stdout
    run = harness(repo=repo, inputs={"annotations": "none", "comment": "never"}).run_real()
    assert len(github_server.state.review_comments) == 60  # the next run adds the rest, and nothing twice
    assert len({c["line"] for c in github_server.state.review_comments.values()}) == 60


def test_the_server_refuses_lines_outside_the_diff(tmp_path, github_server):
    """The local API holds the Action to GitHub's rule, so the tests above prove the filtering."""
    from github import Auth, Github, GithubException

    from tests.action.conftest import TOKEN

    repo = _repo(tmp_path)
    github_server.set_pull_files(7, pull_files(repo.origin, repo.base, repo.head))
    pull = Github(auth=Auth.Token(TOKEN), base_url=github_server.url, lazy=True).get_repo("acme/app").get_pull(7)
    for path, line in (("src/service app.py", 17), ("src/my loader.py", 8), ("configs/train.yaml", 2)):
        try:
            pull.create_review(body="x", event="COMMENT", comments=[{"path": path, "line": line, "side": "RIGHT", "body": "y"}])
        except GithubException as exc:
            assert exc.status == 422 and "must be part of the diff" in json.dumps(exc.data)
        else:
            raise AssertionError(f"a comment on {path}:{line}, outside the diff, was accepted")
    assert not github_server.state.reviews


def test_an_inserted_line_is_suggested_with_a_neighbouring_line():
    old = "base_model: org/m\nmodel_type: x\n"
    new = f"base_model: org/m\nrevision: {PHI2}\nmodel_type: x\n"
    (s,) = suggestions_for("train.yaml", old, new, [Edit("train.yaml", 1, 13, "org/m", "pin", PHI2)])
    assert (s.start_line, s.line, s.replacement) == (1, 1, ("base_model: org/m", f"revision: {PHI2}"))
    assert s.comment() == {"path": "train.yaml", "line": 1, "side": "RIGHT", "body": s.body()}
    (top,) = suggestions_for("x.yaml", "a: 1\n", "# pinned\na: 1\n", [])
    assert (top.start_line, top.line, top.replacement) == (1, 1, ("# pinned", "a: 1"))


def test_lines_are_counted_as_git_counts_them():
    """A form feed or U+2028 inside a line ends no line for git, so none for the suggestion."""
    old = "x = 1\f# page\ny = AutoModel.from_pretrained('m')\u2028\n"
    new = "x = 1\f# page\ny = AutoModel.from_pretrained('m', revision='s')\u2028\n"
    (s,) = suggestions_for("a.py", old, new, [])
    assert (s.start_line, s.line) == (2, 2)


def test_a_replacement_holding_backticks_gets_a_longer_fence():
    (s,) = suggestions_for("a.md", "x\n", "run ````code````\n", [])
    assert "`````suggestion\nrun ````code````\n`````\n" in s.body()


def test_identical_lines_get_distinct_keys_and_each_says_its_own_fix():
    line = 'm = AutoModel.from_pretrained("org/m")'
    fixed = f'm = AutoModel.from_pretrained("org/m", revision="{PHI2}")'
    old = f"{line}\nx = 1\n{line}\nn = AutoModel.from_pretrained(\n    'org/n',\n)\n"
    new = f"{fixed}\nx = 1\n{fixed}\nn = AutoModel.from_pretrained(\n    'org/n', revision='{PHI2}',\n)\n"
    edits = [Edit("a.py", 1, 5, "org/m", "pin", PHI2), Edit("a.py", 3, 5, "org/m", "pin", PHI2), Edit("a.py", 4, 5, "org/n", "pin", PHI2)]
    first, second, third = suggestions_for("a.py", old, new, edits)
    assert (first.line, second.line, third.line) == (1, 3, 5)
    assert first.key != second.key and first.body() != second.body()
    assert third.why == f"pin org/n to {PHI2}"  # the call starts on the line above the one it fixes
