"""The terminal experience: rich tables and colour only on a TTY, NO_COLOR honoured, a progress
bar only on a TTY for more than a handful of lookups, --quiet and --verbose."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiospo_ci.console import PROGRESS_MIN_ITEMS, Console
from aiospo_ci.model import CheckResult, Finding, HubFacts, ModelReference, ScanResult
from aiospo_ci.report.text import TextReport

ESC = "\x1b["


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _result() -> CheckResult:
    refs = (
        ModelReference(file="src/app.py", line=4, id="facebook/nllb-200-distilled-600M", call="transformers.pipeline"),
        ModelReference(file="src/ok.py", line=2, id="google-bert/bert-base-uncased", call="transformers.AutoModel.from_pretrained"),
    )
    facts = (HubFacts(id=refs[0].id, origin="lockfile"), HubFacts(id=refs[1].id, origin="cache"))
    findings = (
        Finding(severity="deny", rule="license/non-commercial", message="non-commercial license", ref=0),
        Finding(severity="warn", rule="pinning/unpinned", message="no revision", ref=1),
    )
    return CheckResult(root="/r", scan=ScanResult(references=refs, files_scanned=2), facts=facts, findings=findings, rules={"a": {}})


def _console(stdout, stderr=None, env=None, **kw) -> Console:
    return Console(stdout=stdout, stderr=stderr or io.StringIO(), env={"TERM": "xterm-256color"} if env is None else env, **kw)


def test_pipes_get_the_plain_report():
    console = _console(io.StringIO())
    assert not console.wants_rich_report(None, "text")


def test_a_terminal_gets_a_coloured_table():
    out = Tty()
    console = _console(out)
    assert console.wants_rich_report(None, "text")
    assert not console.wants_rich_report("report.txt", "text")  # a file is never decorated
    assert not console.wants_rich_report(None, "json")
    console.print_check(_result())
    text = out.getvalue()
    assert ESC in text  # colour
    for cell in ("where", "severity", "src/app.py:4", "license/non-commercial", "deny", "non-commercial license"):
        assert cell in text
    assert "1 denied, 1 warnings" in text


def test_quiet_terminal_table_has_no_summary():
    out = Tty()
    _console(out, quiet=True).print_check(_result())
    assert "src/app.py:4" in out.getvalue() and "denied" not in out.getvalue()


def test_no_color_keeps_the_table_and_drops_the_colour():
    out = Tty()
    _console(out, env={"NO_COLOR": "1", "TERM": "xterm-256color"}).print_check(_result())
    text = out.getvalue()
    assert ESC not in text
    assert "src/app.py:4" in text and "severity" in text


def test_progress_bar_only_on_a_terminal_and_for_more_than_a_handful():
    err = Tty()
    with _console(io.StringIO(), err).progress("Asking the Hub") as update:
        assert update is not None
        for done in range(1, PROGRESS_MIN_ITEMS):
            update(done, PROGRESS_MIN_ITEMS - 1)
    assert err.getvalue() == ""  # a handful: no bar
    err = Tty()
    with _console(io.StringIO(), err).progress("Asking the Hub") as update:
        for done in range(1, 21):
            update(done, 20)
    assert "Asking the Hub" in err.getvalue()
    with _console(io.StringIO(), io.StringIO()).progress("x") as update:
        assert update is None  # not a terminal
    with _console(io.StringIO(), Tty(), quiet=True).progress("x") as update:
        assert update is None  # --quiet


def test_quiet_and_verbose_messages():
    err = io.StringIO()
    quiet = _console(io.StringIO(), err, quiet=True, verbose=True)
    quiet.info("wrote x")
    quiet.detail("scan: ...")
    assert err.getvalue() == ""
    err = io.StringIO()
    verbose = _console(io.StringIO(), err, verbose=True)
    verbose.info("wrote x")
    verbose.detail(Console.stage_summary(_result()))
    assert err.getvalue().splitlines() == [
        "aiospo-ci: wrote x",
        "aiospo-ci: scan: 2 files, 2 references, 0 errors, 0 skipped; hub facts: 1 from cache, 1 from lockfile; policy: 2 findings from 1 known rules",
    ]


def test_quiet_plain_report_keeps_findings_and_drops_the_summary():
    text = TextReport().render_check(_result())
    quiet = Console.without_summary(text)
    assert quiet.splitlines() == text.splitlines()[:-1]
    assert quiet.splitlines()[0].startswith("src/app.py:4: deny license/non-commercial ")


@pytest.mark.parametrize("secret", ["hf_abcdefghijklmnopqrstuvwxyz0123456789"])
def test_terminal_messages_are_redacted(secret, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", secret)
    err = Tty()
    _console(io.StringIO(), err).info(f"token {secret} leaked?")
    assert secret not in err.getvalue()


# -- the real command on a real pseudo-terminal --------------------------------------------


DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"


def _check_demo(tmp_path: Path, *, tty: bool, extra_env: dict[str, str] | None = None) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AIOSPO_CACHE_DIR": str(tmp_path / "cache"), "TERM": "xterm-256color", "COLUMNS": "200"}
    env.update(extra_env or {})
    cmd = [sys.executable, "-m", "aiospo_ci", "check", "--offline", str(DEMO)]
    if not tty:
        run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        assert run.returncode == 1, run.stderr
        return run.stdout
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 1
    return b"".join(chunks).decode("utf-8", "replace")


def test_check_on_a_terminal_is_a_coloured_table_and_plain_in_a_pipe(tmp_path):
    piped = _check_demo(tmp_path, tty=False)
    assert ESC not in piped
    assert re.search(r"^src/app\.py:27: deny license/category ", piped, flags=re.MULTILINE)
    on_tty = _check_demo(tmp_path, tty=True)
    assert ESC in on_tty
    assert "severity" in on_tty and "src/app.py:27" in on_tty and "license/category" in on_tty
    no_color = _check_demo(tmp_path, tty=True, extra_env={"NO_COLOR": "1"})
    assert ESC not in no_color and "severity" in no_color  # still the table, without colour
