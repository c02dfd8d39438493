"""`aiospo-ci policy ...`: the policy author's workflow.

  policy test [DIR ...]                   run every test_* rule (library + DIRs), like `opa test`
  policy eval --input FILE [--query Q]    evaluate a query over an input document
  policy rules [--policy DIR ...]         list the rules with their ids, severities and titles

`policy test` exits as `opa test` does: 0 every test passed, 2 a test failed, errored or was
skipped (`-z` lets skipped tests pass), or the engines disagreed, or coverage fell below
--threshold; 1 the policies or the tests could not be loaded. `policy eval` and `policy rules`
exit 0, or 2 when the policies or the input could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aiospo_ci.errors import AiospoError, PolicyError

EXAMPLES = """examples:
  aiospo-ci policy test                              the library's own tests
  aiospo-ci policy test examples/policies            the library's tests and yours (failures only; -v for all)
  aiospo-ci policy test --no-library -v my-policies  only your tests, each listed with its print output
  aiospo-ci policy test --engine both --coverage p/  on the embedded engine and on OPA, with coverage
  aiospo-ci policy test -r org_allowlist p/          only the tests whose name matches
  aiospo-ci check --dump-input doc.json              (writes the input document of a real run)
  aiospo-ci policy eval --input doc.json --explain   the findings, and which rules fired
  aiospo-ci policy eval --input doc.json --query data.aiospo.lib.intended_use
  aiospo-ci policy rules --policy examples/policies  every rule id, severity and title
"""

EVAL_ENGINES = ("embedded", "regorus", "regopy", "opa")


def register(sub: argparse._SubParsersAction) -> None:
    from aiospo_ci.policy.testing import TEST_ENGINES

    policy = sub.add_parser(
        "policy",
        help="test and evaluate the Rego policies (library and your own)",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = policy.add_subparsers(dest="policy_command", metavar="{test,eval,rules,build}")
    actions.required = True

    test = actions.add_parser(
        "test",
        help="run every test_* rule, like `opa test` (exit 0 pass, 2 failures, 1 load errors)",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    test.add_argument("dirs", nargs="*", metavar="DIR", help="folders (or .rego files) with your policies and their *_test.rego")
    test.add_argument(
        "--engine",
        choices=TEST_ENGINES,
        default="embedded",
        help="embedded (regorus, else regopy), regorus, regopy, opa (--opa-url, else OPA's Go evaluator in process), or both (embedded and opa)",
    )
    test.add_argument("--opa-url", metavar="URL", help="run the OPA side on this server (uploads under ids of this run, removed afterwards)")
    test.add_argument("--run", "-r", metavar="REGEX", help="only the tests whose full name (data.<package>.<test>) matches REGEX")
    test.add_argument("--verbose", "-v", action="store_true", help="list every test, not only the failures, with the print output of each")
    test.add_argument("--format", "-f", choices=("pretty", "json"), default="pretty", help="pretty (default) or json")
    test.add_argument("--coverage", "-c", action="store_true", help="report line coverage per file and per rule (regorus or OPA)")
    test.add_argument("--threshold", type=float, default=0.0, metavar="PERCENT", help="exit 2 when coverage is below PERCENT (implies --coverage)")
    test.add_argument("--no-library", action="store_true", help="run only the tests in DIR (the library still loads: your rules use it)")
    test.add_argument("--exit-zero-on-skipped", "-z", action="store_true", help="todo_ tests do not make the run fail")
    test.set_defaults(handler=cmd_test)

    evaluate = actions.add_parser("eval", help="evaluate a query over an input document (default: the findings)", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate.add_argument("--input", "-i", required=True, metavar="FILE", help="the input document (JSON), as `check --dump-input` writes it")
    evaluate.add_argument("--query", "-q", default="data.aiospo.main.findings", metavar="Q", help="a Rego reference or expression (default: data.aiospo.main.findings)")
    evaluate.add_argument("--policy", action="append", default=[], metavar="DIR", help="extra Rego policy folder (repeatable)")
    evaluate.add_argument("--engine", choices=EVAL_ENGINES, default="embedded", help="embedded (default), regorus, regopy, or opa (OPA's Go evaluator in process)")
    evaluate.add_argument("--config", metavar="FILE", help="judge with this .aiospo.yaml instead of the document's config (validated as check validates it)")
    evaluate.add_argument("--today", metavar="YYYY-MM-DD", help="judge as of this date instead of the document's today")
    evaluate.add_argument("--debug", action="store_true", help="print the policies' print() output on standard error")
    evaluate.add_argument("--explain", action="store_true", help="note on standard error which rules fired, for which references, and which rule packages found nothing")
    evaluate.set_defaults(handler=cmd_eval)

    rules = actions.add_parser("rules", help="list every rule: id, default severity, title", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    rules.add_argument("--policy", action="append", default=[], metavar="DIR", help="extra Rego policy folder (repeatable)")
    rules.add_argument("--format", "-f", choices=("text", "json"), default="text")
    rules.set_defaults(handler=cmd_rules)

    from aiospo_ci.policy import build

    build.register(actions)


# `opa test`'s exit codes.
TEST_PASS, TEST_LOAD_ERROR, TEST_FAILED = 0, 1, 2


def cmd_test(args: argparse.Namespace) -> int:
    from aiospo_ci.policy import testing

    coverage = args.coverage or args.threshold > 0
    try:
        runs = testing.run_suite(
            [Path(d) for d in args.dirs],
            engine=args.engine,
            opa_url=args.opa_url,
            with_library=not args.no_library,
            run=args.run,
            coverage=coverage,
        )
    except AiospoError as exc:
        sys.stderr.write(f"aiospo-ci: error: {exc}\n")
        return TEST_LOAD_ERROR
    if not any(run.results for run in runs):
        where = " matching --run" if args.run else ""
        sys.stderr.write(f"aiospo-ci: error: no test_* rules were found{where}; name test rules test_<what> in *_test.rego files.\n")
        return TEST_LOAD_ERROR
    disagreements = _disagreements(runs)
    if args.format == "json":
        report = testing.results_json(runs, coverage)
        report["disagreements"] = disagreements
        sys.stdout.write(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        for i, run in enumerate(runs):
            if i:
                sys.stdout.write("\n")
            if run.error:
                sys.stdout.write(f"engine: {run.engine}\nthe policies or tests did not load: {run.error}\n")
                continue
            testing.render(run.results, sys.stdout, verbose=args.verbose, engine=run.engine if len(runs) > 1 or args.engine != "embedded" else "")
            if coverage and run.coverage is not None:
                testing.render_coverage(run, sys.stdout)
        for line in disagreements:
            sys.stdout.write(f"engines disagree: {line}\n")
    code = TEST_PASS
    if any(run.error for run in runs):
        return TEST_LOAD_ERROR
    for run in runs:
        for result in run.results:
            if result.status in ("FAIL", "ERROR") or (result.status == "SKIPPED" and not args.exit_zero_on_skipped):
                code = TEST_FAILED
        if coverage and run.coverage is not None and testing.coverage_report(run)["coverage"] < args.threshold:
            sys.stderr.write(f"aiospo-ci: coverage on {run.engine} is {testing.coverage_report(run)['coverage']:.2f}%, below --threshold {args.threshold:g}.\n")
            code = TEST_FAILED
    return TEST_FAILED if disagreements else code


def _disagreements(runs) -> list[str]:
    if len(runs) < 2 or any(run.error for run in runs):
        return []
    first, *others = runs
    status = {r.case.query: r.status for r in first.results}
    lines = []
    for run in others:
        for result in run.results:
            if status.get(result.case.query) != result.status:
                lines.append(f"{result.case.query}: {first.engine} {status.get(result.case.query)}, {run.engine} {result.status}")
    return lines


def _read_input(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"--input {path}: cannot read it ({exc.strerror or exc}); give the path of a JSON input document.") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise PolicyError(f"--input {path}: not valid JSON ({exc}); write the input document as JSON (see aiospo_ci/schemas/input.schema.json).") from None


def cmd_eval(args: argparse.Namespace) -> int:
    from aiospo_ci.config import load_config, validate_custom
    from aiospo_ci.pipeline import evaluation_date
    from aiospo_ci.policy import authoring, library
    from aiospo_ci.policy.document import parse_findings
    from aiospo_ci.policy.interface import DECISION_QUERY
    from aiospo_ci.policy.testing import in_process_engine

    document = _read_input(args.input)
    if not isinstance(document, dict):
        raise PolicyError(f"--input {args.input}: the input document must be a JSON object with schema_version, today, config and references.")
    dirs = [Path(p) for p in args.policy]
    if args.config:
        document = dict(document, config=load_config(Path(args.config)))
    if args.today:
        document = dict(document, today=evaluation_date(args.today))
    validate_custom(document.get("config") or {}, library.config_schemas(dirs), args.config or f"{args.input} (config)")
    modules = library.load_modules(dirs)
    engine = in_process_engine(args.engine)
    authoring.check_modules(modules, engine.name)
    engine.load(modules, library.load_data(dirs))
    engine.set_observing(prints=args.debug)
    try:
        value = engine.query(args.query, document)
    finally:
        for line in engine.take_prints():
            sys.stderr.write(f"print: {line}\n")
    decision = args.query.replace(" ", "") == DECISION_QUERY
    if decision:
        parse_findings(value, len(document.get("references") or ()))  # a broken finding is an error here as in check
    if args.explain:
        sys.stderr.write(_explain(engine, document, modules, value if decision else engine.query(DECISION_QUERY, document)))
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    sys.stdout.write(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    for note in engine.notes:
        sys.stderr.write(f"note: {note}\n")
    return 0


def _explain(engine, document: dict[str, Any], modules: dict[str, str], findings: list[dict[str, Any]]) -> str:
    """Which rules fired for which references, and which rule packages found nothing."""
    from aiospo_ci.policy.rego_source import RegoSource

    references = document.get("references") or []
    lines = [f"# {len(findings)} findings on {len(references)} references (today {document.get('today')})"]
    by_rule: dict[str, list[str]] = {}
    for f in findings:
        ref = f.get("ref")
        label = "the run" if ref is None else f"[{ref}] {references[ref].get('id')}" if isinstance(ref, int) and ref < len(references) else str(ref)
        by_rule.setdefault(f"{f.get('rule')} ({'waived ' if f.get('waived') else ''}{f.get('severity')})", []).append(label)
    for rule in sorted(by_rule):
        lines.append(f"fired  {rule}: {', '.join(by_rule[rule][:8])}{' ...' if len(by_rule[rule]) > 8 else ''}")
    raw = engine.query_value("{pkg: count(fs) | some pkg; fs := data.aiospo.rules[pkg].findings}", document)
    packages = sorted({s.package[0] for s in (RegoSource(n, t) for n, t in modules.items()) if s.package and s.package[0].startswith("aiospo.rules.")})
    for package in packages:
        name = package.split(".", 2)[2]
        if not (raw or {}).get(name):
            lines.append(f"silent {package}: no finding for this input")
    return "\n".join(lines) + "\n"


def cmd_rules(args: argparse.Namespace) -> int:
    from aiospo_ci.policy import library

    rules = library.rule_metadata(library.load_modules([Path(p) for p in args.policy]))
    if args.format == "json":
        sys.stdout.write(json.dumps(rules, indent=2, sort_keys=True) + "\n")
        return 0
    width = max((len(r) for r in rules), default=0)
    for rule_id, meta in rules.items():
        configurable = f"  (configurable: {meta['config']})" if meta["severity_from_config"] else ""
        sys.stdout.write(f"{rule_id:<{width}}  {meta['severity']:<5}  {meta['title']}{configurable}\n")
    return 0
