"""Strings from scanned files are data, never Rego, and never break out of a report.

Hostile model ids, expressions and file names (quotes, backslashes, `"}`, `::`, `%0A`,
newlines, `|`, backticks, `-->`, `<!--`) are put in a tree; the whole CLI checks it through
the OPA REST API (FakeOpaServer records every request). They must reach OPA only inside the
JSON input of the one query, come out intact in the JSON report, escaped in SARIF (valid JSON,
percent-encoded URIs) and on one line each in the text report. Both engines must compute the
same findings from them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.robustness.harness import write_tree
from tests.support.opa_reference import require_opa_bindings
from tests.support.opa_server import FakeOpaServer

PAYLOADS = ['q"uote', "back\\slash", '"}', "a::b", "%0A", "new\nline", "pi|pe", "back`tick", "-->", "<!--", "cr\rlf", "esc\x1b[31m"]
# Each payload carries a marker no policy or data file contains, so its presence anywhere is
# unambiguous.
HOSTILE = [f"ZQ{i}{p}" for i, p in enumerate(PAYLOADS)]


def hostile_tree(root: Path) -> Path:
    lines = ["from transformers import AutoModel, pipeline", "import os", ""]
    for i, h in enumerate(HOSTILE):
        braces = h.replace("{", "{{").replace("}", "}}")
        lines += [
            f"local{i} = AutoModel.from_pretrained({('./models/' + h)!r})",  # a local path, verbatim
            f"env{i} = AutoModel.from_pretrained(os.environ[{h!r}])",  # unresolved: the expression text
            f"fstr{i} = pipeline('text-generation', model=f{('org/{x}' + braces)!r})",
        ]
    files: dict[str, str] = {"src/app.py": "\n".join(lines) + "\n"}
    for h in HOSTILE:
        # a hostile file name holding an ordinary Hub reference: the name rides on its findings
        files[f"src/evil_{h}.py"] = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("openai-community/gpt2")\n'
    return write_tree(root, files)


def hostile_file_names() -> set[str]:
    return {f"src/evil_{h}.py" for h in HOSTILE}


def local_ids() -> set[str]:
    return {"./models/" + h for h in HOSTILE}


@pytest.fixture
def tree(tmp_path) -> Path:
    return hostile_tree(tmp_path / "hostile")


def check(cli, root: Path, fmt: str, *extra: str):
    out = root.parent / f"report.{fmt}"
    run = cli("check", str(root), "--offline", "--format", fmt, "-o", str(out), "--fail-on", "never", *extra)
    assert run.rc == 0, run
    return run, out.read_text(encoding="utf-8")


def test_the_scanner_carries_the_hostile_strings_verbatim(cli, tree):
    """Guards the tests below: the strings really reach the references."""
    run = cli("scan", str(tree), "--format", "json")
    assert run.rc == 0, run
    scan = json.loads(run.stdout)
    assert {r["file"] for r in scan["references"]} >= hostile_file_names()
    assert {r["id"] for r in scan["references"]} >= local_ids()
    unresolved = [r["id"] for r in scan["references"] if r["source"] == "unresolved"]
    assert all(any(f"ZQ{i}" in u for u in unresolved) for i in range(len(HOSTILE)))


def test_hostile_strings_reach_opa_only_as_json_input(cli, tree):
    with FakeOpaServer() as opa:
        _, text = check(cli, tree, "json", "--engine", "opa", "--opa-url", opa.url)
        requests = list(opa.requests)
    uploads = [r for r in requests if r.method == "PUT"]
    assert uploads and all(r.path.startswith(("/v1/policies/aiospo-ci/", "/v1/data/")) for r in uploads)
    for r in uploads:  # no policy or data upload carries anything from the scanned tree
        assert b"ZQ" not in r.body and b"ZQ" not in r.path.encode(), r.path
    queries = [r for r in requests if r.method == "POST"]
    assert len(queries) == 1 and queries[0].path.endswith("/aiospo/main/findings?strict-builtin-errors=true")
    sent = json.loads(queries[0].body)["input"]  # valid JSON, the strings inside it verbatim
    # References that differ only in their file are sent once (policy/distinct.py): the hostile
    # names that are sent arrive verbatim.
    assert {r["file"] for r in sent["references"]} & hostile_file_names()
    assert {r["id"] for r in sent["references"]} >= local_ids()
    assert "ZQ" not in queries[0].path
    # the policies judged them as data: the same findings as the embedded engine
    _, embedded = check(cli, tree, "json", "--engine", "embedded")
    assert json.loads(text)["findings"] == json.loads(embedded)["findings"]


def test_embedded_and_opa_go_evaluator_agree_on_hostile_strings(cli, tree):
    """rego-cpp keeps strings in an escaped form internally; every message the policies build
    from a hostile string must still equal what OPA's own evaluator builds."""
    require_opa_bindings()
    _, embedded = check(cli, tree, "json", "--engine", "embedded")
    with FakeOpaServer(backend="opa-golib") as opa:
        _, via_opa = check(cli, tree, "json", "--engine", "opa", "--opa-url", opa.url)
    findings = json.loads(embedded)["findings"]
    assert findings == json.loads(via_opa)["findings"]
    messages = " ".join(f["message"] for f in findings)
    assert all(h in messages or h.replace("\\", "\\\\") in messages for h in HOSTILE[:3])
    assert all(not f["rule"].startswith('"') for f in findings)  # rule ids are plain text


def test_json_report_carries_the_strings_intact(cli, tree):
    _, text = check(cli, tree, "json", "--engine", "embedded")
    report = json.loads(text)
    assert {r["file"] for r in report["references"]} >= hostile_file_names()
    assert {r["id"] for r in report["references"]} >= local_ids()
    assert {f["file"] for f in report["findings"]} >= hostile_file_names()


def test_sarif_is_valid_json_with_encoded_uris(cli, tree):
    _, text = check(cli, tree, "sarif", "--engine", "embedded")
    sarif = json.loads(text)  # quotes, backslashes and control characters are escaped
    results = sarif["runs"][0]["results"]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r["locations"]]
    # every URI is a relative reference with no raw character a URI may not hold, and decodes
    # back to the file name exactly (a literal '%0A' in a name stays '%0A', not a newline)
    assert all(re.fullmatch(r"[A-Za-z0-9\-._~/%!$&'()*+,;=@]+", u) for u in uris), uris
    assert {unquote(u) for u in uris} >= hostile_file_names()
    assert not any(u.split("/")[0].count(":") for u in uris)  # never read as a URI scheme
    messages = " ".join(r["message"]["text"] for r in results)
    assert all(f"ZQ{i}" in messages for i in range(len(HOSTILE)))
    # the scan's SARIF too
    run = cli("scan", str(tree), "--format", "sarif")
    scan_uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(run.stdout)["runs"][0]["results"] for loc in r["locations"]]
    assert {unquote(u) for u in scan_uris} >= hostile_file_names()


LINE = re.compile(r"^(?:\S.*?: (?:deny|warn|info|waived|error) \S+ .*|warning: .*|aiospo-ci: .*)$")


@pytest.mark.parametrize("command", ["check", "scan"])
def test_text_report_keeps_every_finding_on_one_line(cli, tree, command):
    extra = ["--offline", "--engine", "embedded", "--fail-on", "never"] if command == "check" else []
    text = cli(command, str(tree), "--format", "text", *extra)
    data = cli(command, str(tree), "--format", "json", *extra)
    assert text.rc == data.rc == 0, text
    report = json.loads(data.stdout)
    lines = text.stdout.splitlines()
    if command == "check":
        expected = len(report["findings"]) + len(report["errors"]) + len(report["warnings"]) + 1
    else:
        expected = len(report["references"]) + len(report["errors"]) + 1
    assert len(lines) == expected, text
    assert len(text.stdout.split("\n")) == expected + 1  # no bare CR, no other line break
    assert not any(ch in text.stdout for ch in "\r\x1b\u2028\u2029")
    if command == "check":
        assert all(LINE.match(line) for line in lines), [line for line in lines if not LINE.match(line)]
    assert lines[-1].startswith("aiospo-ci: ")  # the summary is the last line, not forged
    # the names are there, with their control characters written as escapes
    assert "src/evil_ZQ5new\\nline.py:2:" in text.stdout
    assert "src/evil_ZQ10cr\\rlf.py:2:" in text.stdout
    assert "src/evil_ZQ3a::b.py:2:" in text.stdout
