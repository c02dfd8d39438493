"""The Action's entrypoint against the local GitHub API: check run and annotation batches,
the sticky comment, fallbacks on API errors, outputs, summary and exit codes."""

from __future__ import annotations

import json

from tests.action.conftest import HF_TOKEN, make_result
from tests.support.github_server import BOT


def test_120_findings_make_one_check_run_with_three_annotation_batches(harness, github_server):
    h = harness()
    run = h.run(make_result(120))

    assert run.code == 1  # 40 deny findings, fail_on deny
    posts = github_server.calls("POST", r"/check-runs$")
    patches = github_server.calls("PATCH", r"/check-runs/\d+$")
    assert len(posts) == 1
    batches = [len(r.body["output"].get("annotations", [])) for r in posts + patches]
    assert batches == [50, 50, 20]
    post = posts[0].body
    assert post["name"] == "aiospo-ci"
    assert post["head_sha"] == h.head  # the PR's head, not the merge commit
    assert post["head_sha"] != h.repo.merge
    assert post["status"] == "completed" and post["conclusion"] == "failure"
    (run_id,) = github_server.state.check_runs
    stored = github_server.state.annotations[run_id]
    assert len(stored) == 120
    levels = {a["annotation_level"] for a in stored}
    assert levels == {"failure", "warning", "notice"}
    first = next(a for a in stored if a["path"] == "src/mod_000.py")
    assert first["start_line"] == 1 and first["annotation_level"] == "failure"
    assert "License category" in first["title"]
    assert "annotations" in run.stdout and "3 requests" in run.stdout
    assert not [c for c in run.commands() if c.startswith(("::error file", "::warning file", "::notice file"))]


def test_passing_run_concludes_success_and_exits_zero(harness, github_server):
    run = harness().run(make_result(6, severities=("warn", "info")))
    assert run.code == 0
    (post,) = github_server.calls("POST", r"/check-runs$")
    assert post.body["conclusion"] == "success"
    assert len(post.body["output"]["annotations"]) == 6


def test_fail_on_warn_and_never(harness, github_server):
    result = make_result(6, severities=("warn", "info"))
    assert harness(inputs={"fail_on": "warn"}).run(result).code == 1
    assert harness(inputs={"fail_on": "never"}).run(make_result(6)).code == 0


def test_fail_on_defaults_to_the_configuration(harness):
    result = make_result(6, severities=("warn", "info"))
    assert harness(inputs={"fail_on": ""}).run(result, config={"fail_on": "warn"}).code == 1
    assert harness(inputs={"fail_on": ""}).run(result, config={}).code == 0


def test_sticky_comment_is_created_once_then_edited(harness, github_server):
    github_server.add_comment(7, "LGTM, but see the <!-- aiospo-ci --> marker quoted here")  # not at the start
    first = harness().run(make_result(3))
    assert first.code == 1
    (created,) = github_server.calls("POST", r"/issues/7/comments$")
    comment_id = max(github_server.state.comments)
    assert github_server.state.comments[comment_id]["body"].startswith("<!-- aiospo-ci -->")
    assert "1 denied" in github_server.state.comments[comment_id]["body"]

    second = harness().run(make_result(4, severities=("warn",)))
    assert second.code == 0
    assert len(github_server.calls("POST", r"/issues/7/comments$")) == 1  # still only the first
    (edit,) = github_server.calls("PATCH", r"/issues/comments/\d+$")
    assert edit.path.endswith(f"/issues/comments/{comment_id}")
    body = github_server.state.comments[comment_id]["body"]
    assert "0 denied, 4 warnings" in body
    ours = [c for c in github_server.state.comments.values() if c["body"].startswith("<!-- aiospo-ci -->")]
    assert len(ours) == 1


def test_sticky_comment_prefers_the_bots_comment(harness, github_server):
    github_server.add_comment(7, "<!-- aiospo-ci -->\npasted by a person")
    bot_id = github_server.add_comment(7, "<!-- aiospo-ci -->\nold report", user=BOT)
    harness().run(make_result(2))
    (edit,) = github_server.calls("PATCH", r"/issues/comments/\d+$")
    assert edit.path.endswith(f"/{bot_id}")
    assert not github_server.calls("POST", r"/issues/7/comments$")


def test_comment_on_failure_only_creates_when_failing(harness, github_server):
    passing = make_result(3, severities=("warn",))
    harness(inputs={"comment": "on-failure"}).run(passing)
    assert not github_server.calls("POST", r"/issues/\d+/comments$")
    harness(inputs={"comment": "on-failure"}).run(make_result(3))
    assert len(github_server.calls("POST", r"/issues/\d+/comments$")) == 1
    # once there is a comment it is kept current, so a fixed PR does not show a stale failure
    harness(inputs={"comment": "on-failure"}).run(passing)
    assert len(github_server.calls("PATCH", r"/issues/comments/\d+$")) == 1


def test_comment_never_and_push_events_make_no_comment_calls(harness, github_server, pr_repo, tmp_path):
    harness(inputs={"comment": "never"}).run(make_result(3))
    push = {"ref": "refs/heads/main", "before": pr_repo.fork_point, "after": pr_repo.base, "repository": {"full_name": "acme/app"}}
    workspace = pr_repo.clone(tmp_path / "push-checkout", pr_repo.base)
    harness(event=push, event_name="push", workspace=workspace, sha=pr_repo.base).run(make_result(3))
    assert not github_server.calls("GET", r"/comments$")
    assert not github_server.calls("POST", r"/comments$")
    shas = [r.body["head_sha"] for r in github_server.calls("POST", r"/check-runs$")]
    assert shas == [pr_repo.head, pr_repo.base]


def test_403_on_check_runs_falls_back_to_workflow_commands(harness, github_server):
    github_server.fail("POST", r"/check-runs$", 403, "Resource not accessible by integration")
    run = harness(head_repo="fork/app").run(make_result(30))

    assert run.code == 1  # the verdict does not depend on GitHub accepting the check
    commands = [c for c in run.commands() if c.startswith(("::error file", "::warning file", "::notice file"))]
    assert len(commands) == 30
    assert sum(c.startswith("::error ") for c in commands) == 10
    assert "::error file=src/mod_000.py,line=1,endLine=1,title=License category (license/category)::org/model-000 finding number 0" in run.stdout
    assert "Resource not accessible by integration" in run.stdout
    assert "at most 10 errors and 10 warnings per step" in run.stdout
    # nothing is lost: every finding is in the summary and in the log
    for i in range(30):
        assert f"org/model-{i:03d} finding number {i}" in run.stdout
        assert f"finding number {i}" in run.summary
    assert "Checks API refused the check run" in run.summary
    assert "HTTP 403" in run.summary
    assert "comes from the fork fork/app, whose token GitHub makes read-only" in run.summary


def test_error_after_the_first_batch_sends_only_the_rest_as_commands(harness, github_server):
    github_server.fail("PATCH", r"/check-runs/\d+$", 502, "Server Error")
    run = harness().run(make_result(120))
    commands = [c for c in run.commands() if c.startswith(("::error file", "::warning file", "::notice file"))]
    assert len(commands) == 70  # 50 went through the Checks API
    (run_id,) = github_server.state.check_runs
    sent = {(a["path"], a["start_line"]) for a in github_server.state.annotations[run_id]}
    commanded = {c.split("file=")[1].split(",")[0] for c in commands}
    assert len(sent) == 50 and not ({p for p, _ in sent} & commanded)
    assert github_server.state.check_runs[run_id]["status"] == "completed"  # never left in progress
    assert "HTTP 502" in run.summary


def test_comment_errors_are_reported_and_do_not_change_the_verdict(harness, github_server):
    for status in (403, 404, 422, 500):
        github_server.failures.clear()
        github_server.fail("GET", r"/issues/7/comments$", status, "nope")
        run = harness(inputs={"fail_on": "never"}).run(make_result(3))
        assert run.code == 0
        assert f"HTTP {status}" in run.summary and "comment could not be written" in run.summary
        assert "finding number 0" in run.summary
        assert any(c.startswith("::warning title=aiospo-ci::The pull-request comment could not be written") for c in run.commands())


def test_no_token_still_reports_through_commands_and_summary(harness, github_server):
    run = harness(inputs={"github_token": ""}).run(make_result(3))
    assert run.code == 1
    assert not github_server.requests
    assert len([c for c in run.commands() if "file=" in c]) == 3
    assert "finding number 2" in run.summary


def test_annotations_commands_and_none(harness, github_server):
    run = harness(inputs={"annotations": "commands"}).run(make_result(4))
    assert len([c for c in run.commands() if "file=" in c]) == 4
    assert not github_server.calls("POST", r"/check-runs$")
    run = harness(inputs={"annotations": "none"}).run(make_result(4))
    assert not [c for c in run.commands() if "file=" in c]
    assert not github_server.calls("POST", r"/check-runs$")


def test_outputs_and_sarif(harness, github_server):
    run = harness(inputs={"sarif_file": "reports/aiospo.sarif"}).run(make_result(9, waived=frozenset({0})))
    outputs = run.outputs()
    assert set(outputs) == {"findings", "deny_count", "warn_count", "sarif_file", "sha"}
    assert outputs["deny_count"] == "2"  # refs 3 and 6; ref 0 is waived
    assert outputs["warn_count"] == "3"
    assert outputs["sarif_file"] == "reports/aiospo.sarif"
    findings = json.loads(outputs["findings"])
    assert len(findings) == 9
    assert sum(f["waived"] for f in findings) == 1
    assert {"rule", "severity", "message", "file", "line", "model", "waived"} <= set(findings[0])
    sarif_text = (run.workspace / "reports/aiospo.sarif").read_text()
    sarif = json.loads(sarif_text)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 9
    # a second run writes the same bytes: fingerprints and order are stable, so alerts never duplicate
    harness(inputs={"sarif_file": "reports/aiospo.sarif"}).run(make_result(9, waived=frozenset({0})))
    assert (run.workspace / "reports/aiospo.sarif").read_text() == sarif_text
    assert len({r["partialFingerprints"]["aiospoFinding/v2"] for r in sarif["runs"][0]["results"]}) == 9


def test_summary_lists_waived_findings_as_waived(harness):
    run = harness().run(make_result(3, waived=frozenset({0})))
    assert ":zzz: Waived (1)" in run.summary
    assert "waived (justification reviewed" in run.summary


def test_bad_input_is_no_verdict(harness, github_server):
    run = harness(inputs={"fail_on": "sometimes"}).run(make_result(3))
    assert run.code == 2
    assert "input fail_on: 'sometimes' is not one of deny, warn, never" in run.stdout
    assert "no verdict" in run.summary
    assert not github_server.requests


def test_pipeline_error_is_no_verdict(harness):
    from aiospo_ci.action.main import run as action_run
    from aiospo_ci.errors import PolicyError

    h = harness()
    env = h.env()

    def broken(options):
        raise PolicyError("OPA at http://127.0.0.1:1 failed to evaluate data.aiospo.main.findings: refused.")

    import io

    out = io.StringIO()
    assert action_run(env, out, check=broken) == 2
    assert "::error title=aiospo-ci::aiospo-ci reached no verdict: OPA at http%3A" not in out.getvalue()  # message, not property
    assert "reached no verdict: OPA at http://127.0.0.1:1 failed" in out.getvalue()
    summary = (h.tmp / "summary.md").read_text()
    assert "no verdict" in summary


def test_inputs_reach_the_pipeline(harness, tmp_path):
    from aiospo_ci.action.main import run as action_run

    h = harness(inputs={"paths": "src\nmodels, notebooks", "policy_dirs": "policies", "offline": "true", "opa_url": "http://127.0.0.1:8181", "config": "ci/aiospo.yaml"})
    env = h.env()
    seen = []

    def check(options):
        import os

        seen.append((options, os.environ.get("HF_TOKEN")))
        return make_result(1, severities=("info",)), {"config": {}}

    import io

    assert action_run(env, io.StringIO(), check=check) == 0
    ((options, hf_token),) = seen
    assert hf_token == HF_TOKEN  # handed to the Hub client the way the CLI receives it
    # the pull request's head, written out of git: the workspace holds the merge commit
    assert options.root != (tmp_path / "workspace").resolve() and options.root.name == "tree"
    assert [str(p) for p in options.paths] == ["src", "models", "notebooks"]
    assert options.policy_dirs == (options.root / "policies",)
    assert options.config_path == options.root / "ci/aiospo.yaml"
    assert options.offline is True and options.opa_url == "http://127.0.0.1:8181"


def test_bundle_and_central_opa_inputs_reach_the_pipeline(harness, tmp_path):
    from aiospo_ci.action.main import run as action_run

    key = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"
    inputs = {"bundle": "policy/org.tar.gz", "bundle_token": "bundle-token-2718", "bundle_verification_key": key, "opa_mode": "upload"}
    env = harness(inputs=inputs).env()
    seen = []

    def check(options):
        import os

        seen.append((options, os.environ.get("AIOSPO_BUNDLE_TOKEN")))
        return make_result(1, severities=("info",)), {"config": {}}

    import io

    out = io.StringIO()
    assert action_run(env, out, check=check) == 0
    ((options, token),) = seen
    assert token == "bundle-token-2718"  # handed over the way the CLI receives it, never as an argument
    assert options.bundle == str(tmp_path / "workspace" / "policy/org.tar.gz") and options.verification_key == key
    assert options.opa_mode == "upload" and "bundle-token-2718" not in out.getvalue() + repr(options)
    bad = harness(inputs={"opa_mode": "push"}).env()
    assert action_run(bad, io.StringIO(), check=check) == 2


def test_models_table_takes_license_categories_from_the_policies(harness, github_server):
    run = harness().run(make_result(2))
    # llama3.1 and apache-2.0 as rego/aiospo/catalogue/licenses.rego classifies them, asked of the policies
    assert "| `org/model-000` | `llama3.1` | community | none | :x: deny |" in run.summary
    assert "| `org/model-001` | `apache-2.0` | permissive | none | :warning: warn |" in run.summary


def test_any_check_run_error_falls_back_without_losing_findings(harness, github_server):
    for status in (404, 422, 500):
        github_server.failures.clear()
        github_server.fail("POST", r"/check-runs$", status, "nope")
        before = len(github_server.calls("POST", r"/check-runs$"))
        run = harness().run(make_result(12))
        assert len(github_server.calls("POST", r"/check-runs$")) == before + 1  # a POST is never retried
        assert len([c for c in run.commands() if " file=" in c]) == 12
        assert f"HTTP {status}" in run.summary and run.code == 1
        assert all(f"finding number {i}" in run.summary for i in range(12))


def test_a_huge_run_stays_within_every_github_limit(harness, github_server):
    run = harness().run(make_result(3_000, messages=lambda i: f"finding {i} " + "x" * 400))
    (post,) = github_server.calls("POST", r"/check-runs$")
    patches = github_server.calls("PATCH", r"/check-runs/\d+$")
    assert len(patches) == 49  # 2,500 annotations in 50 requests, then the cap
    (run_id,) = github_server.state.check_runs
    assert len(github_server.state.annotations[run_id]) == 2_500
    assert "500 findings are not annotated here" in post.body["output"]["summary"]
    assert all(len(r.body["output"]["text"]) <= 65_535 for r in [post, *patches])
    (comment,) = github_server.state.comments.values()
    assert len(comment["body"]) <= 65_536
    assert len(run.summary.encode("utf-8")) <= 1_048_576
    findings = json.loads(run.outputs()["findings"])
    assert 1_000 < len(findings) < 3_000 and len(run.outputs_text.encode("utf-8")) < 1_000_000
    assert f"the findings output holds the first {len(findings)} of 3000 findings" in run.stdout
    assert "finding 2999 " in run.stdout  # the log has everything


def test_sticky_comment_is_found_on_a_later_page(harness, github_server):
    for i in range(130):
        if i == 120:
            sticky = github_server.add_comment(7, "<!-- aiospo-ci -->\nold report", user=BOT)
        else:
            github_server.add_comment(7, f"review comment {i}")
    harness().run(make_result(2))
    pages = github_server.calls("GET", r"/issues/7/comments$")
    assert [r.query.get("page", ["1"])[0] for r in pages] == ["1", "2"]
    (edit,) = github_server.calls("PATCH", r"/issues/comments/\d+$")
    assert edit.path.endswith(f"/{sticky}")
    assert not github_server.calls("POST", r"/issues/7/comments$")


def test_unwritable_summary_and_outputs_do_not_change_the_verdict(harness, github_server, tmp_path):
    h = harness()
    env = h.env()
    (tmp_path / "a-folder").mkdir()
    env["GITHUB_STEP_SUMMARY"] = env["GITHUB_OUTPUT"] = str(tmp_path / "a-folder")
    import io

    from aiospo_ci.action.main import run as action_run

    out = io.StringIO()
    code = action_run(env, out, check=lambda options: (make_result(3), {"config": {}}))
    assert code == 1
    assert "::warning title=aiospo-ci::could not write the job summary" in out.getvalue()
    assert "::warning title=aiospo-ci::could not write the step outputs" in out.getvalue()
    assert "finding number 2" in out.getvalue()
    assert len(github_server.calls("POST", r"/check-runs$")) == 1  # the rest of the reporting went on


def test_a_transient_server_error_on_a_read_is_retried(harness, github_server):
    github_server.fail("GET", r"/issues/7/comments$", 502, "Bad Gateway", times=1)
    run = harness().run(make_result(2))
    assert len(github_server.calls("GET", r"/issues/7/comments$")) == 2  # failed once, retried
    assert len(github_server.calls("POST", r"/issues/7/comments$")) == 1
    assert "GitHub API" not in run.summary  # nothing to report: it worked
