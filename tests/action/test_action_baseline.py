"""The baseline in the Action: recorded findings pass the check, are not annotated, and the
summary says how many the baseline absorbed (a baseline relaxes the gate, so never unseen)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.action.test_action_demo_e2e import DEMO, _env
from tests.e2e.test_demo import TODAY, run


def test_the_action_honours_the_baseline_and_says_what_it_absorbed(tmp_path, github_server):
    demo = tmp_path / "workspace"
    shutil.copytree(DEMO, demo)
    written = run("baseline", "--offline", "--today", TODAY, str(demo), tmp=tmp_path)
    assert written.returncode == 0, written.stderr
    env = _env(tmp_path, demo, github_server.url)
    action = subprocess.run([sys.executable, "-m", "aiospo_ci.action"], env=env, capture_output=True, text=True, timeout=300)
    assert action.returncode == 0, action.stdout + action.stderr
    summary = (tmp_path / "summary.md").read_text()
    assert "0 denied, 0 warnings, 2 notes, 0 waived, 8 baselined" in summary
    assert "Baselined (accepted findings" in summary and "8 findings recorded there did not fail the check" in summary
    (run_id,) = github_server.state.check_runs
    assert github_server.state.check_runs[run_id]["conclusion"] == "success"
    assert len(github_server.state.annotations[run_id]) == 2  # the two notes; baselined findings are not annotated
