"""The `aiospo-ci` command: parse arguments, call the pipeline, write the report, exit.

Exit codes: 0 pass, 1 policy failure, 2 no verdict (usage, configuration, engine, Hub).
Decisions live in rego/ and the stages; this module only wires them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from aiospo_ci import __version__
from aiospo_ci.errors import AiospoError
from aiospo_ci.policy.engines import ENGINES
from aiospo_ci.report.formats import CHECK_FORMATS, SCAN_FORMATS
from aiospo_ci.report.text import inert_text
from aiospo_ci.scope import SCOPES
from aiospo_ci.secrets import redact

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

CHECK_EXAMPLES = """examples:
  aiospo-ci check                         check the current repository
  aiospo-ci check --offline examples/demo  check with facts from the lockfile and cache only
  aiospo-ci check --format sarif -o aiospo.sarif
  aiospo-ci check --engine opa --opa-url http://127.0.0.1:8181
  aiospo-ci check --bundle bundle.tar.gz  judge with the organisation's policy bundle
  aiospo-ci check --opa-url https://opa.example.com --opa-mode query   ask a central OPA only
  aiospo-ci check src/app.py src/train.py  check only these files (as pre-commit does)
"""
TOP_EXAMPLES = """examples:
  aiospo-ci init                              start: .aiospo.yaml, the workflow, the pre-commit entry
  aiospo-ci check                             the verdict for the current repository
  aiospo-ci check --offline examples/demo     from aiospo.lock and the cache, no network
  aiospo-ci inventory -o aibom.cdx.json       the AI bill of materials (CycloneDX 1.6)
  aiospo-ci COMMAND --help                    each command's options and examples
"""
SCAN_EXAMPLES = """examples:
  aiospo-ci scan                 list every model reference under the current directory
  aiospo-ci scan --format json src/
"""
LOCK_EXAMPLES = """examples:
  aiospo-ci lock                 record the vetted facts of every referenced model in aiospo.lock
"""


def _common(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="a folder to scan as the root, or files under --root (default: .)")
    p.add_argument("--root", help="the repository root when PATHs are files (default: the current directory)")
    output_options(p, formats, "text")
    run_options(p)


def output_options(p: argparse.ArgumentParser, formats: Sequence[str], default: str) -> None:
    """--format and --output, shared by every command that writes a report."""
    p.add_argument("--format", "-f", choices=formats, default=default, help=f"report format (default: {default})")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")


def run_options(p: argparse.ArgumentParser) -> None:
    """What a scanning command needs besides its paths and format."""
    p.add_argument("--config", metavar="FILE", help="configuration file (default: .aiospo.yaml at the root)")
    p.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: AIOSPO_CACHE_DIR or the user cache dir)")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="scanner processes (default: the number of cores)")
    p.add_argument("--exclude", action="append", default=[], metavar="PATTERN", help="skip paths matching this gitignore pattern (repeatable)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only findings and errors")
    p.add_argument("--verbose", "-v", action="store_true", help="say what each stage does")
    p.add_argument("--debug", action="store_true", help="show a stack trace on unexpected errors")


def _hub_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--offline", action="store_true", default=None, help="no network: facts from the lockfile and cache only; the rest are 'unknown'")
    p.add_argument("--hub-endpoint", metavar="URL", help="Hugging Face Hub URL (default: HF_ENDPOINT or https://huggingface.co)")
    p.add_argument(
        "--hub-budget", type=_seconds, metavar="SECONDS",
        help="facts from aiospo.lock and the cache first; ask the Hub only about the rest, within SECONDS in all; "
        "what it does not answer in time is 'unknown' (the pre-commit hook's mode)",
    )
    p.add_argument("--today", metavar="YYYY-MM-DD", help="evaluation date for expiry and sunset rules (default: today, UTC)")


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 600:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds between 0 and 600")
    return seconds


def _policy_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", action="append", default=[], metavar="DIR", help="extra Rego policy folder (repeatable)")
    p.add_argument("--engine", choices=ENGINES, help="Rego engine (default: auto: --opa-url, else an opa binary on PATH, else embedded: regorus, or regopy where regorus has no wheel)")
    p.add_argument("--opa-url", metavar="URL", help="evaluate on this OPA server (token from OPA_TOKEN)")
    p.add_argument(
        "--opa-mode",
        choices=("upload", "query"),
        help="upload: this run's policies go to --opa-url in a namespace of their own and are deleted after (default); "
        "query: the server holds the organisation's bundle and is only asked",
    )
    p.add_argument("--bundle", metavar="PATH|URL", help="judge with this policy bundle (aiospo-ci policy build) instead of the built-in library (default: AIOSPO_BUNDLE; token from AIOSPO_BUNDLE_TOKEN)")
    p.add_argument("--verification-key", metavar="FILE", help="verify the bundle's signature with this public key first (default: AIOSPO_BUNDLE_VERIFICATION_KEY)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiospo-ci",
        description="Find the AI models a repository uses, enrich them from the Hugging Face Hub, and judge them with Rego policies.",
        epilog=TOP_EXAMPLES + "\nExit codes: 0 pass, 1 policy failure, 2 no verdict (usage, configuration, engine or Hub error).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"aiospo-ci {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    scan = sub.add_parser("scan", help="find model references (no network, no policy)", epilog=SCAN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(scan, SCAN_FORMATS)
    scan.set_defaults(handler=cmd_scan)

    check = sub.add_parser("check", help="scan, enrich from the Hub, evaluate the policies, report", epilog=CHECK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(check, tuple(CHECK_FORMATS))
    _hub_options(check)
    _policy_options(check)
    check.add_argument("--fail-on", choices=("deny", "warn", "never"), help="lowest severity that fails the check (default: deny)")
    check.add_argument("--explain", action="store_true", help="print the input document and which rules fired for which reference")
    check.add_argument("--dump-input", metavar="FILE", help="write the exact input document the policies judge to FILE (for `policy eval --input FILE`)")
    check.add_argument(
        "--scope", action="append", choices=SCOPES, metavar="SCOPE",
        help=f"judge only references in this scope (repeatable; {', '.join(SCOPES)}); the report says how many findings were left out",
    )
    check.add_argument("--baseline", metavar="FILE", help="the baseline of accepted findings (default: the configuration's baseline, else .aiospo-baseline.json)")
    check.add_argument("--no-baseline", action="store_true", help="ignore the baseline: every finding counts")
    check.add_argument("--fix", action="store_true", help="first apply the mechanical fixes (as `aiospo-ci fix`), then check the result")
    check.add_argument("--dry-run", action="store_true", help="with --fix: print the fixes as a unified diff and check the files as they are")
    import_module("aiospo_ci.decision_log").add_options(check)
    check.set_defaults(handler=cmd_check)

    lock = sub.add_parser("lock", help="write aiospo.lock with the vetted facts of every referenced model", epilog=LOCK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(lock, ("text",))
    _hub_options(lock)
    lock.set_defaults(handler=cmd_lock)

    for module in EXTRA_COMMANDS:
        import_module(module).register(sub)
    return parser


#: Modules that add further subcommands: each has register(subparsers), which sets `handler`
#: on what it adds. Imported only when the parser is built.
EXTRA_COMMANDS = ("aiospo_ci.inventory", "aiospo_ci.inventory_merge", "aiospo_ci.init", "aiospo_ci.policy.commands", "aiospo_ci.baseline", "aiospo_ci.fix.commands")


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            Path(output).write_text(redact(text), encoding="utf-8")
        except OSError as exc:
            raise AiospoError(f"--output {output}: cannot write ({exc.strerror}); check the folder exists and is writable.") from None
    else:
        sys.stdout.write(redact(text))
        sys.stdout.flush()


def _run_options(args: argparse.Namespace):
    from aiospo_ci.pipeline import RunOptions, resolve_root

    root, paths = resolve_root(args.paths, args.root)
    return RunOptions(
        root=root,
        paths=paths,
        config_path=Path(args.config) if args.config else None,
        policy_dirs=tuple(Path(p) for p in getattr(args, "policy", []) or ()),
        engine=getattr(args, "engine", None),
        opa_url=getattr(args, "opa_url", None),
        opa_mode=getattr(args, "opa_mode", None),
        bundle=getattr(args, "bundle", None),
        verification_key=getattr(args, "verification_key", None),
        offline=getattr(args, "offline", None),
        hub_endpoint=getattr(args, "hub_endpoint", None),
        hub_budget=getattr(args, "hub_budget", None),
        fail_on=getattr(args, "fail_on", None),
        today=getattr(args, "today", None),
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        jobs=args.jobs,
        extra_exclude=tuple(args.exclude),
        dump_input=Path(args.dump_input) if getattr(args, "dump_input", None) else None,
        scopes=tuple(getattr(args, "scope", None) or ()) or None,
        baseline=Path(args.baseline) if getattr(args, "baseline", None) else None,
        use_baseline=not getattr(args, "no_baseline", False),
    )


def cmd_scan(args: argparse.Namespace) -> int:
    from aiospo_ci.pipeline import load_run_config, run_scan
    from aiospo_ci.report.formats import get_report

    options = _run_options(args)
    scan = run_scan(options, load_run_config(options))
    _write(get_report(args.format).render_scan(scan), args.output)
    return EXIT_PASS


def cmd_check(args: argparse.Namespace) -> int:
    from aiospo_ci.console import Console
    from aiospo_ci.pipeline import exit_code, run_check
    from aiospo_ci.report.formats import get_report

    console = Console(quiet=args.quiet, verbose=args.verbose)
    if args.dry_run and not args.fix:
        raise AiospoError("--dry-run goes with --fix: `aiospo-ci check --fix --dry-run` prints the fixes as a diff.")
    if args.fix:
        from aiospo_ci.fix.commands import fix_before_check

        fix_before_check(_run_options(args), args.dry_run)
    decision_log = import_module("aiospo_ci.decision_log")
    sinks = decision_log.sinks_from_args(args, os.environ)
    with console.progress("Asking the Hub") as progress:
        options = dataclasses.replace(_run_options(args), progress=progress)
        result, document = run_check(options)
    if args.explain:
        from aiospo_ci.policy.explain import render_explanation

        sys.stderr.write(inert_text(render_explanation(result, document)))
    console.detail(console.stage_summary(result))
    if console.wants_rich_report(args.output, args.format):
        console.print_check(result)  # a table with colour for a person at a terminal
    else:
        text = get_report(args.format).render_check(result)
        if args.quiet and args.format == "text":
            text = console.without_summary(text)
        _write(text, args.output)
        if args.output or args.format != "text":
            # The report holds the warnings too, but a fail-open Hub error must be seen on the
            # console even when the report goes to a file or is read by a machine.
            for warning in result.warnings:
                console.info(f"warning: {warning}")
    fail_on = args.fail_on or (document.get("config") or {}).get("fail_on") or "deny"
    code = exit_code(result, fail_on)
    if sinks:  # the decision record never changes the verdict: failures are warnings
        labels = decision_log.run_labels(options.root, os.environ)
        decision_log.emit(result, document, exit_code=code, sinks=sinks, labels=labels, warn=lambda m: console.info(f"warning: {m}"))
    return code


def cmd_lock(args: argparse.Namespace) -> int:
    from aiospo_ci.pipeline import run_lock

    path = run_lock(_run_options(args))
    if not args.quiet:
        sys.stderr.write(inert_text(f"aiospo-ci: wrote {path}") + "\n")
    return EXIT_PASS


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["inventory", "merge"]:  # `inventory [PATH]` and `inventory merge BOM...` share a name
        argv[:2] = ["inventory-merge"]
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except AiospoError as exc:
        sys.stderr.write(inert_text(f"aiospo-ci: error: {exc}") + "\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("aiospo-ci: interrupted; no verdict.\n")
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is still no verdict: never exit 0
        if getattr(args, "debug", False):
            import traceback

            sys.stderr.write(inert_text(traceback.format_exc()))
        sys.stderr.write(inert_text(f"aiospo-ci: internal error: {type(exc).__name__}: {exc}; no verdict was reached (run with --debug for the trace and report it).") + "\n")
        return EXIT_ERROR
