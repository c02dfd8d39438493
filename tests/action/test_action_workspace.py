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
