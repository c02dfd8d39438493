"""Run the Rego unit tests the way `opa test` does, on any engine.

A test is a rule named `test_*`; it passes when it is `true`. `todo_test_*` rules are skipped.
Tests run on one engine (`regorus`, `regopy`, `embedded`: regorus where installed, else
regopy), on OPA (`opa`: an OPA server at --opa-url, else OPA's Go evaluator in process), or on
`both` (the embedded engine and OPA), so what passes here passes in a CI that runs OPA.

A failing test says which statement of its body failed and the values there (evaluated again
step by step, see `explain_failure`), not just "undefined"; an erroring test carries the
engine's message and location. `print` output is kept per test. Coverage (regorus and OPA)
is per file and per rule, in the shape `opa test --coverage` reports.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import library
from aiospo_ci.policy.interface import UNDEFINED, InProcessEngine
from aiospo_ci.policy.rego_source import RegoSource

_PACKAGE = re.compile(r"^package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
# A test rule head at column 0: `test_name if {`, `test_name := ...`, `todo_test_name if ...`.
_TEST_RULE = re.compile(r"^((?:todo_)?test_\w+)\b", re.MULTILINE)

#: evaluate(query) -> the query's value; raises on engine errors, returns UNDEFINED when undefined.
Evaluator = Callable[[str], Any]

#: `policy test --engine` choices.
TEST_ENGINES = ("embedded", "regorus", "regopy", "opa", "both")


@dataclass(frozen=True)
class TestCase:
    module: str  # the module (file) that defines it
    package: str
    name: str
    row: int = 0  # the line of its first head

    @property
    def query(self) -> str:
        return f"data.{self.package}.{self.name}"

    @property
    def skip(self) -> bool:
        return self.name.startswith("todo_")


@dataclass(frozen=True)
class TestResult:
    case: TestCase
    status: str  # PASS | FAIL | ERROR | SKIPPED
    detail: str = ""  # why it failed: the failing statement and its values, or the engine error
    output: tuple[str, ...] = ()  # its print lines

    @property
    def passed(self) -> bool:
        return self.status == "PASS"


@dataclass
class TestRun:
    """The results of one engine, and its coverage when asked for."""

    engine: str
    results: list[TestResult]
    coverage: dict[str, tuple[set[int], set[int]]] | None = None
    sources: dict[str, str] = field(default_factory=dict)  # the modules the coverage is about
    error: str = ""  # why the modules did not load on this engine (then there are no results)


def discover_tests(modules: dict[str, str]) -> list[TestCase]:
    """Every distinct test_* (and todo_test_*) rule in modules, in module then source order."""
    cases: list[TestCase] = []
    for name in sorted(modules):
        source = modules[name]
        package = _PACKAGE.search(source)
        if not package:
            continue
        seen: set[str] = set()
        for match in _TEST_RULE.finditer(source):
            rule = match.group(1)
            if rule not in seen:
                seen.add(rule)
                cases.append(TestCase(module=name, package=package.group(1), name=rule, row=source.count("\n", 0, match.start()) + 1))
    return cases


def _entrypoint(query: str) -> str:
    """`data.a.b.test_x` -> `a/b/test_x`, the form rego-cpp bundles name entrypoints."""
    return query[len("data."):].replace(".", "/")


def regopy_evaluator(modules: dict[str, str], data: dict[str, Any] | None = None, queries: Sequence[str] = ()) -> Evaluator:
    """An evaluator over one rego-cpp interpreter holding every module.

    The given queries are compiled once into a bundle (rego-cpp otherwise recompiles all
    modules for every query, which made a test file take seconds); other queries are
    evaluated as plain queries."""
    from regopy import Interpreter, RegoError

    from aiospo_ci.policy.regopy_engine import check_engine_pitfalls, describe_rego_error

    check_engine_pitfalls(modules)

    interpreter = Interpreter()
    try:
        for name in modules:
            interpreter.add_module(name, modules[name])
        if data:
            interpreter.add_data_json(json.dumps(data))
        bundle = interpreter.build(None, [_entrypoint(q) for q in queries]) if queries else None
    except RegoError as exc:
        raise PolicyError(f"the policies do not compile: {describe_rego_error(exc)}; fix that module.") from None
    compiled = set(queries)

    def evaluate(query: str) -> Any:
        try:
            if query in compiled:
                output = interpreter.query_bundle_entrypoint(bundle, _entrypoint(query))
            else:
                output = interpreter.query(f"x := {query}")
        except RegoError as exc:
            raise PolicyError(describe_rego_error(exc)) from None
        text = str(output)
        if not output.ok():
            raise PolicyError(describe_rego_error(Exception(text)) if text.strip() else "engine error")
        if text.strip() == "undefined":
            return UNDEFINED
        value = json.loads(text)
        for result in value if isinstance(value, list) else [value]:
            if not isinstance(result, dict):
                continue
            bindings = result.get("bindings")
            if bindings and "x" in bindings:
                return bindings["x"]
            if query in compiled and result.get("expressions"):
                return result["expressions"][0]
        return UNDEFINED

    return evaluate


def test_modules(dirs: Sequence[Path] = (), *, with_library_tests: bool = True) -> dict[str, str]:
    """The library and the given folders, tests included. Without the library's tests, its
    test fixtures (a package named *fixtures*) still load: user tests may import them."""
    modules = library.load_modules(list(dirs), include_tests=True)
    if with_library_tests:
        return modules
    own = set(library.load_modules([], include_tests=True))
    return {name: source for name, source in modules.items() if not (name in own and name.endswith("_test.rego") and not _is_fixture(source))}


def engine_evaluator(engine: InProcessEngine) -> Evaluator:
    """An evaluator over an in-process engine that holds every module and the data."""
    return engine.query_value


def _status(case: TestCase, evaluate: Evaluator) -> TestResult:
    if case.skip:
        return TestResult(case, "SKIPPED")
    try:
        value = evaluate(case.query)
    except Exception as exc:  # noqa: BLE001 - an engine error fails this test, not the run
        return TestResult(case, "ERROR", " ".join(str(exc).split()) or type(exc).__name__)
    if value is True:
        return TestResult(case, "PASS")
    return TestResult(case, "FAIL", "undefined" if value is UNDEFINED else f"value {json.dumps(value)[:200]}")


def run_tests(
    dirs: Sequence[Path] = (),
    evaluator: Evaluator | None = None,
    modules: dict[str, str] | None = None,
    engine: str = "embedded",
) -> list[TestResult]:
    """Run every test_* rule of the library and of `dirs` (folders or .rego files), on the
    given evaluator, else on the in-process engine named by `engine`."""
    if modules is None:
        modules = test_modules(dirs)
    if evaluator is not None:
        return [_status(case, evaluator) for case in discover_tests(modules)]
    return _run_in_process(engine, modules, library.load_data(list(dirs)), discover_tests(modules)).results


def _run_in_process(choice: str, modules: dict[str, str], data: dict[str, Any], cases: Sequence[TestCase], *, coverage: bool = False, explain: bool = False) -> TestRun:
    from aiospo_ci.policy.embedded import embedded_engine

    engine = in_process_engine(choice)
    if engine.name == "regopy":
        per_file = _regopy_per_file(modules, data, cases)
        results = [_status(case, per_file(case)) for case in cases]
        run = TestRun(engine.name, results)
    else:
        engine.load(modules, data)
        engine.set_observing(prints=True, coverage=coverage)
        batched = _by_package(engine, cases) if engine.name == "opa" else {}
        results = []
        for case in cases:
            if case in batched:
                results.append(batched[case])
                continue
            result = _status(case, engine.query_value)
            prints = tuple(engine.take_prints())
            results.append(TestResult(result.case, result.status, result.detail, prints))
        run = TestRun(engine.name, results, engine.coverage_lines() if coverage else None)
        engine.close()
    if explain:

        def fresh() -> InProcessEngine:
            return in_process_engine(choice) if choice != "embedded" else embedded_engine(engine.name)

        run.results = [_explained(r, modules, data, fresh) for r in run.results]
    return run


def _by_package(engine: InProcessEngine, cases: Sequence[TestCase]) -> dict[TestCase, TestResult]:
    """The tests of each package in one query. OPA's evaluator prepares every distinct query
    afresh (some 0.2 s with the library loaded), so one query per test would make the
    library's tests take a minute. A package whose query errors or prints is left out: its
    tests then run one by one, so each error and each print belongs to its own test."""
    done: dict[TestCase, TestResult] = {}
    packages: dict[str, list[TestCase]] = {}
    for case in cases:
        if not case.skip:
            packages.setdefault(case.package, []).append(case)
    for package, members in packages.items():
        names = json.dumps([c.name for c in members])
        try:
            values = engine.query_value(f"{{name: value | some name in {names}; value := data.{package}[name]}}")
        except PolicyError:
            continue
        if engine.take_prints() or not isinstance(values, dict):
            continue
        for case in members:
            value = values.get(case.name, UNDEFINED)
            done[case] = TestResult(case, "PASS") if value is True else TestResult(
                case, "FAIL", "undefined" if value is UNDEFINED else f"value {json.dumps(value)[:200]}"
            )
    return done


def in_process_engine(choice: str) -> InProcessEngine:
    """`embedded`, `regorus`, `regopy`, or `opa` (OPA's Go evaluator in this process)."""
    from aiospo_ci.policy.embedded import embedded_engine

    if choice == "opa":
        from aiospo_ci.policy.opa_go import OpaGoEngine

        return OpaGoEngine()
    return embedded_engine(choice)


def _regopy_per_file(modules: dict[str, str], data: dict[str, Any], cases: Sequence[TestCase]) -> Callable[[TestCase], Evaluator]:
    """One rego-cpp interpreter per test file: rego-cpp rewrites every `with` against all
    loaded modules, so loading every test file at once makes each query far slower."""
    evaluators: dict[str, Evaluator] = {}

    def for_case(case: TestCase) -> Evaluator:
        if case.module not in evaluators:
            file_queries = [c.query for c in cases if c.module == case.module and not c.skip]
            evaluators[case.module] = regopy_evaluator(_modules_for(modules, case.module), data, file_queries)
        return evaluators[case.module]

    return for_case


def _modules_for(modules: dict[str, str], test_module: str) -> dict[str, str]:
    """Every non-test module, the shared test fixtures, and the one test file."""
    return {
        name: source
        for name, source in modules.items()
        if not name.endswith("_test.rego") or name == test_module or _is_fixture(source)
    }


_FIXTURE_PACKAGE = re.compile(r"^package\s+[\w.]*fixtures(?:_test)?\b", re.MULTILINE)


def _is_fixture(source: str) -> bool:
    """Test helper modules (a package named *fixtures*, with no tests of their own)."""
    return bool(_FIXTURE_PACKAGE.search(source)) and not _TEST_RULE.search(source)


# --- OPA over its REST API ----------------------------------------------------------------


def _run_on_server(url: str, modules: dict[str, str], data: dict[str, Any], cases: Sequence[TestCase]) -> TestRun:
    """Upload the modules and data as `check` does (policy/opa.py: a namespace of this run only,
    in an order OPA accepts), query each test with strict builtin errors, and remove them again:
    a shared server keeps nothing of ours. Print output and coverage stay on the server's side."""
    import os

    from aiospo_ci.policy.opa import OpaServerEngine

    engine = OpaServerEngine(url, token=os.environ.get("OPA_TOKEN") or None)
    try:
        engine.load(modules, data)
        results = [_status(case, engine.query_reference) for case in cases]
    finally:
        engine.close()
    for note in engine.notes:  # what the server kept of this run is named, never left silently
        sys.stderr.write(f"aiospo-ci: warning: {note}\n")
    return TestRun("opa", results)


# --- a whole `policy test` run ------------------------------------------------------------


def run_suite(
    dirs: Sequence[Path] = (),
    *,
    engine: str = "embedded",
    opa_url: str | None = None,
    with_library: bool = True,
    run: str | None = None,
    coverage: bool = False,
) -> list[TestRun]:
    """Load the library and `dirs`, check the modules as `check` would, and run the tests on
    the engine chosen (two runs for `both`)."""
    from aiospo_ci.policy import authoring

    if engine not in TEST_ENGINES:
        raise PolicyError(f"--engine {engine!r} is not known to policy test; use one of {', '.join(TEST_ENGINES)}.")
    modules = test_modules(dirs, with_library_tests=with_library)
    data = library.load_data(list(dirs))
    cases = discover_tests(modules)
    if not with_library:
        own_tests = set(library.load_modules([], include_tests=True))
        cases = [c for c in cases if c.module not in own_tests]
    if run:
        try:
            pattern = re.compile(run)
        except re.error as exc:
            raise PolicyError(f"--run {run!r} is not a regular expression ({exc}); e.g. --run 'org_allowlist' or --run 'test_.*denied'.") from None
        cases = [c for c in cases if pattern.search(c.query)]
    authoring.check_syntax({name: source for name, source in modules.items() if name.endswith("_test.rego")})
    choices = {"both": ("embedded", "opa")}.get(engine, (engine,))
    own = set(library.load_modules([], include_tests=True))
    covered = {n: s for n, s in _rules_only(modules).items() if with_library or n not in own}
    runs = []
    for choice in choices:
        concrete = "opa" if choice == "opa" else in_process_engine(choice).name
        if coverage and concrete == "regopy":
            raise PolicyError("--coverage needs the regorus engine or OPA; regopy cannot measure it. Use --engine regorus, opa or both.")
        try:
            authoring.check_modules(_rules_only(modules), concrete)
            if choice == "opa" and opa_url:
                result = _run_on_server(opa_url, modules, data, cases)
            else:
                result = _run_in_process(choice, modules, data, cases, coverage=coverage, explain=True)
        except PolicyError as exc:
            if len(choices) == 1:
                raise
            result = TestRun(concrete, [], error=str(exc))  # the other engine's results still count
        result.sources = covered
        runs.append(result)
    return runs


def _rules_only(modules: dict[str, str]) -> dict[str, str]:
    """The modules `check` would load: tests left out."""
    return {name: source for name, source in modules.items() if not name.endswith("_test.rego")}


# --- why a test failed --------------------------------------------------------------------


def _explained(result: TestResult, modules: dict[str, str], data: dict[str, Any], fresh: Callable[[], InProcessEngine]) -> TestResult:
    if result.status not in ("FAIL", "ERROR"):
        return result
    try:
        why = explain_failure(result.case, modules, data, fresh)
    except Exception:  # noqa: BLE001 - the explanation is a help; the test has failed either way
        why = None
    if not why:
        return result
    return TestResult(result.case, result.status, f"{result.detail}: {why}" if result.detail.startswith("value") else why, result.output)


def _statements(case: TestCase, source: str) -> list[tuple[str, str, int]] | None:
    """(statement text, failing-expression text, line) for the first body of the test rule,
    read from regorus's syntax tree; None when regorus is not installed or the rule has none."""
    try:
        import regorus
    except ImportError:
        return None
    engine = regorus.Engine()
    engine.add_policy(case.module, source)
    tree = json.loads(engine.get_ast_as_json())[0]["ast"]
    raw = source.encode("utf-8")
    for rule in tree.get("rules") or ():
        spec = rule.get("Spec") or {}
        head = spec.get("head") or {}
        head_var: dict[str, Any] = next(iter(head.values()), {}) if isinstance(head, dict) else {}
        name = ((head_var.get("refr") or {}).get("Var") or {}).get("value")
        if name != case.name or not spec.get("bodies"):
            continue
        out = []
        query = spec["bodies"][0]["query"]
        stmts = query["stmts"]
        for i, stmt in enumerate(stmts):
            # regorus's spans can stop before a closing quote: a statement runs to the next
            # one (or to the end of the body), and its expression to its first `with`.
            start = stmt["span"]["start"]
            end = stmts[i + 1]["span"]["start"] if i + 1 < len(stmts) else _body_end(raw, query["span"]["end"])
            text = raw[start:end].decode("utf-8").strip().rstrip(";").strip()
            mods = stmt.get("with_mods") or []
            expr = raw[start : mods[0]["span"]["start"]].decode("utf-8").strip() if mods else text
            out.append((text, expr, stmt["span"]["line"]))
        return out
    return None


def _body_end(raw: bytes, end: int) -> int:
    """Where the last statement of a body ends: before the body's closing brace, or at the end
    of its line for a body without braces."""
    line_end = raw.find(b"\n", max(end - 1, 0))
    line_end = len(raw) if line_end < 0 else line_end
    closing = raw.rfind(b"}", 0, line_end)
    return closing if closing >= end - 1 else line_end


def _operands(expression: str) -> list[str]:
    """The two sides of a comparison (`count(fs) == 2` -> `count(fs)`, `2`), else the whole."""
    depth = 0
    quote = ""
    for i, ch in enumerate(expression):
        if quote:
            if ch == quote and expression[i - 1] != "\\":
                quote = ""
            continue
        if ch in "\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            for op in ("==", "!=", "<=", ">=", ":=", "<", ">", "="):
                if expression.startswith(op, i):
                    return [expression[:i].strip(), expression[i + len(op) :].strip()]
    return [expression.strip()]


_LITERAL = re.compile(r'^(-?[0-9.]+|"[^"]*"|true|false|null|\[\]|\{\})$')


def explain_failure(case: TestCase, modules: dict[str, str], data: dict[str, Any], fresh: Callable[[], InProcessEngine]) -> str | None:
    """Which statement of a failing test's body stops it, and the values of that statement's
    operands and variables there: each prefix of the body is evaluated as its own rule in the
    test's package (with its imports), on a fresh engine of the same kind."""
    source = modules[case.module]
    statements = _statements(case, source)
    if not statements:
        return None
    package = f"package {case.package}"
    imports = "\n".join(m.group(0) for m in re.finditer(r"^import[^\n]*", source, re.MULTILINE))
    probe_name = f"{case.module}.aiospo-probe.rego"

    def evaluate(rules: str, queries: list[str]) -> list[Any]:
        engine = fresh()
        engine.load(dict(modules, **{probe_name: f"{package}\n\n{imports}\n\n{rules}\n"}), data)
        engine.set_observing(prints=True)  # the test's own prints were shown with it
        try:
            values = []
            for query in queries:
                try:
                    values.append(engine.query_value(query))
                except PolicyError as exc:
                    values.append(exc)
            return values
        finally:
            engine.close()

    reach = "\n\n".join(f"__aiospo_reach_{k} if {{\n" + "\n".join(s for s, _, _ in statements[: k + 1]) + "\n}" for k in range(len(statements)))
    reached = evaluate(reach, [f"data.{case.package}.__aiospo_reach_{k}" for k in range(len(statements))])
    failing = next((k for k, v in enumerate(reached) if v is not True), None)
    if failing is None:
        return None
    text, expression, line = statements[failing]
    before = "\n".join(s for s, _, _ in statements[:failing])
    modifiers = text[len(expression) :].strip() if text.startswith(expression) else ""
    probes: list[str] = []
    for term in _operands(expression.removeprefix("not ").strip()):
        if term and not _LITERAL.match(term):
            probes.append(term)
    code = RegoSource("expression", expression).code  # string contents blanked: no variables there
    for var in re.findall(r"(?<![\w.\"])([a-z_][a-z0-9_]*)\b(?!\s*\()", code):
        if var not in probes and var not in ("not", "some", "in", "every", "with", "as", "if", "contains", "true", "false", "null", "input", "data", "_"):
            probes.append(var)
    probes = probes[:6]
    rules = "\n\n".join(
        f"__aiospo_value_{i} := [__v | \n{before}\n__v := ({term}) {modifiers}\n]" for i, term in enumerate(probes)
    )
    values = evaluate(rules, [f"data.{case.package}.__aiospo_value_{i}" for i in range(len(probes))]) if probes else []
    shown = []
    for term, value in zip(probes, values):
        if isinstance(value, Exception):
            shown.append(f"{term} errors")
            continue
        if value is UNDEFINED:
            shown.append(f"{term} is undefined")
            continue
        distinct = []
        for v in value:
            if v not in distinct:
                distinct.append(v)
        if not distinct:
            shown.append(f"{term} is undefined")
        else:
            rendered = " | ".join(_short(v) for v in distinct[:3]) + (" | ..." if len(distinct) > 3 else "")
            shown.append(f"{term} = {rendered}")
    error = reached[failing]
    what = f"errored: {_engine_message(error)}" if isinstance(error, Exception) else "failed"
    return f"{case.module}:{line}: `{' '.join(text.split())}` {what}" + (f"; {'; '.join(shown)}" if shown else "")


def _engine_message(error: Exception) -> str:
    """The engine's own words, without aiospo-ci's wrapping."""
    text = " ".join(str(error).split())
    return re.sub(r"^the policies failed to evaluate: (\S+:\d+:\d+: )?", "", text).rstrip(".")


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- reports ------------------------------------------------------------------------------


def summary(results: Sequence[TestResult]) -> str:
    """`PASS: n/m`, then FAIL, SKIPPED and ERROR lines where there are any, as `opa test`."""
    total = len(results)
    lines = []
    for status, label in (("PASS", "PASS"), ("FAIL", "FAIL"), ("SKIPPED", "SKIPPED"), ("ERROR", "ERROR")):
        n = sum(1 for r in results if r.status == status)
        if n:
            lines.append(f"{label}: {n}/{total}")
    return "\n".join(lines) if lines else "PASS: 0/0"


def render(results: Sequence[TestResult], out, verbose: bool = True, engine: str = "") -> None:
    """Print results like `opa test`: failures (every test with -v) under `file:row:`, each
    with its print output indented beneath it, then the summary."""
    last = None
    shown = False
    for result in results:
        if not verbose and result.status == "PASS":
            continue
        shown = True
        case = result.case
        if last is not None and last != case.module:
            out.write("\n")
        out.write(f"{case.module}:{case.row}:\n")
        last = case.module
        line = f"{case.query}: {result.status}"
        if result.detail:
            line += f" ({result.detail})"
        out.write(line + "\n")
        if result.output:
            out.write("\n" + "".join(f"  {p}\n" for p in result.output) + "\n")
    if shown:
        out.write("-" * 80 + "\n")
    if engine:
        out.write(f"engine: {engine}\n")
    out.write(summary(results) + "\n")


def results_json(runs: Sequence[TestRun], coverage: bool) -> dict[str, Any]:
    """The machine-readable report: per engine, one object per test (as `opa test --format
    json`: location, package, name, fail/skip/error, output) and the coverage report."""
    out: dict[str, Any] = {"engines": []}
    for run in runs:
        tests = []
        for r in run.results:
            entry: dict[str, Any] = {
                "location": {"file": r.case.module, "row": r.case.row},
                "package": f"data.{r.case.package}",
                "name": r.case.name,
            }
            if r.status == "FAIL":
                entry["fail"] = True
            if r.status == "SKIPPED":
                entry["skip"] = True
            if r.status == "ERROR":
                entry["error"] = {"message": r.detail}
            elif r.detail:
                entry["detail"] = r.detail
            if r.output:
                entry["output"] = "\n".join(r.output) + "\n"
            tests.append(entry)
        engine: dict[str, Any] = {"engine": run.engine, "error": run.error or None, "tests": tests, "summary": {s.lower(): sum(1 for r in run.results if r.status == s) for s in ("PASS", "FAIL", "SKIPPED", "ERROR")}}
        if coverage:
            engine["coverage"] = coverage_report(run)
        out["engines"].append(engine)
    return out


def _ranges(rows: Sequence[int]) -> list[dict[str, dict[str, int]]]:
    spans: list[list[int]] = []
    for row in sorted(rows):
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return [{"start": {"row": a}, "end": {"row": b}} for a, b in spans]


def _percent(covered: int, not_covered: int) -> float:
    total = covered + not_covered
    return round(100.0 * covered / total, 2) if total else 100.0


def coverage_report(run: TestRun) -> dict[str, Any]:
    """Coverage in `opa test --coverage`'s shape (files -> covered / not_covered row ranges,
    covered_lines, not_covered_lines, coverage in percent), with a `rules` entry per file:
    each rule's own counts, so a rule no test reaches stands out."""
    lines = run.coverage or {}
    files: dict[str, Any] = {}
    total_covered = total_not = 0
    for name in sorted(run.sources):
        covered, seen = lines.get(name, (set(), set()))
        not_covered = set(seen) - set(covered)
        if not covered and not not_covered:
            continue
        rules: dict[str, dict[str, Any]] = {}
        heads = sorted(RegoSource(name, run.sources[name]).heads, key=lambda h: h.start)
        starts = [run.sources[name].count("\n", 0, h.start) + 1 for h in heads]
        for i, head in enumerate(heads):
            first, last = starts[i], (starts[i + 1] - 1 if i + 1 < len(starts) else 10**9)
            c = len([r for r in covered if first <= r <= last])
            n = len([r for r in not_covered if first <= r <= last])
            if c or n:
                entry = rules.setdefault(head.name, {"covered_lines": 0, "not_covered_lines": 0, "rows": []})
                entry["covered_lines"] += c
                entry["not_covered_lines"] += n
                entry["rows"].append(first)
        for entry in rules.values():
            entry["coverage"] = _percent(entry["covered_lines"], entry["not_covered_lines"])
        files[name] = {
            "covered": _ranges(sorted(covered)),
            "not_covered": _ranges(sorted(not_covered)),
            "covered_lines": len(covered),
            "not_covered_lines": len(not_covered),
            "coverage": _percent(len(covered), len(not_covered)),
            "rules": rules,
        }
        total_covered += len(covered)
        total_not += len(not_covered)
    return {"files": files, "covered_lines": total_covered, "not_covered_lines": total_not, "coverage": _percent(total_covered, total_not)}


def render_coverage(run: TestRun, out) -> None:
    """Coverage as text: one line per file, then the rules not fully covered with their lines."""
    report = coverage_report(run)
    out.write(f"coverage ({run.engine}): {report['coverage']:.1f}% of {report['covered_lines'] + report['not_covered_lines']} lines\n")
    width = max((len(n) for n in report["files"]), default=0)
    for name, entry in report["files"].items():
        missing = ", ".join(f"{s['start']['row']}" + (f"-{s['end']['row']}" if s["end"]["row"] != s["start"]["row"] else "") for s in entry["not_covered"])
        out.write(f"  {name:<{width}}  {entry['coverage']:5.1f}%" + (f"  not covered: {missing}" if missing else "") + "\n")
        for rule, counts in entry["rules"].items():
            if counts["not_covered_lines"]:
                out.write(f"      {rule} (line {counts['rows'][0]}): {counts['coverage']:.1f}%\n")
