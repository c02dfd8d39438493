"""Run the Rego unit tests (every rule named ``test_*``) like ``opa test -v``.

The tests run in the default embedded engine (regorus) unless ``engine`` names another
(``regopy``); ``run_tests`` also takes an evaluator so the conformance suite can run the very
same tests under OPA itself. A test passes when its rule is ``true``; an undefined rule fails;
an engine error is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import library
from aiospo_ci.policy.interface import UNDEFINED, InProcessEngine

_PACKAGE = re.compile(r"^package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
# A test rule head at column 0: `test_name if {`, `test_name := ...`, `test_name contains`.
_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)

#: evaluate(query) -> the query's value; raises on engine errors, returns UNDEFINED when undefined.
Evaluator = Callable[[str], Any]


@dataclass(frozen=True)
class TestCase:
    module: str  # the module (file) that defines it
    package: str
    name: str

    @property
    def query(self) -> str:
        return f"data.{self.package}.{self.name}"


@dataclass(frozen=True)
class TestResult:
    case: TestCase
    status: str  # PASS | FAIL | ERROR
    detail: str = ""  # why it failed: the value it had, or the engine error

    @property
    def passed(self) -> bool:
        return self.status == "PASS"


def discover_tests(modules: dict[str, str]) -> list[TestCase]:
    """Every distinct test_* rule in modules, in module then source order."""
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
                cases.append(TestCase(module=name, package=package.group(1), name=rule))
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
            raise PolicyError(text.strip().splitlines()[0] if text.strip() else "engine error")
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


def test_modules(dirs: Sequence[Path] = ()) -> dict[str, str]:
    """The library and the given folders, tests included."""
    return library.load_modules(list(dirs), include_tests=True)


def engine_evaluator(engine: InProcessEngine) -> Evaluator:
    """An evaluator over an in-process engine that holds every module and the data."""
    return engine.query_value


def run_tests(
    dirs: Sequence[Path] = (),
    evaluator: Evaluator | None = None,
    modules: dict[str, str] | None = None,
    engine: str = "embedded",
) -> list[TestResult]:
    """Run every test_* rule of the library and of `dirs` (folders or .rego files), on the
    given evaluator, else on the in-process engine named by `engine`."""
    from aiospo_ci.policy.embedded import embedded_engine

    if modules is None:
        modules = test_modules(dirs)
    data = library.load_data(list(dirs))
    cases = discover_tests(modules)
    per_file = None
    if evaluator is None:
        chosen = embedded_engine(engine)
        if chosen.name == "regopy":
            per_file = _regopy_per_file(modules, data, cases)
        else:
            chosen.load(modules, data)
            evaluator = engine_evaluator(chosen)
    results = []
    for case in cases:
        evaluate = per_file(case) if per_file is not None else evaluator
        assert evaluate is not None
        try:
            value = evaluate(case.query)
        except Exception as exc:  # noqa: BLE001 - an engine error fails this test, not the run
            results.append(TestResult(case, "ERROR", str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__))
            continue
        if value is True:
            results.append(TestResult(case, "PASS"))
        else:
            results.append(TestResult(case, "FAIL", "undefined" if value is UNDEFINED else f"value {json.dumps(value)[:200]}"))
    return results


def _regopy_per_file(modules: dict[str, str], data: dict[str, Any], cases: Sequence[TestCase]) -> Callable[[TestCase], Evaluator]:
    """One rego-cpp interpreter per test file: rego-cpp rewrites every `with` against all
    loaded modules, so loading every test file at once makes each query far slower."""
    evaluators: dict[str, Evaluator] = {}

    def for_case(case: TestCase) -> Evaluator:
        if case.module not in evaluators:
            file_queries = [c.query for c in cases if c.module == case.module]
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


_FIXTURE_PACKAGE = re.compile(r"^package\s+[\w.]*fixtures\b", re.MULTILINE)


def _is_fixture(source: str) -> bool:
    """Test helper modules (a package named *fixtures*, with no tests of their own)."""
    return bool(_FIXTURE_PACKAGE.search(source)) and not _TEST_RULE.search(source)


def summary(results: Sequence[TestResult]) -> str:
    passed = sum(1 for r in results if r.passed)
    failed = sum(1 for r in results if r.status == "FAIL")
    errors = sum(1 for r in results if r.status == "ERROR")
    text = f"{passed} passed, {failed} failed"
    return text + (f", {errors} errors" if errors else "")


def render(results: Sequence[TestResult], out: TextIO, verbose: bool = True) -> None:
    """Print results like `opa test -v`: the file, then one line per test, then a summary."""
    current = None
    for result in results:
        if not verbose and result.passed:
            continue
        if result.case.module != current:
            current = result.case.module
            out.write(f"{current}:\n")
        line = f"{result.case.query}: {result.status}"
        if result.detail:
            line += f" ({result.detail})"
        out.write(line + "\n")
    out.write("-" * 80 + "\n")
    out.write(summary(results) + "\n")
