"""The Action's pieces on their own: inputs, events, escaping, size limits, outputs."""

from __future__ import annotations

import json

import pytest

from aiospo_ci.action.event import load_event
from aiospo_ci.action.inputs import ActionInputs
from aiospo_ci.action.outputs import format_outputs
from aiospo_ci.errors import AiospoError
from aiospo_ci.report.github import GithubReport, command, escape_data, escape_property
from aiospo_ci.report.markdown import COMMENT_LIMIT, SUMMARY_LIMIT, MarkdownReport, code, text
from tests.action.conftest import HEAD_SHA, MERGE_SHA, make_result, pr_event


def test_inputs_defaults_and_parsing():
    defaults = ActionInputs.from_env({})
    assert (defaults.annotations, defaults.comment, defaults.fail_on, defaults.only_changed, defaults.offline) == ("checks", "always", None, False, None)
    parsed = ActionInputs.from_env({"INPUT_PATHS": ".", "INPUT_ONLY_CHANGED": "TRUE", "INPUT_OFFLINE": "false", "INPUT_POLICY_DIRS": "a\n\n b ,c"})
    assert parsed.paths == () and parsed.only_changed is True and parsed.offline is False
    assert parsed.policy_dirs == ("a", "b", "c")


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("fail_on", "error", "input fail_on: 'error' is not one of deny, warn, never"),
        ("annotations", "both", "input annotations: 'both' is not one of checks, commands, none"),
        ("comment", "sometimes", "input comment: 'sometimes' is not one of always, on-failure, never"),
        ("only_changed", "maybe", "input only_changed: 'maybe' is not true or false"),
    ],
)
def test_bad_inputs_name_the_input(name, value, message):
    with pytest.raises(AiospoError, match=message):
        ActionInputs.from_env({f"INPUT_{name.upper()}": value})


def test_tokens_are_not_in_the_inputs_repr():
    inputs = ActionInputs.from_env({"INPUT_GITHUB_TOKEN": "ghs_abcdefgh", "INPUT_HF_TOKEN": "hf_abcdefgh", "INPUT_OPA_TOKEN": "opa_abcdefgh"})
    assert inputs.github_token == "ghs_abcdefgh"
    assert "abcdefgh" not in repr(inputs)


def _write(tmp_path, payload) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload) if not isinstance(payload, str) else payload)
    return str(path)


def test_pull_request_event_annotates_the_head_not_the_merge_commit(tmp_path):
    for name in ("pull_request", "pull_request_target"):
        event = load_event({"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": _write(tmp_path, pr_event(9, "fork/app")), "GITHUB_SHA": MERGE_SHA, "GITHUB_REPOSITORY": "acme/app"})
        assert (event.pr_number, event.sha, event.base_sha, event.is_fork) == (9, HEAD_SHA, "b" * 40, True)


def test_push_and_dispatch_events(tmp_path):
    push = load_event({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": _write(tmp_path, {"before": "0" * 40, "after": "e" * 40}), "GITHUB_SHA": "e" * 40})
    assert (push.sha, push.base_sha, push.is_pull_request) == ("e" * 40, None, False)  # a new branch has no before
    push = load_event({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": _write(tmp_path, {"before": "d" * 40, "after": "e" * 40})})
    assert push.base_sha == "d" * 40
    dispatch = load_event({"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": _write(tmp_path, {"inputs": {}}), "GITHUB_SHA": "f" * 40, "GITHUB_REPOSITORY": "acme/app"})
    assert (dispatch.sha, dispatch.pr_number, dispatch.repository) == ("f" * 40, None, "acme/app")


def test_bad_event_files_are_one_sentence(tmp_path):
    with pytest.raises(AiospoError, match="not valid JSON"):
        load_event({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": _write(tmp_path, "{nope")})
    with pytest.raises(AiospoError, match="cannot read the event file"):
        load_event({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")})
    with pytest.raises(AiospoError, match="without pull_request.number"):
        load_event({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": _write(tmp_path, {"pull_request": {}})})


def test_workflow_command_escaping_matches_actions_toolkit():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("error", "m::x\n::error::y", {"file": "a,b:c.py", "line": 3, "col": None}) == "::error file=a%2Cb%3Ac.py,line=3::m::x%0A::error::y"


def test_github_report_renders_one_command_per_unwaived_finding_and_the_limit_note():
    out = GithubReport().render_check(make_result(30, waived=frozenset({0})))
    lines = out.splitlines()
    assert len([l for l in lines if " file=" in l]) == 29
    assert lines[-1].startswith("::notice title=aiospo-ci::GitHub shows at most 10 errors and 10 warnings per step")
    assert "this run has 10 warnings" not in lines[-1] and "this run has" not in lines[-1]  # 9 errors, 10 warnings: within the limits
    over = GithubReport().render_check(make_result(60)).splitlines()[-1]
    assert "this run has 20 errors and 20 warnings" in over


def test_markdown_text_and_code_escaping():
    assert text("a|b <x> @me *y*") == "a\\|b &lt;x&gt; @&#8203;me \\*y\\*"
    assert code("a`b|c") == "`` a`b\\|c ``"
    assert code("a`b|c", table=False) == "`` a`b|c ``"
    assert code("") == "` `"
    # block markers only matter at the start of a line (a note in a blockquote starts one)
    assert [text(v) for v in ("# h", "- i", "1. o", "> q", "a-b.c (x)")] == ["\\# h", "\\- i", "1\\. o", "&gt; q", "a-b.c (x)"]


def test_comment_stays_within_githubs_limit_and_says_what_was_cut():
    result = make_result(6_000, messages=lambda i: f"finding {i} " + "x" * 300)
    body = MarkdownReport(limit=COMMENT_LIMIT).render_check(result)
    assert len(body.encode("utf-8")) <= COMMENT_LIMIT
    assert body.startswith("<!-- aiospo-ci -->\n")
    assert "#### :x: Denied (2000)" in body and "finding 0 " in body
    assert "more findings: see the job summary" in body
    assert "more references: see the job summary" in body or "more models" in body
    assert body.count("<details>") == body.count("</details>") <= 1
    summary = MarkdownReport(limit=SUMMARY_LIMIT).render_check(result)
    assert COMMENT_LIMIT < len(summary.encode("utf-8")) <= SUMMARY_LIMIT
    small = MarkdownReport(limit=COMMENT_LIMIT).render_check(make_result(5))
    assert "more" not in small.replace("more findings", "")  # nothing cut when it fits
    assert "and 0 more" not in small


def test_outputs_use_a_delimiter_no_value_contains():
    text_out = format_outputs({"findings": '[{"message": "a\\nb"}]\nEOF\nx<<y', "deny_count": "3"})
    first = text_out.splitlines()[0]
    name, delimiter = first.split("<<")
    assert name == "findings" and delimiter.startswith("ghadelimiter_") and len(delimiter) > 20
    assert text_out.count(delimiter) == 2
    assert "deny_count<<" in text_out
