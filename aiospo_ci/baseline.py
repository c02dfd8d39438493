"""The baseline: the findings a team accepted on the day it adopted aiospo-ci, so the gate fails
only on new ones while the old ones are worked off.

`aiospo-ci baseline` writes `.aiospo-baseline.json` (commit it) with every unwaived deny and warn
finding of today's check, by fingerprint (aiospo_ci/fingerprint.py: stable when unrelated lines
move). Later checks mark a finding whose fingerprint is recorded as *baselined*: it is reported,
it does not count toward the verdict (CheckResult.counts, read by pipeline.exit_code), and the
run says how many findings the baseline absorbed and how many of its entries are fixed, so the
file can only relax the gate in plain sight. `aiospo-ci baseline --prune` drops the fixed
entries and never adds one.

This is bookkeeping of accepted findings, not a policy decision: the policies judged every
finding as usual; the baseline only says which of those judgements were already known.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiospo_ci.errors import ConfigError
from aiospo_ci.fingerprint import of_result
from aiospo_ci.model import CheckResult, Finding

FILE_NAME = ".aiospo-baseline.json"
VERSION = 1
COMMENT = (
    "Written by `aiospo-ci baseline`: findings accepted when this repository adopted aiospo-ci. "
    "They are reported but do not fail the check; new findings do. Shrink it with `aiospo-ci baseline --prune`."
)


@dataclass(frozen=True)
class Baseline:
    path: Path
    label: str  # as the run names it: relative to the root when inside it
    entries: dict[str, dict[str, Any]]  # fingerprint -> {rule, severity, file, model}


def recordable(finding: Finding) -> bool:
    """Findings a baseline can hold: about a reference, unwaived, able to fail the check."""
    return finding.ref is not None and not finding.waived and finding.severity in ("deny", "warn")


def locate(root: Path, explicit: Path | None, configured: str | None) -> Path | None:
    """The baseline file for a run: --baseline, else the configuration's `baseline`, else
    .aiospo-baseline.json at the root when it exists. A configured path (from the repository
    under review) must stay inside the root."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"--baseline {explicit}: no such file; write one with `aiospo-ci baseline`.")
        return explicit
    if configured:
        root_resolved = root.resolve()
        candidate = (root / configured).resolve()
        if not candidate.is_relative_to(root_resolved):
            raise ConfigError(f"baseline: {configured!r} is outside the repository; give a path inside it such as {FILE_NAME}.")
        if not candidate.is_file():
            raise ConfigError(f"baseline: {configured!r} does not exist; write it with `aiospo-ci baseline` or remove the key.")
        return candidate
    default = root / FILE_NAME
    return default if default.is_file() else None


def _label(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


#: The keys a baseline holds, and nothing else: the scan skips the baseline file (its `model`
#: entries are models it judged, not models the code uses), so a file that holds anything more
#: is not a baseline and is scanned like any other.
_TOP_KEYS = frozenset({"aiospo_baseline_version", "comment", "findings"})
_ENTRY_KEYS = frozenset({"fingerprint", "rule", "severity", "file", "model"})


def _problem(document: Any) -> str | None:
    """What keeps a parsed document from being exactly a baseline, or None."""
    if not isinstance(document, dict) or document.get("aiospo_baseline_version") != VERSION or not isinstance(document.get("findings"), list):
        return f"not an aiospo-ci baseline (expected aiospo_baseline_version {VERSION} and a findings list)"
    extra = sorted(set(document) - _TOP_KEYS)
    if extra:
        return f"it holds keys a baseline does not ({', '.join(extra)})"
    for i, entry in enumerate(document["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str) or not entry["fingerprint"]:
            return f"findings[{i}] has no fingerprint"
        extra = sorted(set(entry) - _ENTRY_KEYS)
        if extra or not all(isinstance(v, str) for v in entry.values()):
            return f"findings[{i}] holds keys or values a baseline entry does not ({', '.join(extra) or 'a value that is not text'})"
    return None


def is_baseline_file(path: Path) -> bool:
    """Exactly a baseline document (so the scan may skip it): nothing else hides in it."""
    try:
        return _problem(json.loads(path.read_text(encoding="utf-8"))) is None
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def load(path: Path, root: Path) -> Baseline:
    label = _label(path, root)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read the baseline ({exc.strerror}).") from None
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(f"{label}: the baseline is not valid JSON; rewrite it with `aiospo-ci baseline`.") from None
    problem = _problem(document)
    if problem:
        raise ConfigError(f"{label}: {problem}; rewrite it with `aiospo-ci baseline`.")
    entries = {entry["fingerprint"]: entry for entry in document["findings"]}
    return Baseline(path=path, label=label, entries=entries)


def apply(result: CheckResult, baseline: Baseline) -> CheckResult:
    """Mark the findings the baseline records, and say what it absorbed."""
    findings = []
    absorbed: Counter[str] = Counter()
    present = set()
    for finding, key in zip(result.findings, of_result(result)):
        if recordable(finding) and key in baseline.entries:
            present.add(key)
            absorbed[finding.severity] += 1
            finding = dataclasses.replace(finding, baselined=True)
        findings.append(finding)
    fixed = len(baseline.entries) - len(present)
    total = sum(absorbed.values())
    note = (
        f"baseline {baseline.label}: {total} finding{'s' if total != 1 else ''} recorded there did not fail the check"
        + (f" ({', '.join(f'{n} {s}' for s, n in sorted(absorbed.items()))})" if total else "")
        + f"; it holds {len(baseline.entries)} entr{'ies' if len(baseline.entries) != 1 else 'y'}"
        + (f", {fixed} of them fixed: run `aiospo-ci baseline --prune` to remove them" if fixed else "")
        + "."
    )
    return dataclasses.replace(result, findings=tuple(sorted(findings, key=Finding.sort_key)), warnings=result.warnings + (note,))


def document(result: CheckResult, keep: set[str] | None = None) -> dict[str, Any]:
    """The baseline file for a check: every recordable finding (only those in `keep`, to prune)."""
    refs = result.scan.references
    entries = {}
    for finding, key in zip(result.findings, of_result(result)):
        if not recordable(finding) or (keep is not None and key not in keep):
            continue
        ref = refs[finding.ref]  # type: ignore[index]
        entries[key] = {"fingerprint": key, "rule": finding.rule, "severity": finding.severity, "file": ref.file, "model": ref.id}
    ordered = sorted(entries.values(), key=lambda e: (e["file"], e["model"], e["rule"], e["fingerprint"]))
    return {"aiospo_baseline_version": VERSION, "comment": COMMENT, "findings": ordered}


def write(path: Path, content: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the baseline ({exc.strerror}).") from None


BASELINE_EXAMPLES = """examples:
  aiospo-ci baseline --offline            record today's findings in .aiospo-baseline.json (commit it)
  aiospo-ci baseline --offline --prune    drop the entries that are fixed; never adds one
  aiospo-ci check --no-baseline           judge every finding, as if there were no baseline
"""


def register(sub) -> None:
    import argparse

    from aiospo_ci import cli

    p = sub.add_parser(
        "baseline",
        help="record today's findings so later checks fail only on new ones",
        description="Run the check and write the unwaived deny and warn findings to a baseline file, by fingerprint. "
        "Later checks report those findings as baselined and fail only on findings not in it.",
        epilog=BASELINE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="?", metavar="PATH", help="the repository (default: .)")
    p.add_argument("--output", "-o", metavar="FILE", help=f"the baseline file (default: the configuration's baseline, else {FILE_NAME} at the root)")
    p.add_argument("--prune", action="store_true", help="keep only the entries still found: remove fixed findings, never add new ones")
    cli.run_options(p)
    cli._hub_options(p)
    cli._policy_options(p)
    p.set_defaults(handler=cmd_baseline)


def cmd_baseline(args) -> int:
    from aiospo_ci import cli
    from aiospo_ci.pipeline import RunOptions, load_run_config, run_check

    args.root = None
    args.paths = [args.paths] if args.paths else []
    options: RunOptions = dataclasses.replace(cli._run_options(args), use_baseline=False)
    config = load_run_config(options)
    target = Path(args.output) if args.output else (locate(options.root, None, config.get("baseline")) or options.root / FILE_NAME)
    keep = None
    if args.prune:
        if not target.is_file():
            raise ConfigError(f"{target}: no baseline to prune; write one with `aiospo-ci baseline`.")
        keep = set(load(target, options.root).entries)
    result, _ = run_check(options)
    content = document(result, keep)
    write(target, content)
    if not args.quiet:
        counts = Counter(e["severity"] for e in content["findings"])
        removed = f", {len(keep) - len(content['findings'])} fixed entries removed" if keep is not None else ""
        sys.stderr.write(f"aiospo-ci: wrote {_label(target, options.root)} with {len(content['findings'])} findings ({counts['deny']} deny, {counts['warn']} warn){removed}.\n")
    return 0
