"""only_changed: the verdict counts the findings the change decides. A reference is decided by
its own file (values resolve from anywhere in it), and every reference by the configuration,
the lockfile and the policies. Changed files come from `git diff --name-status -z` (any name)
or the pull request's files in the API."""

from __future__ import annotations

import json

from aiospo_ci.action.changed import Change, from_api_files, from_git, parse_name_status, scope_of
from aiospo_ci.action.git import Git
from aiospo_ci.model import ModelReference
from tests.action.conftest import make_pr_repo

LOAD = "from transformers import AutoModel\n"
# names git quotes in its plain output: a space, a tab, quotes, a backslash, non-ASCII, a newline
ODD_NAMES = ["src/my model.py", "src/tab\there.py", 'src/"quoted".py', "src/back\\slash.py", "src/ünïcødé 模型.py", "src/new\nline.py"]


def odd_repo(tmp_path):
    return make_pr_repo(
        tmp_path / "repo",
        {
            "src/app.py": LOAD + 'NAME = "org/app-model"\n\n\ndef load():\n    return AutoModel.from_pretrained(NAME)\n',
            "src/old name.py": LOAD + 'AutoModel.from_pretrained("org/moved-model")\n',
            "src/gone.py": LOAD + 'AutoModel.from_pretrained("org/gone-model")\n',
            "src/untouched.py": LOAD + 'AutoModel.from_pretrained("org/legacy-model")\n',
        },
        {
            # the pull request changes only the constant, far from the call that uses it
            "src/app.py": LOAD + 'NAME = "org/other-model"\n\n\ndef load():\n    return AutoModel.from_pretrained(NAME)\n',
            "src/gone.py": None,
            **{name: LOAD + f'AutoModel.from_pretrained("org/odd-{i}")\n' for i, name in enumerate(ODD_NAMES)},
        },
        renames={"src/old name.py": 'src/moved "v2".py'},
        base_moves={"src/untouched.py": LOAD + 'AutoModel.from_pretrained("org/legacy-model")\n# moved on\n'},
    )


def test_git_names_of_every_shape_parse_exactly(tmp_path):
    repo = odd_repo(tmp_path)
    changes = from_git(Git(repo.origin), repo.base, repo.head)
    assert changes is not None
    by_path = {c.path: c for c in changes}
    assert set(by_path) == {"src/app.py", "src/gone.py", 'src/moved "v2".py', *ODD_NAMES}
    assert by_path["src/gone.py"].status == "deleted"
    assert by_path['src/moved "v2".py'] == Change('src/moved "v2".py', "renamed", "src/old name.py")
    assert all(by_path[n].status == "added" for n in ODD_NAMES)
    # base...head: the base branch's own change to src/untouched.py is not the pull request's
    assert "src/untouched.py" not in by_path
    assert from_git(Git(repo.origin), "f" * 40, repo.head) is None  # a commit the checkout does not have
    assert from_git(Git(repo.origin), "--output=/tmp/x", repo.head) is None  # not a sha: never passed to git


def test_name_status_records():
    raw = b"M\0src/a b.py\0R087\0old\tname.py\0new\tname.py\0D\0gone.py\0A\0\xc3\xbc.py\0C100\0x.py\0y.py\0"
    assert parse_name_status(raw) == [
        Change("src/a b.py", "modified"),
        Change("new\tname.py", "renamed", "old\tname.py"),
        Change("gone.py", "deleted"),
        Change("ü.py", "added"),
        Change("y.py", "copied", "x.py"),
    ]


class _File:
    """The fields of PyGithub's File that the Action reads."""

    def __init__(self, filename, status, previous_filename=None):
        self.filename, self.status, self.previous_filename = filename, status, previous_filename


def test_api_files_keep_names_as_given_and_an_incomplete_list_is_unknown():
    files = [_File('src/"q" \t ü.py', "added"), _File("b.py", "removed"), _File("new.py", "renamed", "old.py"), _File("c.py", "changed")]
    assert from_api_files(files, expected=4) == [
        Change('src/"q" \t ü.py', "added"),
        Change("b.py", "deleted"),
        Change("new.py", "renamed", "old.py"),
        Change("c.py", "modified"),
    ]
    assert from_api_files(files, expected=3001) is None  # GitHub stops listing at 3,000 files


def test_scope_is_every_reference_in_a_touched_file_or_everything_when_the_gate_changed():
    refs = [ModelReference(file="a.py", line=9, id="m"), ModelReference(file="b.py", line=1, id="n"), ModelReference(file="c.py", line=1, id="o")]
    changes = [Change("a.py", "modified"), Change("c.py", "deleted")]
    scope = scope_of(refs, changes)
    assert scope.refs == {0} and scope.everything is None and scope.contains(None)
    everything = scope_of(refs, changes, [Change("aiospo.lock", "modified")])
    assert everything.refs == {0, 1, 2} and "aiospo.lock" in (everything.everything or "")


def test_only_changed_judges_what_the_pull_request_decides(harness, github_server, tmp_path):
    repo = odd_repo(tmp_path)
    run = harness(repo=repo, inputs={"only_changed": "true"}).run_real()
    assert run.code == 1
    findings = json.loads(run.outputs()["findings"])
    in_scope = {f["file"] for f in findings if f["in_scope"] and f["file"]}
    out_of_scope = {f["file"] for f in findings if not f["in_scope"]}
    # the constant changed, so the call that resolves it is in scope although its line is not
    assert in_scope == {"src/app.py", 'src/moved "v2".py', *ODD_NAMES}
    assert out_of_scope == {"src/untouched.py"}
    (run_id,) = github_server.state.check_runs
    annotated = {a["path"] for a in github_server.state.annotations[run_id]}
    assert annotated == in_scope  # names with tabs, quotes and newlines arrive as they are
    legacy = [f for f in findings if f["file"] == "src/untouched.py"]
    assert legacy and "org/legacy-model" in run.summary  # listed, not counted
    assert f"{len(legacy)} findings on the other references were judged out of scope" in run.summary
    assert int(run.outputs()["deny_count"]) == sum(1 for f in findings if f["in_scope"] and f["severity"] == "deny" and not f["waived"])


def test_only_changed_a_pull_request_that_touches_no_reference_passes(harness, github_server, tmp_path):
    repo = make_pr_repo(tmp_path / "repo", {"src/legacy.py": LOAD + 'AutoModel.from_pretrained("org/legacy")\n', "README.md": "a\n"}, {"README.md": "b\n"})
    run = harness(repo=repo, inputs={"only_changed": "true"}).run_real()
    assert run.code == 0 and "org/legacy" in run.summary
    assert harness(repo=repo, inputs={"only_changed": "false"}).run_real().code == 1


def test_only_changed_a_change_to_the_lockfile_or_configuration_puts_everything_in_scope(harness, github_server, tmp_path):
    legacy = {"src/legacy.py": LOAD + 'AutoModel.from_pretrained("org/legacy")\n'}
    for gate_change in ({"aiospo.lock": '{"aiospo_lock_version": 1, "entries": []}\n'}, {".aiospo.yaml": "version: 1\nintended_use: research\n"}, {"policies/extra.rego": "package aiospo.rules.extra\n"}):
        root = tmp_path / next(iter(gate_change)).replace("/", "_")
        repo = make_pr_repo(root, {**legacy, ".aiospo.yaml": "version: 1\npolicy_dirs: [policies]\n", "policies/keep.rego": "package aiospo.rules.keep\n"}, gate_change)
        h = harness(repo=repo, workspace=repo.clone(root / "ws", repo.merge), inputs={"only_changed": "true"})
        run = h.run_real()
        assert run.code == 1, (gate_change, run.stdout)
        assert "every reference is in scope because this change touches " + next(iter(gate_change)) in run.stdout


def test_only_changed_falls_back_to_the_pull_request_files_api(harness, github_server, tmp_path):
    repo = odd_repo(tmp_path)
    github_server.set_pull_files(
        7,
        [
            {"sha": "1" * 40, "filename": "src/app.py", "status": "modified", "additions": 1, "deletions": 1, "changes": 2},
            {"sha": "2" * 40, "filename": 'src/moved "v2".py', "status": "renamed", "previous_filename": "src/old name.py", "additions": 0, "deletions": 0, "changes": 0},
            *({"sha": "3" * 40, "filename": n, "status": "added", "additions": 2, "deletions": 0, "changes": 2} for n in ODD_NAMES),
            {"sha": "4" * 40, "filename": "src/gone.py", "status": "removed", "additions": 0, "deletions": 2, "changes": 2},
        ],
    )
    # fetch-depth: 2 holds the merge commit's parents but not their merge base: git cannot diff base...head
    h = harness(repo=repo, workspace=repo.clone(tmp_path / "depth2", repo.merge, depth=2), inputs={"only_changed": "true"})
    run = h.run_real()
    assert len(github_server.calls("GET", r"/repos/acme/app/pulls/7/files$")) == 1
    assert "from the pull request's files (API)" in run.stdout
    findings = json.loads(run.outputs()["findings"])
    assert {f["file"] for f in findings if not f["in_scope"]} == {"src/untouched.py"}


def test_only_changed_judges_everything_when_the_changes_are_unknown(harness, github_server, tmp_path):
    repo = odd_repo(tmp_path)
    github_server.fail("GET", r"/pulls/\d+/files$", 403, "Resource not accessible by integration")
    h = harness(repo=repo, workspace=repo.clone(tmp_path / "depth2", repo.merge, depth=2), inputs={"only_changed": "true"})
    run = h.run_real()
    assert run.code == 1  # failing on too much, never passing on a guess
    assert "every reference was judged" in run.summary
    assert all(f["in_scope"] for f in json.loads(run.outputs()["findings"]))
