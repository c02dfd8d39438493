"""Writes that happen once: a check run's annotations are never appended twice (GitHub appends
on every PATCH, so a lost answer is read back, never resent), a POST whose answer was lost is
looked up before anything is concluded, the sticky comment is only ever the token's own, and
the advice for a failure matches the failure."""

from __future__ import annotations

from tests.action.conftest import TOKEN, make_result
from tests.support.github_server import BOT, PERSON

# The client gives up after this many seconds (AIOSPO_GITHUB_TIMEOUT); the server answers later.
TIMEOUT = {"AIOSPO_GITHUB_TIMEOUT": "1"}


def _stored(github_server) -> list[tuple[str, int]]:
    (run_id,) = github_server.state.check_runs
    return [(a["path"], a["start_line"]) for a in github_server.state.annotations[run_id]]


def _file_commands(run) -> list[str]:
    return [c for c in run.commands() if " file=" in c]


def test_a_patch_whose_answer_is_lost_is_read_back_not_resent(harness, github_server):
    # the second batch lands at once, but its answer comes after the client gave up
    github_server.slow("PATCH", r"/check-runs/\d+$", 2.5, applied="early")
    run = harness(extra_env=TIMEOUT).run(make_result(120))
    stored = _stored(github_server)
    assert len(stored) == 120 and len(set(stored)) == 120  # every annotation exactly once
    assert len(github_server.calls("PATCH", r"/check-runs/\d+$")) == 2  # never sent again
    assert github_server.calls("GET", r"/check-runs/\d+$")  # read back instead
    assert not _file_commands(run)  # nothing needed the fallback
    assert "GitHub API" not in run.summary
    assert "120 annotations in 3 requests" in run.stdout


def test_a_patch_that_lands_late_is_waited_for(harness, github_server):
    # the effect itself comes after the timeout: the read-back waits for it
    github_server.slow("PATCH", r"/check-runs/\d+$", 1.5, applied="late")
    run = harness(extra_env=TIMEOUT).run(make_result(120))
    stored = _stored(github_server)
    assert len(stored) == 120 and len(set(stored)) == 120
    assert not _file_commands(run)


def test_a_patch_that_never_lands_falls_back_for_the_rest_only(harness, github_server):
    github_server.fail("PATCH", r"/check-runs/\d+$", 503, "Service Unavailable", times=1)
    run = harness().run(make_result(120))
    stored = _stored(github_server)
    assert len(stored) == 50 and len(github_server.calls("PATCH", r"/check-runs/\d+$")) == 1
    commands = _file_commands(run)
    assert len(commands) == 70
    assert not ({f"file={p}," for p, _ in stored} & {c.split(" ", 1)[1].split("line=")[0] for c in commands})
    assert "HTTP 503" in run.summary and "not a permissions problem" in run.summary
    assert "permissions: checks: write" not in run.summary


def test_a_post_whose_answer_is_lost_is_found_by_its_external_id(harness, github_server):
    # an earlier run's check run on the same commit must not be mistaken for this one
    github_server.state.next_id += 1
    old = github_server.state.next_id
    h = harness(extra_env=TIMEOUT)
    github_server.state.check_runs[old] = {"id": old, "name": "aiospo-ci", "head_sha": h.head, "status": "completed", "conclusion": "success",
                                           "external_id": "aiospo-ci/1/1/0000", "url": f"{github_server.url}/repos/acme/app/check-runs/{old}", "output": {}}
    github_server.state.annotations[old] = []
    github_server.slow("POST", r"/check-runs$", 2.5, applied="early")
    run = h.run(make_result(120))
    assert len(github_server.calls("POST", r"/check-runs$")) == 1  # never created twice
    mine = [r for r in github_server.state.check_runs if r != old]
    assert len(mine) == 1 and len(github_server.state.annotations[mine[0]]) == 120
    assert github_server.state.annotations[old] == []
    assert github_server.calls("GET", r"/commits/[0-9a-f]{40}/check-runs$")
    assert not _file_commands(run)


def test_a_post_that_timed_out_without_effect_falls_back_once(harness, github_server):
    github_server.slow("POST", r"/check-runs$", 2.5, applied="late")
    run = harness(extra_env=TIMEOUT).run(make_result(12))
    # the lookup found nothing (the run did not exist yet), so every annotation went out as a command
    assert len(_file_commands(run)) == 12 and len(github_server.calls("POST", r"/check-runs$")) <= 1
    assert "Timeout" in run.summary
    assert "not a permissions problem" in run.summary


def test_a_marker_comment_written_by_a_person_is_never_edited(harness, github_server):
    person = github_server.add_comment(7, "<!-- aiospo-ci -->\nI pasted the marker to confuse the bot", user=PERSON)
    harness().run(make_result(2))
    assert github_server.state.comments[person]["body"] == "<!-- aiospo-ci -->\nI pasted the marker to confuse the bot"
    assert not github_server.calls("PATCH", rf"/issues/comments/{person}$")
    (created,) = github_server.calls("POST", r"/issues/7/comments$")
    ours = max(github_server.state.comments)
    assert github_server.state.comments[ours]["user"]["login"] == BOT["login"]
    harness().run(make_result(3))  # the next push edits the bot's comment, still not the person's
    (edit,) = github_server.calls("PATCH", r"/issues/comments/\d+$")
    assert edit.path.endswith(f"/{ours}")
    assert github_server.state.comments[person]["body"].endswith("confuse the bot")


def test_with_a_personal_token_only_that_users_comment_is_ours(harness, github_server):
    me = {"login": "release-bot-user", "id": 99, "type": "User"}
    github_server.tokens[TOKEN] = me
    github_server.add_comment(7, "<!-- aiospo-ci -->\nfrom the app's bot", user=BOT)  # not this token's
    someone = github_server.add_comment(7, "<!-- aiospo-ci -->\nfrom someone", user=PERSON)
    harness().run(make_result(2))
    assert not github_server.calls("PATCH", r"/issues/comments/\d+$")
    ours = max(github_server.state.comments)
    assert github_server.state.comments[ours]["user"]["login"] == "release-bot-user"
    harness().run(make_result(2))
    (edit,) = github_server.calls("PATCH", r"/issues/comments/\d+$")
    assert edit.path.endswith(f"/{ours}") and someone != ours


def test_a_comment_post_whose_answer_is_lost_is_not_posted_twice(harness, github_server):
    github_server.slow("POST", r"/issues/7/comments$", 2.5, applied="early")
    run = harness(extra_env=TIMEOUT).run(make_result(2))
    assert len(github_server.state.comments) == 1
    assert "pull-request comment created" in run.stdout


def test_a_comment_edit_that_fails_on_githubs_side_is_repeated_once(harness, github_server):
    ours = github_server.add_comment(7, "<!-- aiospo-ci -->\nold", user=BOT)
    github_server.fail("PATCH", rf"/issues/comments/{ours}$", 502, "Bad Gateway", times=1)
    run = harness().run(make_result(2))
    assert len(github_server.calls("PATCH", rf"/issues/comments/{ours}$")) == 2  # replacing a body twice is harmless
    assert "1 denied" in github_server.state.comments[ours]["body"]
    assert "GitHub API" not in run.summary


def test_advice_matches_the_failure(harness, github_server):
    cases = {
        (403, "Resource not accessible by integration"): "permissions: checks: write",
        (401, "Bad credentials"): "GitHub refused the token",
        (404, "Not Found"): "the token cannot see acme/app",
        (403, "API rate limit exceeded for installation"): "rate limit was reached",
        (500, "Internal Server Error"): "not a permissions problem",
        (502, "Bad Gateway"): "not a permissions problem",
        (422, "Invalid request"): "bug in aiospo-ci",
    }
    for (status, message), advice in cases.items():
        github_server.failures.clear()
        github_server.fail("POST", r"/check-runs$", status, message)
        run = harness().run(make_result(3))
        assert run.code == 1
        assert advice in run.summary.replace("\\", ""), (status, message, run.summary[-600:])
        if status >= 500:
            assert "permissions:" not in run.summary.split("### GitHub API")[1]
    # the comment's advice too: a timeout on reading the comments is not a permissions problem
    github_server.failures.clear()
    github_server.slow("GET", r"/issues/7/comments$", 2.5, times=None)
    run = harness(extra_env=TIMEOUT).run(make_result(3))
    api = run.summary.split("### GitHub API")[1]
    assert "comment could not be written" in api and "not a permissions problem" in api and "pull-requests: write" not in api
