"""The files that decide the gate itself, as a pull request may change them: the
configuration (waivers included), the lockfile's recorded facts, the policy folders and the
baseline of accepted findings (which, like a waiver, lets a finding pass).

The Action lists what a pull request changed among them for the policies (`input.run`, judged
by rego/aiospo/rules/config_changes/config_changes.rego as `config/changed`), and with `config_from: base` replaces
them in the judged tree by the base branch's own, so the pull request is judged by the rules it
was opened against. Which changes count as relaxing is decided in Rego, not here.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from aiospo_ci.action.changed import Change
from aiospo_ci.action.git import Git, GitError, safe_relative
from aiospo_ci.baseline import FILE_NAME as BASELINE_NAME
from aiospo_ci.config import CONFIG_NAMES, load_config
from aiospo_ci.errors import AiospoError, ConfigError
from aiospo_ci.hub.settings import LOCKFILE_NAME


def _relative(value: object) -> str | None:
    """A repository-relative '/'-path, or None for one that leaves the repository (the
    pipeline refuses those itself)."""
    if not isinstance(value, str) or not value.strip():
        return None
    parts = [p for p in PurePosixPath(value.strip().replace("\\", "/")).parts if p != "."]
    path = "/".join(parts)
    return path if safe_relative(path) else None


@dataclass(frozen=True)
class GateFiles:
    """Where one configuration keeps the files that decide the gate."""

    config: str | None
    lockfile: str
    policy_dirs: tuple[str, ...]
    baseline: str = BASELINE_NAME

    def kind(self, path: str) -> str | None:
        if path == self.config or (self.config is None and path in CONFIG_NAMES):
            return "config"
        if path == self.lockfile:
            return "lockfile"
        if path == self.baseline:
            return "baseline"
        if any(path == d or path.startswith(d + "/") for d in self.policy_dirs):
            return "policy"
        return None

    def paths(self) -> list[str]:
        return sorted({*(CONFIG_NAMES if self.config is None else (self.config,)), self.lockfile, self.baseline, *self.policy_dirs})


def gate_files(config: dict[str, Any] | None, config_path: str | None, input_policy_dirs: Sequence[str]) -> GateFiles:
    config = config or {}
    hub = config.get("hub")
    hub = hub if isinstance(hub, dict) else {}
    dirs = [*input_policy_dirs, *(config.get("policy_dirs") or ())]
    return GateFiles(
        config=config_path,
        lockfile=_relative(hub.get("lockfile")) or LOCKFILE_NAME,
        policy_dirs=tuple(sorted({d for d in map(_relative, dirs) if d})),
        baseline=_relative(config.get("baseline")) or BASELINE_NAME,
    )


@dataclass(frozen=True)
class ConfigAt:
    """The configuration one tree holds: `config` is {} without a file, None when unreadable."""

    path: str | None
    config: dict[str, Any] | None
    error: str | None = None


def _names(input_config: str | None) -> tuple[str, ...]:
    return (_relative(input_config) or input_config or "",) if input_config else CONFIG_NAMES


def config_in_tree(root: Path, input_config: str | None) -> ConfigAt:
    for name in _names(input_config):
        path = root / name
        if path.is_file():
            try:
                return ConfigAt(name, load_config(path))
            except ConfigError as exc:
                return ConfigAt(name, None, str(exc))
    return ConfigAt(None, {})


def config_at(git: Git, commit: str, input_config: str | None) -> ConfigAt:
    """The configuration at a commit, validated as the pipeline validates its own."""
    for name in _names(input_config):
        data = git.show(commit, name)
        if data is None:
            continue
        with tempfile.TemporaryDirectory(prefix="aiospo-ci-config-") as tmp:
            path = Path(tmp) / PurePosixPath(name).name
            path.write_bytes(data)
            try:
                return ConfigAt(name, load_config(path))
            except ConfigError as exc:
                return ConfigAt(name, None, str(exc).replace(str(path), f"{name} at {commit[:12]}"))
    return ConfigAt(None, {})


def decisive(changes: Sequence[Change], *sides: GateFiles) -> list[Change]:
    """The changes that touch a gate file as either side of the change defines them."""
    return [c for c in changes if any(side.kind(p) for side in sides for p in c.paths())]


def describe(changes: Sequence[Change], *sides: GateFiles) -> list[dict[str, Any]]:
    """input.run.changed_policy_files: one entry per changed gate file, sorted by path."""
    out = []
    for c in decisive(changes, *sides):
        kind = next(k for side in sides for p in c.paths() if (k := side.kind(p)))
        out.append({"path": c.path, "old_path": c.old_path, "status": c.status, "kind": kind})
    return sorted(out, key=lambda e: e["path"])


def _lock_entries(data: bytes | None) -> dict[tuple[str, str, str], dict[str, Any]] | None:
    if data is None:
        return {}
    try:
        doc = json.loads(data)
        return {(str(e.get("kind")), str(e.get("id")), str(e.get("revision"))): e for e in doc["entries"] if isinstance(e, dict)}
    except (ValueError, KeyError, TypeError):
        return None


def lock_changes(base: bytes | None, head: bytes | None) -> list[dict[str, Any]] | None:
    """Which models' recorded facts differ between two lockfiles (None: one is unreadable)."""
    old, new = _lock_entries(base), _lock_entries(head)
    if old is None or new is None:
        return None
    out = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "modified"
        fields = sorted(k for k in (before or {}).keys() | (after or {}).keys() if (before or {}).get(k) != (after or {}).get(k))
        out.append({"kind": key[0], "id": key[1], "revision": None if key[2] == "None" else key[2], "change": change, "fields": fields})
    return out


def lock_diff(git: Git, base: str, root: Path, decisive_changes: Sequence[Change], base_files: GateFiles | None, head_files: GateFiles) -> list[dict[str, Any]] | None:
    """input.run.changed_lock_entries: [] when the lockfile is unchanged, None when unknown."""
    if base_files is None:
        return None
    if not any(side.kind(p) == "lockfile" for c in decisive_changes for p in c.paths() for side in (base_files, head_files)):
        return []
    return lock_changes(git.show(base, base_files.lockfile), lock_bytes(root, head_files.lockfile))


def use_base(git: Git, base: str, root: Path, base_files: GateFiles, head_files: GateFiles) -> None:
    """Replace the judged tree's gate files by the base commit's: remove the base's gate paths
    and the pull request's configuration file (which the pipeline could otherwise find first),
    then write the base's versions. Other paths only the pull request's configuration names (a
    policy folder, lockfile or baseline of its choosing) stay as they are: the base's
    configuration gives them no role, and removing them would hide their files from the scan."""
    for rel in sorted({*base_files.paths(), *((head_files.config,) if head_files.config else ())}):
        target = root.joinpath(*PurePosixPath(rel).parts)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
    try:
        git.materialize(base, root, base_files.paths())
    except (GitError, OSError) as exc:
        raise AiospoError(f"config_from: base could not read the base branch's configuration and policies at {base[:12]} ({exc}); check out with `fetch-depth: 0`.") from None


def lock_bytes(root: Path, rel: str) -> bytes | None:
    try:
        return root.joinpath(*PurePosixPath(rel).parts).read_bytes()
    except OSError:
        return None


def _baseline_entries(data: bytes | None) -> dict[str, dict[str, Any]] | None:
    if data is None:
        return {}
    try:
        findings = json.loads(data)["findings"]
        return {e["fingerprint"]: e for e in findings if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)}
    except (ValueError, KeyError, TypeError):
        return None


def baseline_added(
    git: Git, base: str, root: Path, decisive_changes: Sequence[Change], base_files: GateFiles | None, head_files: GateFiles
) -> list[dict[str, Any]] | None:
    """input.run.changed_baseline_entries: the findings the pull request's baseline accepts that
    the base branch's does not (each would then pass, as under a new waiver), wherever each
    side's configuration keeps its baseline; [] when the pull request changes neither the
    baseline nor the configuration, None when unknown."""
    if base_files is None:
        return None
    sides = (base_files, head_files)
    if not any(side.kind(p) in ("baseline", "config") for c in decisive_changes for p in c.paths() for side in sides):
        return []
    old = _baseline_entries(git.show(base, base_files.baseline))
    new = _baseline_entries(lock_bytes(root, head_files.baseline))
    if old is None or new is None:
        return None

    def text(entry: dict[str, Any], key: str) -> str | None:
        value = entry.get(key)
        return value if isinstance(value, str) else None

    added = [
        {"fingerprint": key, "rule": text(new[key], "rule"), "severity": text(new[key], "severity"), "path": text(new[key], "file"), "model": text(new[key], "model")}
        for key in new.keys() - old.keys()
    ]
    return sorted(added, key=lambda e: (e["path"] or "", e["model"] or "", e["rule"] or "", e["fingerprint"]))


def run_fields(
    changes: Iterable[Change] | None,
    base: ConfigAt | None,
    head: ConfigAt,
    base_files: GateFiles | None,
    head_files: GateFiles,
    lock: list[dict[str, Any]] | None,
    config_from: str,
    baseline: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The fields of input.run about the gate's own files (pull requests only)."""
    sides = [head_files] + ([base_files] if base_files else [])
    return {
        "config_from": config_from,
        "changed_policy_files": None if changes is None else describe(list(changes), *sides),
        "base_config": base.config if base else None,
        "head_config": head.config,
        "changed_lock_entries": lock,
        "changed_baseline_entries": baseline,
    }
