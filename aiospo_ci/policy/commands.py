"""`aiospo-ci policy ...`: the policy author's workflow.

  policy test [DIR ...]                   run every test_* rule (library + DIRs), like `opa test -v`
  policy eval --input FILE [--query Q]    evaluate a query over an input document
  policy rules [--policy DIR ...]         list the rules with their ids, severities and titles

Exit codes: 0 all good, 1 a test failed, 2 the policies or the input could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aiospo_ci.errors import PolicyError

EXAMPLES = """examples:
  aiospo-ci policy test                              the library's own tests
  aiospo-ci policy test examples/policies            the library's tests and yours
  aiospo-ci policy eval --input doc.json             the findings for an input document
  aiospo-ci check --explain 2> doc.txt               (shows the input document of a real run)
  aiospo-ci policy eval --input doc.json --query data.aiospo.lib.intended_use
  aiospo-ci policy rules --policy examples/policies  every rule id, severity and title
"""


def register(sub: argparse._SubParsersAction) -> None:
    policy = sub.add_parser(
        "policy",
        help="test and evaluate the Rego policies (library and your own)",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = policy.add_subparsers(dest="policy_command", metavar="{test,eval,rules,build}")
    actions.required = True

    test = actions.add_parser("test", help="run every test_* rule with the embedded engine, like `opa test -v`", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    test.add_argument("dirs", nargs="*", metavar="DIR", help="folders (or .rego files) with your policies and their *_test.rego")
    test.add_argument("--failures-only", action="store_true", help="print only failing tests and the summary")
    test.set_defaults(handler=cmd_test)

    evaluate = actions.add_parser("eval", help="evaluate a query over an input document (default: the findings)", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate.add_argument("--input", "-i", required=True, metavar="FILE", help="the input document (JSON), as `check --explain` shows it")
    evaluate.add_argument("--query", "-q", default="data.aiospo.main.findings", metavar="Q", help="a Rego reference or expression (default: data.aiospo.main.findings)")
    evaluate.add_argument("--policy", action="append", default=[], metavar="DIR", help="extra Rego policy folder (repeatable)")
    evaluate.set_defaults(handler=cmd_eval)

    rules = actions.add_parser("rules", help="list every rule: id, default severity, title", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    rules.add_argument("--policy", action="append", default=[], metavar="DIR", help="extra Rego policy folder (repeatable)")
    rules.add_argument("--format", "-f", choices=("text", "json"), default="text")
    rules.set_defaults(handler=cmd_rules)

    from aiospo_ci.policy import build

    build.register(actions)


def cmd_test(args: argparse.Namespace) -> int:
    from aiospo_ci.policy import testing

    results = testing.run_tests([Path(d) for d in args.dirs])
    if not results:
        raise PolicyError("no test_* rules were found; name test rules test_<what> in *_test.rego files.")
    testing.render(results, sys.stdout, verbose=not args.failures_only)
    return 0 if all(r.passed for r in results) else 1


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
    from aiospo_ci.policy import library
    from aiospo_ci.policy.embedded import embedded_engine

    document = _read_input(args.input)
    if not isinstance(document, dict):
        raise PolicyError(f"--input {args.input}: the input document must be a JSON object with schema_version, today, config and references.")
    dirs = [Path(p) for p in args.policy]
    engine = embedded_engine()
    engine.load(library.load_modules(dirs), library.load_data(dirs))
    value = engine.query(args.query, document)
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    sys.stdout.write(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from aiospo_ci.policy import library

    rules = library.rule_metadata(library.load_modules([Path(p) for p in args.policy]))
    if args.format == "json":
        sys.stdout.write(json.dumps(rules, indent=2, sort_keys=True) + "\n")
        return 0
    width = max((len(r) for r in rules), default=0)
    for rule_id, meta in rules.items():
        sys.stdout.write(f"{rule_id:<{width}}  {meta['severity']:<5}  {meta['title']}\n")
    return 0
