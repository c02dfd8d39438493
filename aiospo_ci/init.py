"""`aiospo-ci init`: write a commented starting configuration, the GitHub workflow and the
pre-commit entry. An existing file is never replaced unless --force is given; even then an
existing .pre-commit-config.yaml keeps its other hooks (the aiospo-ci entry is added to it).
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from aiospo_ci.errors import AiospoError

INIT_EXAMPLES = """examples:
  aiospo-ci init            write .aiospo.yaml, .github/workflows/aiospo-ci.yml, .pre-commit-config.yaml
  aiospo-ci init --force    replace the first two and add the hook to an existing pre-commit config
  aiospo-ci init path/to/repo
"""

CONFIG_FILE = ".aiospo.yaml"
WORKFLOW_FILE = ".github/workflows/aiospo-ci.yml"
PRECOMMIT_FILE = ".pre-commit-config.yaml"


def template(name: str) -> str:
    from importlib import resources

    return resources.files("aiospo_ci").joinpath("templates").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Outcome:
    path: str
    action: str  # wrote | replaced | added-hook | skipped | unchanged
    note: str = ""


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AiospoError(f"{path}: cannot write ({exc.strerror}); check the folder is writable.") from None


def _write_file(root: Path, relpath: str, text: str, force: bool) -> Outcome:
    path = root / relpath
    if path.exists():
        if not force:
            return Outcome(relpath, "skipped", "exists; run with --force to replace it")
        if path.read_text(encoding="utf-8", errors="replace") == text:
            return Outcome(relpath, "unchanged")
        _write(path, text)
        return Outcome(relpath, "replaced")
    _write(path, text)
    return Outcome(relpath, "wrote")


def _repos_is_last_key(text: str) -> bool:
    """True when `repos:` is the last top-level key, so an entry can be appended as text and
    the file's comments and layout survive."""
    keys = [m.group(1) for m in re.finditer(r"^([A-Za-z_][\w-]*)\s*:", text, flags=re.MULTILINE)]
    return bool(keys) and keys[-1] == "repos"


def _add_precommit_entry(root: Path, force: bool) -> Outcome:
    path = root / PRECOMMIT_FILE
    entry = template("pre-commit-entry.yaml")
    if not path.exists():
        _write(path, template("pre-commit-config.yaml") + entry)
        return Outcome(PRECOMMIT_FILE, "wrote")
    text = path.read_text(encoding="utf-8", errors="replace")
    if re.search(r"^\s*-?\s*id:\s*aiospo-ci(-docker)?\s*$", text, flags=re.MULTILINE):
        return Outcome(PRECOMMIT_FILE, "unchanged", "already runs the aiospo-ci hook")
    if not force:
        return Outcome(PRECOMMIT_FILE, "skipped", "exists; add this entry under `repos:` (or run with --force):\n" + entry)
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise AiospoError(f"{path}: not valid YAML, so the aiospo-ci hook cannot be added; fix the file or add the entry by hand.") from None
    if not isinstance(data, dict) or not isinstance(data.get("repos"), list):
        raise AiospoError(f"{path}: has no `repos:` list; add one, or add the aiospo-ci entry by hand.")
    if _repos_is_last_key(text):
        _write(path, text + ("" if text.endswith("\n") else "\n") + entry)
    else:
        data["repos"].append(yaml.safe_load("repos:\n" + entry)["repos"][0])
        _write(path, yaml.safe_dump(data, sort_keys=False))
    return Outcome(PRECOMMIT_FILE, "added-hook")


def init_repository(root: Path, force: bool = False) -> list[Outcome]:
    if not root.is_dir():
        raise AiospoError(f"{root}: not a directory; run `aiospo-ci init` in the repository or give its folder.")
    return [
        _write_file(root, CONFIG_FILE, template("aiospo.yaml"), force),
        _write_file(root, WORKFLOW_FILE, template("workflow.yml"), force),
        _add_precommit_entry(root, force),
    ]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="write a starting .aiospo.yaml, the GitHub workflow and the pre-commit entry",
        description="Write a commented .aiospo.yaml (permissive licenses allowed, RAIL and community licenses warn, "
        "non-commercial and unknown licenses denied), .github/workflows/aiospo-ci.yml and the pre-commit hook entry. "
        "Existing files are left alone unless --force is given.",
        epilog=INIT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", nargs="?", default=".", metavar="PATH", help="the repository folder (default: .)")
    p.add_argument("--force", action="store_true", help="replace existing files (the pre-commit config keeps its other hooks)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing unless something fails")
    p.add_argument("--verbose", "-v", action="store_true", help="no effect; accepted for symmetry with the other commands")
    p.add_argument("--debug", action="store_true", help="show a stack trace on unexpected errors")
    p.set_defaults(handler=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    import sys

    outcomes = init_repository(Path(args.path), force=args.force)
    if not args.quiet:
        for o in outcomes:
            sys.stderr.write(f"aiospo-ci: {o.action} {o.path}" + (f" ({o.note})" if o.note else "") + "\n")
        if any(o.action in ("wrote", "replaced") and o.path == CONFIG_FILE for o in outcomes):
            sys.stderr.write("aiospo-ci: next: `aiospo-ci lock` to record vetted facts, then `aiospo-ci check`.\n")
    return 0
