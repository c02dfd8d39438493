""".pre-commit-hooks.yaml: valid for pre-commit, its `files` pattern in step with the scanners,
its entries parse as the offline check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pre_commit.clientlib import load_manifest

from aiospo_ci import __version__
from aiospo_ci.cli import build_parser
from aiospo_ci.scan.registry import is_wanted

ROOT = Path(__file__).resolve().parents[2]
HOOKS = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}

NAMES = [
    "app.py", "stubs/x.pyi", "gui.pyw", "nb/explore.ipynb", "conf/train.yaml", "conf/x.yml", "pkg/package.json",
    "pyproject.toml", "README.md", "docs/card.markdown", ".env", ".env.local", "deploy/prod.env", "run.sh", "x.bash",
    "x.zsh", "rules.mk", "Dockerfile", "docker/Dockerfile.gpu", "app.dockerfile", "Containerfile", "Makefile",
    "GNUmakefile", "makefile", "Justfile", "justfile", "Modelfile", "llm/chat.Modelfile", ".github/workflows/ci.yml",
    "web/index.js", "web/a.mjs", "web/a.cjs", "web/App.jsx", "web/a.ts", "web/a.mts", "web/a.cts", "web/App.tsx",
    "models/w.bin", "w.pt", "w.pth", "w.ckpt", "w.pkl", "w.joblib", "w.h5", "w.keras", "w.onnx", "w.gguf",
    "w.safetensors", "W.SAFETENSORS", "w.pickle", "w.dill", "data/x.npy", "data/x.npz", "APP.PY", "conf/TRAIN.Yaml", "RUN.SH", "nb/A.IPYNB", ".ENV",
    # no extension: read, and scanned when the `#!` line names Python or a shell
    "bin/train", "scripts/fetch-weights", "LICENSE", "Gemfile",
    # not read by any scanner
    "logo.png", "setup.cfg", "data.csv", "notes.txt", "main.go", "lib.rs", "a.lock", "scripts/.hidden.cfg", ".gitignore", ".bashrc",
]


CHECK_HOOKS = ("aiospo-ci", "aiospo-ci-docker")


def test_manifest_is_valid_for_pre_commit():
    assert set(HOOKS) == {*CHECK_HOOKS, "aiospo-ci-fix"}
    for hook in HOOKS.values():
        assert hook["require_serial"] is True and hook["pass_filenames"] is True
        assert hook["verbose"] is True  # a warning (facts unknown) is shown, not hidden by a passing hook


def test_fix_hook_rewrites_exactly_the_file_types_the_fixer_handles():
    from aiospo_ci.fix.plan import fixers

    hook = HOOKS["aiospo-ci-fix"]
    pattern = re.compile(hook["files"])
    for name in NAMES:
        handled = any(f.handles(name.lower()) for f in fixers())
        assert bool(pattern.search(name)) == handled, name
    args = build_parser().parse_args([*hook["entry"].split()[1:], "src/app.py"])
    assert (args.command, args.offline, args.dry_run, args.paths) == ("fix", True, False, ["src/app.py"])


@pytest.mark.parametrize("hook_id", CHECK_HOOKS)
def test_files_pattern_matches_what_the_scanners_read(hook_id):
    pattern = re.compile(HOOKS[hook_id]["files"])
    wanted = [n for n in NAMES if is_wanted(n)]
    assert len(wanted) > 40  # the sample exercises the scanners
    missed = [n for n in wanted if not pattern.search(n)]
    assert not missed, f"the hook would never pass these scanned files: {missed}"
    extra = [n for n in NAMES if pattern.search(n) and not is_wanted(n)]
    assert not extra, f"the hook passes files no scanner reads: {extra}"


def test_python_hook_entry_is_the_budgeted_text_check():
    entry = HOOKS["aiospo-ci"]["entry"].split()
    assert entry[0] == "aiospo-ci" and HOOKS["aiospo-ci"]["language"] == "python"
    args = build_parser().parse_args([*entry[1:], "src/app.py", "src/other.py"])
    assert (args.command, args.offline, args.format, args.paths) == ("check", None, "text", ["src/app.py", "src/other.py"])
    assert 0 < args.hub_budget <= 10  # a commit waits at most this long on the Hub


def test_docker_hook_runs_the_action_image_with_opa():
    hook = HOOKS["aiospo-ci-docker"]
    entry = hook["entry"].split()
    assert hook["language"] == "docker_image"
    assert entry[:2] == ["--entrypoint", "aiospo-ci"]
    assert entry[2].endswith(f":v{__version__}")  # the image released with this version
    args = build_parser().parse_args([*entry[3:], "a.py"])
    assert (args.command, args.offline, args.format, args.engine) == ("check", None, "text", "opa")
    assert 0 < args.hub_budget <= 10
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "/usr/local/bin/opa" in dockerfile and "pip install" in dockerfile  # OPA and the aiospo-ci script inside
