"""Required checks that work for forks. A fork's pull request gets a read-only token, so no
`aiospo-ci` check run exists there; what branch protection can require is the job's own status
(docs/action.md: mark the job, not the check run, as required). That only works if the job
fails exactly when the check run would have concluded `failure`."""

from __future__ import annotations

import pytest

from tests.action.conftest import make_pr_repo, make_result

CASES = [
    ("deny findings", dict(n_refs=6), "deny"),
    ("warnings only, fail_on deny", dict(n_refs=6, severities=("warn", "info")), "deny"),
    ("warnings only, fail_on warn", dict(n_refs=6, severities=("warn", "info")), "warn"),
    ("deny findings, fail_on never", dict(n_refs=6), "never"),
    ("every deny waived", dict(n_refs=3, severities=("deny",), waived=frozenset({0, 1, 2})), "deny"),
    ("notes only", dict(n_refs=4, severities=("info",)), "warn"),
    ("nothing found", dict(n_refs=0), "deny"),
]


@pytest.mark.parametrize("name,result_kw,fail_on", CASES, ids=[c[0] for c in CASES])
def test_the_fork_job_fails_exactly_when_the_check_run_would(harness, github_server, name, result_kw, fail_on):
    same_repo = harness(inputs={"fail_on": fail_on}).run(make_result(**result_kw))
    (post,) = github_server.calls("POST", r"/check-runs$")
    conclusion = post.body["conclusion"]
    assert (conclusion == "failure") == (same_repo.code == 1)

    github_server.requests.clear()
    github_server.fail("POST", r"/check-runs$", 403, "Resource not accessible by integration")
    github_server.fail("POST", r"/issues/\d+/comments$", 403, "Resource not accessible by integration")
    fork = harness(head_repo="contributor/app", inputs={"fail_on": fail_on}).run(make_result(**result_kw))
    assert fork.code == same_repo.code, name
    assert len(github_server.state.check_runs) == 1  # the fork's run made none
    assert "comes from the fork contributor/app, whose token GitHub makes read-only" in fork.summary


def test_the_fork_job_fails_exactly_when_the_check_run_would_with_only_changed(harness, github_server, tmp_path):
    load = "from transformers import AutoModel\n"
    # a legacy denied model the pull request does not touch; the second pull request adds one
    for head_change, expected in (({}, 0), ({"src/app.py": load + 'AutoModel.from_pretrained("org/new")\n'}, 1)):
        root = tmp_path / f"case{expected}"
        case = make_pr_repo(root, {"src/legacy.py": load + 'AutoModel.from_pretrained("org/legacy")\n', "src/app.py": "x = 1\n"}, head_change or {"README.md": "x\n"})
        github_server.failures.clear()
        github_server.state.check_runs.clear()
        same = harness(repo=case, workspace=case.clone(root / "ws", case.merge), inputs={"only_changed": "true"}).run_real()
        (run,) = github_server.state.check_runs.values()
        assert same.code == expected and (run["conclusion"] == "failure") == (expected == 1)
        github_server.fail("POST", r"/check-runs$", 403, "Resource not accessible by integration")
        fork = harness(repo=case, workspace=case.clone(root / "fork-ws", case.merge), head_repo="contributor/app", inputs={"only_changed": "true"}).run_real()
        assert fork.code == same.code
