"""`aiospo-ci fix` and `check --fix`: scan, look the models up (Hub or aiospo.lock), rewrite.

Fixing needs facts, not a verdict: the policies are not evaluated here. `check --fix` fixes
first and then checks the result, so its report and exit code are about the fixed files.
"""

from __future__ import annotations

import argparse
import sys

from aiospo_ci.fix.plan import FixResult, apply_edits, edits_for, write

FIX_EXAMPLES = """examples:
  aiospo-ci fix --offline                pin every model to the commit in aiospo.lock, in place
  aiospo-ci fix --dry-run examples/demo  print the changes as a unified diff; write nothing
  aiospo-ci check --fix --offline        fix, then check the fixed files
"""


def register(sub) -> None:
    from aiospo_ci import cli

    p = sub.add_parser(
        "fix",
        help="rewrite what can be fixed mechanically: revisions pinned to commits, unneeded trust_remote_code, use_safetensors",
        description="Pin unpinned and branch-pinned models to the full commit the Hub (or aiospo.lock) gives, remove "
        "trust_remote_code=True where the model ships no custom code, and switch use_safetensors=False to True where "
        "the repository has safetensors. Python loader calls, YAML and JSON configs; comments and formatting are kept.",
        epilog=FIX_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="a folder to fix as the root, or files under --root (default: .)")
    p.add_argument("--root", help="the repository root when PATHs are files (default: the current directory)")
    p.add_argument("--dry-run", action="store_true", help="print the changes as a unified diff and write nothing")
    cli.run_options(p)
    cli._hub_options(p)
    p.set_defaults(handler=cmd_fix)


def plan_fixes(options) -> FixResult:
    """The fixes for a run's files, from the scan and the Hub facts (nothing written)."""
    from aiospo_ci.pipeline import evaluation_date, hub_settings, load_run_config, run_enrich, run_scan

    config = load_run_config(options)
    scan = run_scan(options, config)
    enrichment = run_enrich(options, hub_settings(options, config), scan, evaluation_date(options.today))
    edits, skipped = edits_for(scan.references, enrichment.facts)
    return apply_edits(options.root, edits, skipped)


def report(result: FixResult, stream) -> None:
    counts: dict[str, int] = {}
    for edit in result.applied:
        counts[edit.file] = counts.get(edit.file, 0) + 1
    for path in sorted(counts):
        stream.write(f"aiospo-ci: fixed {path} ({counts[path]} change{'s' if counts[path] != 1 else ''})\n")
    for item in result.skipped:
        stream.write(f"aiospo-ci: not fixed {item.edit.where}: {item.edit.describe()}: {item.reason}\n")
    if not result.applied and not result.skipped:
        stream.write("aiospo-ci: nothing to fix\n")


def cmd_fix(args) -> int:
    from aiospo_ci import cli
    from aiospo_ci.secrets import redact

    options = cli._run_options(args)
    result = plan_fixes(options)
    if args.dry_run:
        sys.stdout.write(redact(result.diff()))
    else:
        write(options.root, result)
    if not args.quiet:
        report(result, sys.stderr)
    return 0


def fix_before_check(options, dry_run: bool) -> None:
    """check --fix: apply (or with --dry-run, print to stderr) the fixes before checking."""
    result = plan_fixes(options)
    if dry_run:
        sys.stderr.write(result.diff())
    else:
        write(options.root, result)
    report(result, sys.stderr)

