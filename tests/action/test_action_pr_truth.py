"""Line truth: the Action judges the pull request's own tree and reports on the pull request's
own lines, whatever actions/checkout gave it: the test merge commit after the base moved on,
the base branch (pull_request_target), or a push's commit. Each test runs the real pipeline
(offline, embedded engine) on a real git repository."""

from __future__ import annotations

import json

from tests.action.conftest import make_pr_repo

FILLER = "".join(f"x{i} = {i}\n" for i in range(1, 9))
BASE_APP = "from transformers import AutoModel\n" + FILLER + "\n\ndef load():\n    return None\n"
# The pull request adds a denied (unpinned) model at line 14 of its own src/app.py ...
HEAD_APP = BASE_APP + 'model = AutoModel.from_pretrained("org/new-model")\n'
# ... while the base branch adds five lines and removes two above it, in the same file.
MOVED_APP = (
    "from transformers import AutoModel\n"
    + "".join(f"# base {i}\n" for i in range(5))
    + "".join(f"x{i} = {i}\n" for i in range(3, 9))
    + "\n\ndef load():\n    return None\n"
)
HEAD_LINE = 14


def moved_repo(tmp_path):
    return make_pr_repo(
        tmp_path / "repo",
        {"src/app.py": BASE_APP, "README.md": "app\n"},
        {"src/app.py": HEAD_APP},
        base_moves={"src/app.py": MOVED_APP, "src/base_only.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("org/base-model")\n'},
    )


def annotated(github_server) -> list[tuple[str, int, str]]:
    (run_id,) = github_server.state.check_runs
    return sorted((a["path"], a["start_line"], a["title"]) for a in github_server.state.annotations[run_id])


def test_base_moved_above_the_change_annotates_the_pull_requests_own_line(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    h = harness(repo=repo, inputs={"sarif_file": "aiospo.sarif"})
    merged = (h.workspace / "src/app.py").read_text().splitlines()
    # the checkout is GitHub's merge commit: there the model sits three lines lower
    assert merged.index('model = AutoModel.from_pretrained("org/new-model")') + 1 == HEAD_LINE + 3
    assert (h.workspace / "src/base_only.py").exists()

    run = h.run_real()

    assert run.code == 1, run.stdout
    (post,) = github_server.calls("POST", r"/check-runs$")
    assert post.body["head_sha"] == repo.head
    lines = annotated(github_server)
    assert any(p == "src/app.py" and n == HEAD_LINE and "pinning/none" in t for p, n, t in lines)
    assert {(p, n) for p, n, _ in lines} == {("src/app.py", HEAD_LINE)}  # nothing from the base branch's own files
    findings = json.loads(run.outputs()["findings"])
    assert {(f["file"], f["line"]) for f in findings if f["file"]} == {("src/app.py", HEAD_LINE)}
    assert run.outputs()["sha"] == repo.head
    sarif = json.loads((h.workspace / "aiospo.sarif").read_text())
    regions = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif["runs"][0]["results"] if r.get("locations")}
    assert regions == {HEAD_LINE}
    assert "test merge commit" in run.summary and repo.head[:12] in run.summary


def test_a_checkout_of_the_head_is_judged_in_place(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    h = harness(repo=repo, workspace=repo.clone(tmp_path / "head-checkout", repo.head))
    run = h.run_real()
    assert run.code == 1
    assert {(p, n) for p, n, _ in annotated(github_server)} == {("src/app.py", HEAD_LINE)}
    assert "test merge commit" not in run.summary


def test_a_shallow_merge_checkout_is_no_verdict_and_says_how_to_fix_it(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    h = harness(repo=repo, workspace=repo.clone(tmp_path / "shallow", repo.merge, depth=1))
    run = h.run_real()
    assert run.code == 2
    assert "GitHub's test merge commit" in run.stdout and "fetch-depth: 0" in run.stdout
    assert not github_server.calls("POST", r"/check-runs$")  # no check run claims a result
    # fetch-depth: 2 brings both parents of the merge commit: enough to judge the head
    github_server.requests.clear()
    h2 = harness(repo=repo, workspace=repo.clone(tmp_path / "depth2", repo.merge, depth=2))
    assert h2.run_real().code == 1
    assert {(p, n) for p, n, _ in annotated(github_server)} == {("src/app.py", HEAD_LINE)}


def test_pull_request_target_with_the_default_checkout_is_no_verdict(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    # pull_request_target: GITHUB_SHA and the default checkout are the base branch, fetch-depth 1
    h = harness(repo=repo, event_name="pull_request_target", workspace=repo.clone(tmp_path / "base", repo.base, depth=1))
    run = h.run_real()
    assert run.code == 2
    assert "pull_request_target checks out the base branch" in run.stdout
    assert "ref: ${{ github.event.pull_request.head.sha }}" in run.stdout
    assert "no verdict" in run.summary
    assert not github_server.calls("POST", r"/check-runs$") and not github_server.calls("POST", r"/comments$")


def test_pull_request_target_opting_in_to_the_checkout_judges_it_without_line_annotations(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    h = harness(repo=repo, event_name="pull_request_target", workspace=repo.clone(tmp_path / "base", repo.base, depth=1), inputs={"tree": "checkout"})
    run = h.run_real()
    assert run.code == 1  # the base's own src/base_only.py is what this tree holds
    (post,) = github_server.calls("POST", r"/check-runs$")
    assert post.body["head_sha"] == repo.head and post.body["output"]["annotations"] == []
    assert "judged the workspace as checked out" in run.summary
    assert "org/base-model" in run.summary


def test_pull_request_target_with_the_head_fetched_judges_the_head(harness, github_server, tmp_path):
    """The safe pattern: the job checks out the trusted base; the pull request's head is only
    read from git's objects (here a same-repository pull request with fetch-depth: 0)."""
    repo = moved_repo(tmp_path)
    h = harness(repo=repo, event_name="pull_request_target", workspace=repo.clone(tmp_path / "base", repo.base))
    run = h.run_real()
    assert run.code == 1
    assert {(p, n) for p, n, _ in annotated(github_server)} == {("src/app.py", HEAD_LINE)}


def test_pull_request_target_checking_out_the_head_judges_it(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    h = harness(repo=repo, event_name="pull_request_target", workspace=repo.clone(tmp_path / "head", repo.head))
    assert h.run_real().code == 1
    assert {(p, n) for p, n, _ in annotated(github_server)} == {("src/app.py", HEAD_LINE)}


def test_a_workspace_that_is_no_git_checkout_is_no_verdict_on_a_pull_request(harness, github_server, tmp_path):
    bare = tmp_path / "files"
    (bare / "src").mkdir(parents=True)
    (bare / "src/app.py").write_text(HEAD_APP)
    assert harness(workspace=bare).run_real().code == 2
    run = harness(workspace=bare, inputs={"tree": "checkout"}).run_real()
    assert run.code == 1 and "not annotated on lines" in run.summary


def test_push_reports_on_the_pushed_commit_and_scopes_to_the_push(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    push = {"ref": "refs/heads/feature", "before": repo.fork_point, "after": repo.head, "repository": {"full_name": "acme/app"}}
    h = harness(repo=repo, event=push, event_name="push", workspace=repo.clone(tmp_path / "pushed", repo.head), sha=repo.head, inputs={"only_changed": "true"})
    run = h.run_real()
    assert run.code == 1
    (post,) = github_server.calls("POST", r"/check-runs$")
    assert post.body["head_sha"] == repo.head
    assert {(p, n) for p, n, _ in annotated(github_server)} == {("src/app.py", HEAD_LINE)}
    assert "1 of 1 references are in files this change touches (from git diff)" in run.summary
    assert not github_server.calls("GET", r"/comments$")


def test_workflow_dispatch_reports_on_the_checked_out_commit_and_judges_everything(harness, github_server, tmp_path):
    repo = moved_repo(tmp_path)
    dispatch = {"ref": "refs/heads/main", "inputs": {}, "repository": {"full_name": "acme/app"}}
    workspace = repo.clone(tmp_path / "dispatched", repo.base)
    run = harness(repo=repo, event=dispatch, event_name="workflow_dispatch", workspace=workspace, sha=repo.base, inputs={"only_changed": "true"}).run_real()
    assert run.code == 1
    (post,) = github_server.calls("POST", r"/check-runs$")
    assert post.body["head_sha"] == repo.base
    assert {p for p, _, _ in annotated(github_server)} == {"src/base_only.py"}
    assert "event names no base and head commit, so every reference was judged" in run.summary
    # checked out at another commit than the one that triggered the run: report on what was judged
    github_server.requests.clear()
    run = harness(repo=repo, event=dispatch, event_name="workflow_dispatch", workspace=workspace, sha=repo.head).run_real()
    assert [r.body["head_sha"] for r in github_server.calls("POST", r"/check-runs$")] == [repo.base]
    assert f"not at {repo.head[:12]} that triggered the run" in run.summary


def test_a_push_that_changes_the_lockfile_puts_everything_in_scope(harness, github_server, tmp_path):
    repo = make_pr_repo(tmp_path / "repo", {"src/legacy.py": BASE_APP + 'm = AutoModel.from_pretrained("org/legacy")\n'}, {"aiospo.lock": '{"aiospo_lock_version": 1, "entries": []}\n'})
    push = {"before": repo.fork_point, "after": repo.head, "repository": {"full_name": "acme/app"}}
    run = harness(repo=repo, event=push, event_name="push", workspace=repo.clone(tmp_path / "pushed", repo.head), sha=repo.head, inputs={"only_changed": "true"}).run_real()
    assert run.code == 1 and "every reference is in scope because this change touches aiospo.lock" in run.stdout
