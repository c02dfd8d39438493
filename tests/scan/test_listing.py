"""Every tracked file is scanned (issue 11 §2): in a git checkout the files are git's tracked
files plus the untracked ones it does not ignore, so a .gitignore never hides a tracked file and
a tracked file in a vendored folder is still judged; untracked vendored folders are skipped with a
note; only the configuration's `exclude` leaves a tracked file out. Real git repositories."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from aiospo_ci.scan.gitignore import IgnoreFile
from aiospo_ci.scan.registry import is_wanted
from aiospo_ci.scan.runner import scan_paths
from aiospo_ci.scan.walk import walk

LOADER = 'from transformers import AutoModel\nAutoModel.from_pretrained("{id}")\n'


def git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    return root


def ids(result) -> list[str]:
    return [r.id for r in result.references]


def test_gitignore_does_not_hide_a_tracked_file(repo, tmp_path):
    write(repo, "generated/models.py", LOADER.format(id="org/tracked-but-ignored"))
    git(repo, "add", "-f", "generated/models.py")
    write(repo, ".gitignore", "generated/\n*.local.py\n")
    write(repo, "app.local.py", LOADER.format(id="org/ignored-untracked"))
    write(repo, "new.py", LOADER.format(id="org/untracked-not-ignored"))
    result = scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)
    assert ids(result) == ["org/tracked-but-ignored", "org/untracked-not-ignored"]


def test_tracked_vendored_code_is_judged_untracked_vendored_code_is_skipped_with_a_note(repo, tmp_path):
    write(repo, "third_party/lib/loader.py", LOADER.format(id="org/vendored-tracked"))
    git(repo, "add", "third_party")
    write(repo, ".venv/lib/site.py", LOADER.format(id="org/in-a-virtualenv"))
    write(repo, "node_modules/x/index.js", "import '@huggingface/transformers';\npipeline('a', 'Xenova/x');\n")
    write(repo, "src/app.py", LOADER.format(id="org/app"))
    result = scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)
    assert ids(result) == ["org/app", "org/vendored-tracked"]
    assert [(s.file, s.reason) for s in result.skipped] == [
        (".venv", "vendored folder, skipped by default"), ("node_modules", "vendored folder, skipped by default")]
    assert result.skipped_note() == (
        "2 folders skipped by default (vendored code or virtual environments, not tracked by git): .venv, node_modules; "
        "list them under `exclude` or track them to change this.")


def test_only_the_configuration_excludes_a_tracked_file(repo, tmp_path):
    write(repo, "tests/fixtures/fake.py", LOADER.format(id="org/fixture"))
    write(repo, "third_party/lib/loader.py", LOADER.format(id="org/vendored-tracked"))
    write(repo, "src/app.py", LOADER.format(id="org/app"))
    git(repo, "add", "-A")
    result = scan_paths(repo, exclude=["tests/fixtures/", "third_party/lib"], cache_dir=tmp_path / "c", jobs=1)
    assert ids(result) == ["org/app"]


def test_a_tracked_file_deleted_in_the_work_tree_is_not_an_error(repo, tmp_path):
    write(repo, "a.py", LOADER.format(id="org/a"))
    gone = write(repo, "gone.py", LOADER.format(id="org/gone"))
    git(repo, "add", "-A")
    gone.unlink()
    result = scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)
    assert ids(result) == ["org/a"] and result.unread == () and result.errors == ()


def test_a_tracked_symlink_is_noted_not_followed(repo, tmp_path):
    outside = write(tmp_path, "outside/leak.py", LOADER.format(id="org/outside"))
    os.symlink(outside, repo / "leak.py")
    git(repo, "add", "leak.py")
    result = scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)
    assert ids(result) == []
    assert [(s.file, s.reason) for s in result.skipped] == [("leak.py", "symlink not followed (it points outside the scanned root)")]


def test_a_checked_out_submodule_is_listed_and_one_not_checked_out_is_noted(repo, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q")
    write(sub, "model.py", LOADER.format(id="org/in-submodule"))
    git(sub, "add", "-A")
    git(sub, "commit", "-q", "-m", "x")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "libs/sub")
    write(repo, "app.py", LOADER.format(id="org/app"))
    result = scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)
    assert [(r.file, r.id) for r in result.references] == [("app.py", "org/app"), ("libs/sub/model.py", "org/in-submodule")]

    git(repo, "submodule", "deinit", "-q", "-f", "libs/sub")
    result = scan_paths(repo, cache_dir=tmp_path / "c2", jobs=1)
    assert ids(result) == ["org/app"]
    assert [(s.file, s.reason) for s in result.skipped] == [("libs/sub", "git submodule that is not checked out; not scanned")]


def test_a_folder_the_outer_repository_ignores_is_walked_as_a_plain_folder(tmp_path):
    """A home directory kept in git with `*` ignored must not make every project under it empty."""
    home = tmp_path / "home"
    home.mkdir()
    git(home, "init", "-q")
    write(home, ".gitignore", "*\n")
    project = home / "project"
    write(project, "app.py", LOADER.format(id="org/project"))
    assert ids(scan_paths(project, cache_dir=tmp_path / "c", jobs=1)) == ["org/project"]


def test_a_subfolder_of_a_checkout_lists_what_git_tracks_there(repo, tmp_path):
    write(repo, "services/ml/generated/m.py", LOADER.format(id="org/tracked"))
    git(repo, "add", "-f", "services")
    write(repo, "services/ml/.gitignore", "generated/\n")
    write(repo, "other/x.py", LOADER.format(id="org/elsewhere"))
    assert ids(scan_paths(repo / "services" / "ml", cache_dir=tmp_path / "c", jobs=1)) == ["org/tracked"]


def test_explicit_paths_in_a_checkout_as_pre_commit_passes_them(repo, tmp_path):
    write(repo, ".gitignore", "ignored/\n")
    write(repo, "a.py", LOADER.format(id="org/a"))
    write(repo, "b.py", LOADER.format(id="org/b"))
    write(repo, "forced/c.py", LOADER.format(id="org/c"))
    write(repo, "ignored/d.py", LOADER.format(id="org/d"))
    write(repo, "ignored/e.py", LOADER.format(id="org/e"))
    git(repo, "add", "-A")
    git(repo, "add", "-f", "ignored/e.py")
    result = scan_paths(repo, [Path("a.py"), Path("forced"), Path("ignored/d.py"), Path("ignored/e.py")], cache_dir=tmp_path / "c", jobs=1)
    assert ids(result) == ["org/a", "org/c", "org/e"]


def test_git_in_the_environment_cannot_redirect_the_listing(repo, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    write(other, "x.py", LOADER.format(id="org/other"))
    git(other, "add", "-A")
    write(repo, "a.py", LOADER.format(id="org/a"))
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert ids(scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)) == ["org/a"]


def test_the_checkouts_fsmonitor_is_never_run(repo, tmp_path):
    marker = tmp_path / "RAN"
    hook = write(tmp_path, "monitor.sh", f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    git(repo, "config", "core.fsmonitor", str(hook))
    write(repo, "a.py", LOADER.format(id="org/a"))
    git(repo, "-c", "core.fsmonitor=false", "add", "-A")
    assert ids(scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)) == ["org/a"]
    assert not marker.exists()


# -- gitignore matching, against git itself ---------------------------------------------------

_PIECES = ["a", "b", "*", "**", "?", "[ab]", "[!a]", "/", "x.py", "\\*", "build", ".", "a?b", "**/", "/**"]


def _pattern(rng: random.Random) -> str:
    body = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 4))).replace("///", "/").replace("//", "/")
    body = body or "a"
    return ("!" if rng.random() < 0.2 else "") + body + ("/" if rng.random() < 0.2 else "")


def test_gitignore_matching_agrees_with_git_check_ignore(repo):
    """Random patterns and paths: every verdict of gitignore.py is the one `git check-ignore`
    gives (a single .gitignore at the root; paths as files)."""
    rng = random.Random(11)
    names = ["a", "b", "ab", "ba", "x.py", "build", "a.b", "aab", "a/b", ".x"]  # no glob characters: git reads paths as pathspecs
    paths = sorted({"/".join(rng.choice(names) for _ in range(rng.randint(1, 3))) for _ in range(200)})
    paths = [p for p in paths if not any(q.startswith(p + "/") for q in paths)]  # a file is no folder
    for p in paths:  # real files, so git knows a file from a folder
        write(repo, p, "")
    ignored = 0
    for round_ in range(60):
        patterns = [_pattern(rng) for _ in range(rng.randint(1, 5))]
        (repo / ".gitignore").write_text("\n".join(patterns) + "\n")
        spec = IgnoreFile(patterns)
        proc = subprocess.run(["git", "-C", str(repo), "check-ignore", "--no-index", "--stdin", "-z", "-v", "-n"],
                              input="\0".join(paths) + "\0", capture_output=True, text=True)
        fields = proc.stdout.split("\0")
        expected: dict[str, bool] = {}
        for i in range(0, len(fields) - 1, 4):
            source, _, pattern, path = fields[i: i + 4]
            expected[path] = bool(source) and not pattern.startswith("!")
        for path in paths:
            ours = _ignored_like_git(spec, path)
            assert ours == expected[path], (round_, patterns, path)
            ignored += ours
    assert 1000 < ignored < 60 * len(paths) - 1000  # both verdicts are well exercised


def _ignored_like_git(spec: IgnoreFile, path: str) -> bool:
    """A path is ignored when it, or a folder above it, is (git does not look inside an ignored
    folder; check-ignore answers for the path as if it were a file under those folders)."""
    parts = path.split("/")
    for i in range(1, len(parts)):
        folder = "/".join(parts[:i])
        if spec.verdict(folder, 0, folder.rfind("/") + 1, True):
            return True
    return bool(spec.verdict(path, 0, path.rfind("/") + 1, False))


def test_deep_tree_with_a_gitignore_at_every_level_is_walked(tmp_path):
    """Correctness at depth (the time is measured in benchmarks/budget_benchmark.py)."""
    root = tmp_path / "deep"
    d = root
    for i in range(200):
        write(d, ".gitignore", f"ignored_{i}.py\n!keep_{i}.py\n")
        write(d, f"ignored_{i}.py", "x = 1\n")
        write(d, f"m{i}.py", "x = 1\n")
        d = d / "d"
    write(d, "ignored_3.py", "x = 1\n")  # ignored by a .gitignore 197 levels up
    listing = walk(root, wanted=is_wanted)
    names = {f.relpath.rsplit("/", 1)[-1] for f in listing.files}
    assert names == {f"m{i}.py" for i in range(200)}


def test_a_checkout_git_cannot_list_is_walked_and_reported(repo, tmp_path):
    write(repo, "generated/m.py", LOADER.format(id="org/tracked-but-ignored"))
    git(repo, "add", "-f", "-A")
    write(repo, ".gitignore", "generated/\n")
    write(repo, "app.py", LOADER.format(id="org/app"))
    (repo / ".git" / "index").write_bytes(b"DIRC damaged")  # git rev-parse still works, ls-files does not
    result = scan_paths(repo, cache_dir=tmp_path / "c", jobs=1)
    assert ids(result) == ["org/app"]
    assert [(u.file, u.cause) for u in result.unread] == [(".git", "read")]
