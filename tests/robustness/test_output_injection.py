"""Output cannot be turned against its reader (issue 11 §5).

The tree under review names its files and writes its model references; those strings reach
every report. Here they are chosen to attack the reader: lines GitHub's runner reads as workflow
commands (`::warning ...`, `::stop-commands::`, the legacy `##[error]`), terminal escapes and
other control characters, and secret values wrapped in the characters each format escapes, so
that redaction applied after escaping would miss them. Every command and format runs as a
whole process; every byte it prints or writes is checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.robustness.harness import QUIET_CONFIG, write_tree

# -- lines the runner reads as workflow commands ---------------------------------------------

COMMAND_NAMES = [
    "::warning title=forged::forged annotation.py",
    "::stop-commands::pwned.py",
    "::add-mask::visible.py",
    " ::error::leading space.py",
    "##[error]legacy.py",
    "x ##[warning]inside.py",
]
UNPINNED = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("openai-community/gpt2")\n'


def runner_command(line: str) -> bool:
    """Whether GitHub's runner would act on this log line: a `::` command after leading
    whitespace (TryParseV2), or the legacy `##[` command anywhere in it (TryParse)."""
    return line.lstrip().startswith("::") or "##[" in line


@pytest.fixture
def command_tree(tmp_path) -> Path:
    files = {f"{folder}{name}": UNPINNED for name in COMMAND_NAMES for folder in ("", "src/")}
    files["src/ids.py"] = (
        "import os\nfrom transformers import AutoModel\n"
        'a = AutoModel.from_pretrained("./models/##[error]local")\n'
        'b = AutoModel.from_pretrained(os.environ["X\\n::error::forged in an expression"])\n'
    )
    # a configuration value that reaches an error message
    files[".aiospo.yaml"] = QUIET_CONFIG
    return write_tree(tmp_path / "commands", files)


def test_the_runner_predicate_recognises_commands():
    """Guards the tests below: what the runner acts on is recognised."""
    assert runner_command("::warning::x") and runner_command("   ::stop-commands::t") and runner_command("a ##[error]b")
    assert not runner_command("src/a.py:1: deny x") and not runner_command('  "::x"')


def check_outputs(cli, root: Path, tmp_path: Path, *extra: str) -> dict[str, str]:
    """Every check and scan format, on stdout and in files, with stderr: name -> text."""
    out: dict[str, str] = {}
    for fmt in ("text", "json", "sarif", "markdown", "github"):
        run = cli("check", str(root), "--offline", "--engine", "embedded", "--format", fmt, "--fail-on", "never", "--verbose", *extra)
        assert run.rc == 0, run
        out[f"check-{fmt}"], out[f"check-{fmt}-stderr"] = run.stdout, run.stderr
        file = tmp_path / f"report.{fmt}"
        written = cli("check", str(root), "--offline", "--engine", "embedded", "--format", fmt, "--fail-on", "never", "-o", str(file), *extra)
        assert written.rc == 0, written
        out[f"check-{fmt}-file"] = file.read_text(encoding="utf-8")
        out[f"check-{fmt}-file-stderr"] = written.stderr
    for fmt in ("text", "json", "sarif"):
        run = cli("scan", str(root), "--format", fmt, *extra)
        assert run.rc == 0, run
        out[f"scan-{fmt}"], out[f"scan-{fmt}-stderr"] = run.stdout, run.stderr
    explained = cli("check", str(root), "--offline", "--engine", "embedded", "--explain", "--fail-on", "never", *extra)
    assert explained.rc == 0, explained
    out["check-explain"], out["check-explain-stderr"] = explained.stdout, explained.stderr
    return out


def test_no_output_line_is_a_workflow_command(cli, command_tree, tmp_path):
    outputs = check_outputs(cli, command_tree, tmp_path)
    scan = json.loads(outputs["scan-json"])
    assert {r["file"] for r in scan["references"]} >= set(COMMAND_NAMES)  # the names are real, at the root too
    for name, text in outputs.items():
        if name.startswith("check-github") and not name.endswith("stderr"):
            continue  # workflow commands on purpose: judged below
        forged = [line for line in text.splitlines() if runner_command(line)]
        assert forged == [], f"{name} has lines the runner would act on: {forged}"
    # the github format: exactly one command per finding (plus the note), each an annotation
    report = json.loads(outputs["check-json"])
    lines = outputs["check-github"].splitlines()
    unwaived = [f for f in report["findings"] if not f["waived"]]
    assert len(lines) == len(unwaived) + 1, outputs["check-github"]
    assert all(re.match(r"^::(error|warning|notice) ", line) for line in lines), lines
    assert not any("::stop-commands" in line.split("::", 2)[1] for line in lines)
    files = {unquote(m.group(1).replace("%3A", ":").replace("%2C", ",")) for m in (re.search(r"file=([^,:]*)", ln) for ln in lines) if m}
    assert files >= set(COMMAND_NAMES)


def test_an_error_message_with_a_forged_line_stays_one_line(cli, tmp_path):
    """A value from .aiospo.yaml that reaches the error sentence on stderr."""
    root = write_tree(tmp_path / "bad", {"src/app.py": UNPINNED, ".aiospo.yaml": 'policy_dirs: ["missing\\n::error file=x::forged"]\n'})
    run = cli("check", str(root), "--offline", "--engine", "embedded")
    assert run.rc == 2, run
    assert "forged" in run.stderr, run
    assert [line for line in run.stderr.splitlines() if runner_command(line)] == [], run.stderr


# -- control characters -----------------------------------------------------------------------

# C0 controls, DEL, C1 controls (0x9b is the 8-bit CSI), line and paragraph separators, and the
# bidirectional overrides that reorder what a reader sees ("Trojan Source").
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CONTROL_NAMES = ["esc\x1b[31mred", "bell\x07", "del\x7f", "csi\x9b31m", "rlo\u202egnp.exe", "ls\u2028sep", "tab\there", "vt\x0bvt"]


@pytest.fixture
def control_tree(tmp_path) -> Path:
    files: dict[str, str] = {f"src/{name}.py": UNPINNED for name in CONTROL_NAMES}
    lines = ["import os", "from transformers import AutoModel"]
    lines += [f"m{i} = AutoModel.from_pretrained({('./models/' + n)!r})" for i, n in enumerate(CONTROL_NAMES)]
    files["src/local.py"] = "\n".join(lines) + "\n"
    files[".aiospo.yaml"] = QUIET_CONFIG
    return write_tree(tmp_path / "controls", files)


def test_no_control_character_reaches_any_output_raw(cli, control_tree, tmp_path):
    outputs = check_outputs(cli, control_tree, tmp_path)
    scan = json.loads(outputs["scan-json"])
    assert {r["file"] for r in scan["references"]} >= {f"src/{n}.py" for n in CONTROL_NAMES}  # carried as data
    assert {r["id"] for r in scan["references"]} >= {f"./models/{n}" for n in CONTROL_NAMES}
    for name, text in outputs.items():
        raw = sorted({repr(m.group()) for m in UNSAFE.finditer(text)})
        assert raw == [], f"{name} holds raw control characters {raw}"
    # JSON and SARIF still carry the exact names, escaped
    report = json.loads(outputs["check-json-file"])
    assert {f["file"] for f in report["findings"]} >= {f"src/{n}.py" for n in CONTROL_NAMES}
    sarif = json.loads(outputs["check-sarif-file"])
    uris = {unquote(loc["physicalLocation"]["artifactLocation"]["uri"]) for r in sarif["runs"][0]["results"] for loc in r["locations"]}
    assert uris >= {f"src/{n}.py" for n in CONTROL_NAMES}


# -- redaction survives every format's escaping -------------------------------------------------

# Secret values built from distinctive runs separated by the characters each format escapes:
# markdown (`_ | : ` < & [`), HTML entities, workflow commands (`% : ,`), URIs (all of them).
# A run that appears anywhere is a leak, however the characters around it were escaped.
SECRETS = {
    "HF_TOKEN": "hf_RunAlpha1|RunBravo2:RunCharlie3,RunDelta4%RunEcho5`RunFoxtrot6<RunGolf7&RunHotel8[RunIndia9",
    "GITHUB_TOKEN": "ghp_RunJuliet1_RunKilo2*RunLima3@RunMike4 RunNovember5",
}
RUNS = [run for value in SECRETS.values() for run in re.findall(r"Run[A-Za-z]+[0-9]", value)]


def leaked_runs(text: str) -> list[str]:
    return [run for run in RUNS if run in text]


def test_the_run_detector_finds_escaped_secrets():
    """Guards the test below: escaping leaves the runs readable, so a leak cannot hide."""
    from urllib.parse import quote

    token = SECRETS["HF_TOKEN"]
    for escaped in (token.replace("|", "\\|").replace("_", "\\_"), quote(token), token.replace(":", "%3A").replace(",", "%2C")):
        assert set(leaked_runs(escaped)) >= set(re.findall(r"Run[A-Za-z]+[0-9]", token))
    assert leaked_runs("*** and ***") == []


@pytest.fixture
def secret_tree(tmp_path) -> Path:
    """The secret values in a file name and in an expression: as if committed by mistake, or
    echoed back by a service, they reach every report as data."""
    token, github = SECRETS["HF_TOKEN"], SECRETS["GITHUB_TOKEN"]
    code = (
        "import os\nfrom transformers import AutoModel\n"
        f"a = AutoModel.from_pretrained(os.environ.get({token!r}))\n"
        f"b = AutoModel.from_pretrained({('./models/' + github)!r})\n"
    )
    return write_tree(tmp_path / "secrets", {"src/app.py": code, f"src/{token}.py": UNPINNED, ".aiospo.yaml": QUIET_CONFIG})


def test_redaction_survives_every_formats_escaping(cli, secret_tree, tmp_path):
    cli.env.update(SECRETS)
    outputs = check_outputs(cli, secret_tree, tmp_path)
    found = {name: leaked_runs(text) for name, text in outputs.items()}
    assert {k: v for k, v in found.items() if v} == {}
    # the values were really there to redact: the scan found the file and the expression
    assert "***" in outputs["scan-json"] and "***" in outputs["check-markdown"]
