"""Wire the four stages: scan -> hub -> policy -> (report, done by the caller).

The CLI, the GitHub Action entrypoint and the pre-commit hook all go through here, so they
reach the same verdict for the same tree.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiospo_ci.config import configured_endpoint, find_config, in_ci, inside_root, load_config
from aiospo_ci.errors import AiospoError, ConfigError, HubError, PolicyError
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
    dump_input: Path | None = None  # write the input document here before it is evaluated
    scopes: tuple[str, ...] | None = None  # --scope: judge only references in these scopes (None: all)
    baseline: Path | None = None  # --baseline FILE; None: the configuration's, else .aiospo-baseline.json if present
    use_baseline: bool = True  # False: --no-baseline, and `aiospo-ci baseline` itself
    # Facts about the run that only the caller knows (the Action: what a pull request changed
    # among the configuration and policies), added to input.run beside the pipeline's own.
    run_info: dict[str, Any] = field(default_factory=dict)
    hub_budget: float | None = None  # seconds: lockfile and cache first, the Hub only for the rest (pre-commit)
    # The policy bundle and its verification key (a path or PEM text): the workflow's choice only,
    # never the configuration's (policy/bundle.py); None: AIOSPO_BUNDLE, AIOSPO_BUNDLE_VERIFICATION_KEY.
    bundle: str | None = None
    verification_key: str | None = field(default=None, repr=False)
    opa_mode: str | None = None  # upload (default) or query: how to use the server at opa_url
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
    exclude = tuple(config.get("exclude") or ()) + options.extra_exclude + _own_files(options, config) + _cache_folders(options, config)
    return scan_paths(options.root, options.paths, exclude=exclude, cache_dir=options.cache_dir, jobs=options.jobs)


def _own_files(options: RunOptions, config: dict[str, Any]) -> tuple[str, ...]:
    """aiospo-ci's own baseline names models it judged, not models the code uses: not scanned,
    as long as it is exactly a baseline (a file named as the baseline that holds anything else,
    a config with a model in it say, is scanned like any other)."""
    from aiospo_ci.baseline import FILE_NAME, is_baseline_file

    configured = config.get("baseline")
    names = [FILE_NAME] + ([configured.lstrip("/")] if isinstance(configured, str) else [])
    return tuple("/" + name for name in names if is_baseline_file(options.root / name))


def _cache_folders(options: RunOptions, config: dict[str, Any]) -> tuple[str, ...]:
    """The cache folders that lie inside the repository, as exclude patterns: the scan must not
    read what the runs write. Each must hold only cache files and nothing the repository
    commits: a cache a pull request can write is facts the pull request chose."""
    from aiospo_ci.hub.cache import check_cache_folder
    from aiospo_ci.hub.settings import cache_dir_for

    root = options.root.resolve()
    folders = {cache_dir_for(config.get("hub") or {}, options.root, options.cache_dir)}
    if options.cache_dir is not None:
        folders.add(Path(options.cache_dir))
    patterns = []
    for folder in sorted(folders):
        path = (root / folder).resolve()
        if path == root or root in path.parents:
            check_cache_folder(root, path)
            patterns.append("/" + path.relative_to(root).as_posix() + "/")
    return tuple(patterns)


def hub_settings(options: RunOptions, config: dict[str, Any]):
    """How to reach the Hub for this run: the configuration, overridden by the command line."""
    from aiospo_ci.hub.settings import HubSettings

    return HubSettings.from_config(
        config.get("hub") or {}, options.root, offline=options.offline, endpoint=options.hub_endpoint, cache_dir=options.cache_dir,
        budget=options.hub_budget,
    )


def run_context(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """input.run: what the policies may know about where they run. `ci` (CI or GITHUB_ACTIONS
    set) lets the defaults be stricter in CI than on a developer's machine."""
    return {"ci": in_ci(env)}


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


# Builtins that reach the network from the machine running the check (OPA runs them; rego-cpp
# has none). In a policy the repository under review brings, they could probe the CI runner's
# network (a cloud metadata endpoint) and write what they read into a finding.
_NETWORK_BUILTINS = re.compile(r"\b(http\.send|net\.lookup_ip_addr)\b")


def _policy_dirs(options: RunOptions, config: dict[str, Any]) -> list[Path]:
    """--policy folders as given, then the configuration's, which (like every file in them,
    symlinks followed) must lie inside the repository and call no network builtin."""
    dirs = list(options.policy_dirs)
    for d in config.get("policy_dirs") or ():
        folder = inside_root(options.root, d, "policy_dirs")
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            inside_root(options.root, path, "policy_dirs")
            found = _NETWORK_BUILTINS.search(path.read_text("utf-8", "replace")) if path.suffix == ".rego" and path.is_file() else None
            if found:
                raise PolicyError(
                    f"{path}: calls {found.group(1)}, which reaches the network from the machine running the check; a "
                    "policy from the repository (policy_dirs) may not. Give it with --policy from the workflow, or remove the call."
                )
        dirs.append(folder)
    for d in dirs:
        if not d.is_dir():
            raise ConfigError(f"policy folder {d}: not a directory; fix --policy or policy_dirs in the configuration.")
    return dirs


def _load_policies(options: RunOptions, config: dict[str, Any], policy_dirs: list[Path]) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The modules and data to load and the bundles (name -> revision) they come from: the
    library and the policy folders, or the bundle the workflow names plus the policy folders,
    or nothing when a central OPA that is only queried decides with its own bundle."""
    from aiospo_ci.policy import bundle, library

    location = options.bundle or os.environ.get("AIOSPO_BUNDLE") or None
    key = options.verification_key or os.environ.get("AIOSPO_BUNDLE_VERIFICATION_KEY") or None
    if options.opa_mode == "query":
        if not options.opa_url:
            raise ConfigError("--opa-mode query asks the organisation's OPA server: give its --opa-url (or the Action's opa_url input); the configuration's opa_url cannot choose the server that decides.")
        if location or key or policy_dirs:
            given = "a bundle" if location or key else f"the policy folders {', '.join(str(d) for d in policy_dirs)}"
            raise ConfigError(
                f"--opa-mode query judges with the bundle the OPA server holds, so {given} cannot be used in this run; "
                "put those policies into the organisation's bundle (aiospo-ci policy build), or drop --opa-mode query."
            )
        return {}, {}, {}
    declared = (config.get("bundle") or {}).get("url")
    if declared and declared != location:
        raise ConfigError(
            f"the configuration's bundle.url is {declared}, but the workflow gives {location or 'no bundle'}: only the workflow chooses the policy bundle. "
            f"Give --bundle {declared} (or AIOSPO_BUNDLE, or the Action's bundle input), or remove bundle from the configuration."
        )
    if not location:
        if key:
            raise ConfigError("a bundle verification key was given (--verification-key or AIOSPO_BUNDLE_VERIFICATION_KEY) but no bundle; give --bundle too.")
        return library.load_modules(policy_dirs), library.load_data(policy_dirs), {}
    verification = bundle.VerificationKey(bundle.read_key(key, "--verification-key")) if key else None
    found = bundle.load_bundle(location, token=os.environ.get("AIOSPO_BUNDLE_TOKEN") or None, verification=verification)
    modules, data = found.with_policies(policy_dirs)
    return modules, data, {found.name: found.revision}


def run_check(options: RunOptions) -> tuple[CheckResult, dict[str, Any]]:
    """Scan, enrich, evaluate. Returns the result and the input document the policies judged."""
    from aiospo_ci.config import validate_custom
    from aiospo_ci.policy import authoring, library
    from aiospo_ci.policy.distinct import evaluate_distinct
    from aiospo_ci.policy.document import build_input, parse_findings
    from aiospo_ci.policy.engines import make_engine

    config = load_run_config(options)
    today = evaluation_date(options.today)
    policy_dirs = _policy_dirs(options, config)
    # Read the policies before any network work: a broken policy or bundle should fail fast.
    modules, data, bundles = _load_policies(options, config, policy_dirs)
    validate_custom(config, library.config_schemas(policy_dirs), str(options.config_path or find_config(options.root) or "the configuration"))
    opa_url = options.opa_url or configured_endpoint(
        "opa_url", config.get("opa_url"), None, None, bool(os.environ.get("OPA_TOKEN")), "--opa-url or the Action's opa_url input"
    )
    # An OPA server the workflow names decides: the configuration's engine cannot route around it.
    workflow_opa = "opa" if options.opa_url or options.opa_mode == "query" else None
    engine = make_engine(options.engine or workflow_opa or config.get("engine") or "auto", opa_url, options.opa_mode)
    try:
        # The author checks read the modules as written; OPA's upload mode moves them under the
        # run's namespace only inside engine.load (policy/namespace.py).
        authoring.check_modules(modules, engine.name)
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
        document = build_input(
            scan.references, enrichment.facts, enrichment.locked, config, today, owners=_owners(options.root, scan), run=run_context(), unread=scan.unread
        )
        if options.run_info:
            document["run"] = {**document.get("run", {}), **options.run_info}
        if options.dump_input is not None:
            write_input(document, options.dump_input)
        findings = parse_findings(evaluate_distinct(engine, document, modules), len(scan.references))
    finally:
        engine.close()
    warnings.extend(engine.notes)  # after close: uploads a shared server kept are named here
    served_rules = engine.rule_metadata()
    result = CheckResult(
        root=str(options.root),
        scan=scan,
        facts=tuple(enrichment.facts),
        findings=tuple(findings),
        rules=library.rule_metadata(modules) if served_rules is None else served_rules,
        warnings=tuple(warnings),
        scopes=tuple(r["scope"] for r in document["references"]),
        bundles=engine.bundles() or bundles,
        policy_revisions=engine.bundles() or bundles or library.bundle_revisions(modules, data),
    )
    if options.use_baseline:  # before --scope narrows the findings, so no entry looks fixed
        from aiospo_ci import baseline

        path = baseline.locate(options.root, options.baseline, config.get("baseline"))
        if path is not None:
            result = baseline.apply(result, baseline.load(path, options.root))
    return only_scopes(result, options.scopes), document


def only_scopes(result: CheckResult, scopes: tuple[str, ...] | None) -> CheckResult:
    """--scope: keep the findings about references in these scopes (and those about the run),
    and say how many were left out, so narrowing the check is never silent."""
    if not scopes:
        return result
    kept: list = []
    left_out: Counter[str] = Counter()
    for f in result.findings:
        scope = result.scope_of(f)
        if scope is None or scope in scopes:
            kept.append(f)
        else:
            left_out[scope] += 1
    if not left_out:
        return result
    note = (
        f"--scope {','.join(scopes)}: {sum(left_out.values())} findings in other scopes "
        f"({', '.join(f'{s}: {n}' for s, n in sorted(left_out.items()))}) were left out of this report and the verdict."
    )
    return dataclasses.replace(result, findings=tuple(kept), warnings=result.warnings + (note,))


def _owners(root: Path, scan: ScanResult) -> list[tuple[str, ...]]:
    """What CODEOWNERS says of each reference's file ([] each without a CODEOWNERS file)."""
    from aiospo_ci.codeowners import CodeOwners

    codeowners = CodeOwners.load(root)
    by_file: dict[str, tuple[str, ...]] = {}
    for ref in scan.references:
        if ref.file not in by_file:
            by_file[ref.file] = codeowners.owners(ref.file)
    return [by_file[ref.file] for ref in scan.references]


def write_input(document: dict[str, Any], path: Path) -> None:
    """`check --dump-input`: the exact document the policies judge, as `policy eval --input`
    reads it (secrets redacted, as in every output)."""
    import json

    from aiospo_ci.secrets import redact

    try:
        path.write_text(redact(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"), encoding="utf-8")
    except OSError as exc:
        raise AiospoError(f"--dump-input {path}: cannot write ({exc.strerror or exc}); check the folder exists and is writable.") from None


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
