"""Files the Action writes: the SARIF file must be inside the workspace (nothing else outlives
a Docker action's container) and belongs to the workspace's owner, not to the container's root."""

from __future__ import annotations

import os

import pytest

from tests.action.conftest import make_result


@pytest.mark.parametrize("where", ["/tmp/aiospo.sarif", "../outside.sarif", "linked/aiospo.sarif", "."])
def test_a_sarif_file_outside_the_workspace_is_no_verdict(harness, github_server, tmp_path, where):
    h = harness(inputs={"sarif_file": where})
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", h.workspace / "linked")  # a folder in the workspace that leads out of it
    run = h.run(make_result(3))
    assert run.code == 2
    assert f"input sarif_file {where}:" in run.stdout and "is not a file inside the workspace" in run.stdout
    assert not github_server.requests  # nothing claimed before the input is fixed
    assert not list((tmp_path / "elsewhere").iterdir()) and not (tmp_path / "outside.sarif").exists()


def test_the_sarif_file_and_its_folders_belong_to_the_workspace_owner(harness, github_server):
    assert os.geteuid() == 0, "this test needs root, as the Action's container runs (CI runs as root)"
    h = harness(inputs={"sarif_file": "reports/deep/aiospo.sarif"})
    os.chown(h.workspace, 4321, 4322)
    run = h.run(make_result(3))
    assert run.code == 1
    for path in (h.workspace / "reports", h.workspace / "reports/deep", h.workspace / "reports/deep/aiospo.sarif"):
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (4321, 4322), path


def test_the_decision_record_lands_in_the_workspace_owned_by_its_owner(harness, github_server):
    """The judged tree is a private copy of the pull request's head (the checkout is the merge
    commit); the record still goes to the real workspace, as the workspace's owner's file."""
    assert os.geteuid() == 0, "this test needs root, as the Action's container runs (CI runs as root)"
    h = harness(inputs={"decision_log": "audit/deep/decision.jsonl"})
    os.chown(h.workspace, 4321, 4322)
    run = h.run_real()
    assert run.code == 0, run.stdout
    assert run.outputs()["decision_log"] == "audit/deep/decision.jsonl"
    for path in (h.workspace / "audit", h.workspace / "audit/deep", h.workspace / "audit/deep/decision.jsonl"):
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (4321, 4322), path
    (line,) = (h.workspace / "audit/deep/decision.jsonl").read_text().splitlines()
    assert '"commit":"' + h.head + '"' in line.replace(" ", "")


@pytest.mark.parametrize("where", ["/tmp/decision.jsonl", "../outside.jsonl", "linked/decision.jsonl"])
def test_a_decision_record_outside_the_workspace_is_refused_and_the_verdict_stands(harness, github_server, tmp_path, where):
    h = harness(inputs={"decision_log": where})
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", h.workspace / "linked")
    run = h.run(make_result(3))
    assert run.code == 1  # the verdict, not no verdict: the record never changes it
    assert f"no decision record: input decision_log {where}: outside the workspace" in run.stdout
    assert "decision_log" not in run.outputs()
    assert not list((tmp_path / "elsewhere").iterdir()) and not (tmp_path / "outside.jsonl").exists()
