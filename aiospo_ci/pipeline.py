"""Wire the four stages: scan -> hub -> policy -> (report, done by the caller).

The CLI, the GitHub Action entrypoint and the pre-commit hook all go through here, so they
reach the same verdict for the same tree.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiospo_ci.config import find_config, load_config
from aiospo_ci.errors import AiospoError, ConfigError, HubError
from aiospo_ci.model import CheckResult, ScanResult

FAIL_ON = ("deny", "warn", "never")


@dataclass(frozen=True)
class RunOptions:
    """Everything one run needs, from the command line, the Action inputs or the hook."""

    root: Path
    paths: tuple[Path, ...] | None = None  # None: the whole root
    config_path: Path | None = None
    policy_dirs: tuple[Path, ...] = ()
    engine: str | None = None  # None: from the configuration, else auto
    opa_url: str | None = None
    offline: bool | None = None  # None: from the configuration
    hub_endpoint: str | None = None
    fail_on: str | None = None  # None: from the configuration, else deny
    today: str | None = None  # YYYY-MM-DD; None: the current UTC date
    cache_dir: Path | None = None
    jobs: int | None = None
    extra_exclude: tuple[str, ...] = field(default_factory=tuple)
    # progress(done, total) for the terminal's bar while the Hub is asked (console.py); not a setting.
    progress: Callable[[int, int], None] | None = field(default=None, compare=False, repr=False)


def resolve_root(paths: Sequence[str], root: str | None) -> tuple[Path, tuple[Path, ...] | None]:
    """`check DIR` scans DIR as the root; `check FILE...` (pre-commit) scans those files under
    --root or the current directory."""
    if root:
        base = Path(root)
        if not base.is_dir():
            raise AiospoError(f"--root {root}: not a directory; give the repository's top folder.")
        return base.resolve(), tuple(Path(p) for p in paths) or None
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0]).resolve(), None
    if not paths:
        return Path.cwd().resolve(), None
    return Path.cwd().resolve(), tuple(Path(p) for p in paths)


def evaluation_date(today: str | None) -> str:
    value = today or os.environ.get("AIOSPO_TODAY")
    if not value:
        return _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise AiospoError(f"--today {value!r} is not a date; use YYYY-MM-DD.") from None


def load_run_config(options: RunOptions) -> dict[str, Any]:
    path = options.config_path or find_config(options.root)
    if options.config_path and not options.config_path.is_file():
        raise ConfigError(f"--config {options.config_path}: no such file; give the path to your .aiospo.yaml.")
    return load_config(path) if path else {}


def run_scan(options: RunOptions, config: dict[str, Any]) -> ScanResult:
    from aiospo_ci.scan.runner import scan_paths

    for p in options.paths or ():
        if not (options.root / p).exists() and not p.exists():
            raise AiospoError(f"{p}: no such file or directory; give paths inside {options.root}.")
    exclude = tuple(config.get("exclude") or ()) + options.extra_exclude
    return scan_paths(options.root, options.paths, exclude=exclude, cache_dir=options.cache_dir, jobs=options.jobs)


def hub_settings(options: RunOptions, config: dict[str, Any]):
    """How to reach the Hub for this run: the configuration, overridden by the command line."""
    from aiospo_ci.hub.settings import HubSettings

    return HubSettings.from_config(
        config.get("hub") or {}, options.root, offline=options.offline, endpoint=options.hub_endpoint, cache_dir=options.cache_dir
    )


def run_enrich(options: RunOptions, settings, scan: ScanResult, today: str):
    """Hub facts for every reference (failures are facts; see hub/enrich.py)."""
    from aiospo_ci.hub.enrich import enrich

    progress = {"progress": options.progress} if options.progress is not None else {}
    return enrich(scan.references, settings, _dt.date.fromisoformat(today), **progress)


def run_lock(options: RunOptions) -> Path:
    """Scan and write aiospo.lock with the facts of every referenced model."""
    from aiospo_ci.hub.enrich import lock

    config = load_run_config(options)
    scan = run_scan(options, config)
    return lock(options.root, scan.references, hub_settings(options, config), _dt.date.fromisoformat(evaluation_date(options.today)))


def _policy_dirs(options: RunOptions, config: dict[str, Any]) -> list[Path]:
    dirs = list(options.policy_dirs)
    for d in config.get("policy_dirs") or ():
        dirs.append(options.root / d)
    for d in dirs:
        if not d.is_dir():
            raise ConfigError(f"policy folder {d}: not a directory; fix --policy or policy_dirs in the configuration.")
    return dirs


def run_check(options: RunOptions) -> tuple[CheckResult, dict[str, Any]]:
    """Scan, enrich, evaluate. Returns the result and the input document the policies judged."""
    from aiospo_ci.policy import library
    from aiospo_ci.policy.document import build_input, parse_findings
    from aiospo_ci.policy.engines import make_engine

    config = load_run_config(options)
    today = evaluation_date(options.today)
    policy_dirs = _policy_dirs(options, config)
    # Compile the policies before any network work: a broken policy should fail fast.
    modules = library.load_modules(policy_dirs)
    data = library.load_data(policy_dirs)
    engine = make_engine(options.engine or config.get("engine") or "auto", options.opa_url or config.get("opa_url"))
    try:
        engine.load(modules, data)
        scan = run_scan(options, config)
        settings = hub_settings(options, config)
        enrichment = run_enrich(options, settings, scan, today)
        warnings = list(enrichment.warnings)
        failed = sorted({f.id for f in enrichment.facts if f is not None and f.status == "error"})
        if failed:
            if settings.on_error == "fail_closed":
                first = next(f for f in enrichment.facts if f is not None and f.status == "error")
                raise HubError(
                    f"the Hub could not be asked about {len(failed)} model(s) ({', '.join(failed[:5])}"
                    f"{', ...' if len(failed) > 5 else ''}): {(first.error or 'no answer').rstrip('.')}; retry, use --offline with a lockfile, "
                    "or set hub.on_error: fail_open to let the policies judge the errors."
                )
            warnings.append(
                f"fail-open: the Hub could not be asked about {', '.join(failed)}; the policies judged them as 'error' facts."
            )
        document = build_input(scan.references, enrichment.facts, enrichment.locked, config, today, scan.unread)
        findings = parse_findings(engine.evaluate(document), len(scan.references))
    finally:
        engine.close()
    result = CheckResult(
        root=str(options.root),
        scan=scan,
        facts=tuple(enrichment.facts),
        findings=tuple(findings),
        rules=library.rule_metadata(modules),
        warnings=tuple(warnings),
    )
    return result, document


def exit_code(result: CheckResult, fail_on: str) -> int:
    """0 pass, 1 policy failure at or above `fail_on`."""
    counts = result.counts()
    if fail_on == "never":
        return 0
    if counts["deny"]:
        return 1
    if fail_on == "warn" and counts["warn"]:
        return 1
    return 0
