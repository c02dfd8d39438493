"""Files the Action leaves in the workspace (the SARIF file, the decision record): only inside
it, because a Docker action's other paths are gone when its container ends, and owned by the
workspace's owner, because the container runs as root and root-owned files break the runner's
later steps (checkout's clean-up, caches)."""

from __future__ import annotations

import os
from pathlib import Path

from aiospo_ci.errors import AiospoError


def target(value: str, workspace: Path, what: str) -> Path:
    """The file an input names, resolved (symlinks followed), or AiospoError when it is not a
    file inside the workspace."""
    path = Path(value)
    path = (path if path.is_absolute() else workspace / path).resolve()
    if path == workspace or not path.is_relative_to(workspace):
        raise AiospoError(
            f"input {what} {value}: outside the workspace ({path} is not a file inside the workspace {workspace}, and nothing "
            f"outside it outlives this container); give a path relative to the repository root, such as {_example(what)}."
        )
    return path


def _example(what: str) -> str:
    return {"sarif_file": "aiospo-ci.sarif", "decision_log": "aiospo-decision.jsonl"}.get(what, "aiospo-ci.out")


def write_owned(path: Path, data: str, workspace: Path, *, append: bool = False) -> None:
    """Write (or append to) a file inside the workspace; it and the folders made for it get the
    workspace's owner. OSError when it cannot be written."""
    owner = workspace.stat()
    made = [p for p in reversed(path.parents) if p.is_relative_to(workspace) and p != workspace and not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w", encoding="utf-8") as handle:
        handle.write(data)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and os.geteuid() != owner.st_uid:
        for made_path in [*made, path]:
            os.chown(made_path, owner.st_uid, owner.st_gid)
