"""Strings from the scanned tree are data: hostile model ids, file names and messages cannot
break out of markdown (tables, code spans, the marker comment) or forge workflow commands, and
the tokens never appear in anything the Action writes or sends."""

from __future__ import annotations

import json
import re

from markdown_it import MarkdownIt

from aiospo_ci.model import Finding
from tests.action.conftest import HF_TOKEN, TOKEN, make_result

HOSTILE_ID = "evil/m|x`y``z<!-- aiospo-ci -->@security-team\n::error::pwned-id <img src=x onerror=alert(1)> [l](http://e.example) -->"
HOSTILE_FILES = ["src/::warning file=x::own,3.py", "src/a|b`c%0A.py", "src/new\nline::error::pwned-file.py"]
HOSTILE_MESSAGE = "bad\n::error::forged %0A ``` </details> <!-- x --> | cell | @org/team #1 $x$ ~~y~~"


def hostile_result():
    return make_result(
        3,
        ids=lambda i: HOSTILE_ID + str(i),
        files=lambda i: HOSTILE_FILES[i],
        messages=lambda i: HOSTILE_MESSAGE,
    )


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Split a workflow command as the runner does, and unescape it."""
    m = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert m, line
    name, props, message = m.groups()

    def unescape(v: str, prop: bool) -> str:
        if prop:
            v = v.replace("%3A", ":").replace("%2C", ",")
        return v.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")

    properties = {}
    for part in (props or "").split(","):
        if part:
            key, _, value = part.partition("=")
            properties[key] = unescape(value, True)
    return name, properties, unescape(message, False)


def render(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def test_hostile_names_cannot_forge_workflow_commands(harness, github_server):
    run = harness(inputs={"annotations": "commands"}).run(hostile_result())
    commands = run.commands()
    assert not [c for c in commands if c.startswith(("::error::pwned", "::error::forged"))]
    assert {parse_command(c)[0] for c in commands} <= {"error", "warning", "notice", "group", "endgroup"}
    annotated = [parse_command(c) for c in commands if " file=" in c]
    assert len(annotated) == 3
    assert sorted(props["file"] for _, props, _ in annotated) == sorted(HOSTILE_FILES)
    for _, props, message in annotated:
        assert message.startswith(HOSTILE_MESSAGE)
        assert HOSTILE_ID in message
        assert "\n" not in props["title"]
    # the text report of the same findings stays inside a stop-commands block
    assert "::error::pwned-id" in run.stdout  # it is printed...
    assert not any(c.startswith("::error::pwned") for c in commands)  # ...but never as a command


def test_hostile_names_stay_inside_markdown_tables_and_code(harness, github_server):
    run = harness().run(hostile_result())
    (comment,) = github_server.state.comments.values()
    for markdown in (comment["body"], run.summary):
        assert markdown.startswith("<!-- aiospo-ci -->\n")  # what the sticky search looks for
        html = render(markdown)
        assert html.count("<!--") == 1  # only the marker: no hostile text became a comment
        assert "<img" not in html and "<a href" not in html and "</details>" in html
        assert html.count("<details>") == 1 and html.count("</details>") == 1
        # nobody is mentioned: GitHub links @names in text, never inside code
        prose = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
        assert "@security-team" not in prose and "@org/team" not in prose and "@" in prose
        tables = re.findall(r"<table>.*?</table>", html, re.S)
        models, inventory = tables[0], tables[1]
        for row in re.findall(r"<tr>(.*?)</tr>", models, re.S)[1:]:
            assert len(re.findall(r"<td>", row)) == 5
            assert "<code>" in row and "evil/m|x`y``z&lt;!-- aiospo-ci --&gt;@security-team ::error::pwned-id" in row
        for row in re.findall(r"<tr>(.*?)</tr>", inventory, re.S)[1:]:
            assert len(re.findall(r"<td>", row)) == 9
        # the findings list: every message is one list item with the text intact
        items = re.findall(r"<li>(.*?)</li>", html, re.S)
        assert len(items) == 3
        for item in items:
            assert "bad ::error::forged %0A ``` &lt;/details&gt; &lt;!-- x --&gt; | cell |" in item
            assert "<del>" not in item  # ~~y~~ stayed text (only waived findings are struck through)


def test_check_run_annotations_carry_hostile_text_verbatim(harness, github_server):
    harness().run(hostile_result())
    (run_id,) = github_server.state.check_runs
    stored = github_server.state.annotations[run_id]
    assert sorted(a["path"] for a in stored) == sorted(HOSTILE_FILES)  # JSON carries it as data
    assert all(a["message"].startswith(HOSTILE_MESSAGE) for a in stored)


def test_tokens_never_appear_in_any_output_or_request(harness, github_server):
    leaky = make_result(
        60,
        messages=lambda i: f"upstream error: 401 for token {TOKEN} and {HF_TOKEN}",
        ids=lambda i: f"org/m{i}-{HF_TOKEN}" if i == 0 else f"org/m{i}",
        run_level=(Finding(severity="warn", rule="hub/error", message=f"Authorization: Bearer {HF_TOKEN}"),),
    )
    run = harness(inputs={"sarif_file": "out/aiospo.sarif"}).run(leaky)
    github_server.fail("POST", r"/check-runs$", 403, "Resource not accessible by integration")
    fallback = harness(inputs={"sarif_file": "out/aiospo.sarif"}).run(leaky)

    artefacts = {
        "stdout": run.stdout + fallback.stdout,
        "outputs": run.outputs_text + fallback.outputs_text,
        "summary": run.summary + fallback.summary,
        "sarif": (run.workspace / "out/aiospo.sarif").read_text(),
    }
    for request in github_server.requests:
        artefacts[f"{request.method} {request.path}"] = request.raw.decode("utf-8") + json.dumps(request.query)
    for name, content in artefacts.items():
        assert TOKEN not in content, name
        assert HF_TOKEN not in content, name
    assert "***" in artefacts["summary"] and "***" in artefacts["sarif"]
    # the token was really used, in the one place it belongs: the Authorization header
    assert {r.headers.get("authorization") for r in github_server.requests} == {f"token {TOKEN}"}
    assert "\n" + "finding" not in TOKEN  # sanity: the token is a plain value
    assert len(json.loads(run.outputs()["findings"])) == 61
