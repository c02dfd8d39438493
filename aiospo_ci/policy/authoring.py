"""Load-time checks for the mistakes that make a policy silently never fire.

Every engine loads a module that is valid Rego, and evaluates it; these checks refuse the
modules that would load and then contribute nothing, or something else than on OPA:

- Rego v0 syntax (OPA 1.x refuses it; regopy reads `deny[msg] { ... }` as an object);
- findings the aggregation never collects: a package nested under `aiospo.rules.<name>`,
  misspelt near it, or outside it; a rule misspelt near `findings`; conftest's `deny`, `warn`
  and `violation` rules; a `findings` rule that is not a set or array of objects;
- rule files named `*_test.rego`, which only `policy test` loads;
- calls an engine does not have (a misspelt or missing builtin is undefined on regopy and an
  error on regorus only when reached), and the builtins an engine evaluates differently
  from OPA (aiospo_ci/policy/divergence.py).

Each refusal is one line, `file:line: what; why; the fix`, and all of them are reported at once.
The library's own modules, unchanged, are not checked here: the conformance suite holds them
to OPA's decisions (tests/policy/test_conformance.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import builtin_names, divergence
from aiospo_ci.policy.rego_source import RegoSource

RULES_PREFIX = "aiospo.rules"
CONFTEST_RULES = ("deny", "warn", "violation")
# The forms a finding rule may take (extension contract, docs/policies.md).
_FINDINGS_EXAMPLE = 'findings contains lib.finding("<prefix>/<name>", "deny", msg, r.index) if { ... }'


class ModuleProblems(PolicyError):
    """The policies were refused at load time; `problems` holds one line per mistake."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problems" if len(problems) > 1 else "a problem"
        super().__init__(f"the policies were not loaded because of {count}:\n  " + "\n  ".join(problems))


def distance(a: str, b: str) -> int:
    """Levenshtein distance (small strings only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@cache
def _library_sources() -> frozenset[str]:
    from aiospo_ci.policy import library

    return frozenset(library.load_modules([], include_tests=True).values())


def own_modules(modules: dict[str, str]) -> set[str]:
    """The names of the library's own modules among `modules`, unchanged. They are known by
    their text, not their name: a bundle (`policy build`) holds them under the path of their
    package (aiospo/main/main.rego), and the checks must not take them for the author's."""
    library = _library_sources()
    return {name for name, source in modules.items() if source in library}


def _is_test(name: str, source: RegoSource) -> bool:
    package = source.package[0] if source.package else ""
    return name.endswith("_test.rego") or package.endswith("_test") or ".test" in package or package.startswith("test")


def check_modules(modules: dict[str, str], engine: str) -> None:
    """Raise ModuleProblems listing every mistake in the user's modules for `engine`
    (regorus, regopy or opa)."""
    own = own_modules(modules)
    sources = {name: RegoSource(name, text) for name, text in modules.items()}
    mine = [sources[name] for name in modules if name not in own]
    if not mine:
        return
    problems = _syntax(mine)
    if not problems:  # the rest reads the structure, which v0 syntax confuses
        problems += _packages(mine, sources)
        problems += _calls(mine, sources, engine)
        problems += divergence.refusals(mine, engine)
    if problems:
        raise ModuleProblems(sorted(set(problems), key=_location_key))


def _location_key(problem: str) -> tuple:
    match = re.match(r"(.*?):(\d+):", problem)
    return (match.group(1), int(match.group(2)), problem) if match else (problem, 0, problem)


# --- Rego v0 ------------------------------------------------------------------------------

_V0_MARKERS = ("`if` keyword is required", "`contains` keyword is required")
_V0_HEAD = re.compile(r"^(?!default\b|package\b|import\b)[A-Za-z_]\w*(\[[^\]\n]*\]|\([^)\n]*\))?\s*(=\s*[^{\n]+)?\{", re.MULTILINE)
_V1_FIX = (
    "this is Rego v0 syntax, which OPA 1.x refuses; write Rego v1: `if` before every rule body and "
    "`contains` for sets (`deny contains msg if { ... }`); `opa fmt --v0-v1` rewrites a file"
)


def check_syntax(modules: dict[str, str]) -> None:
    """Refuse Rego v0 in these modules (the test files `policy test` loads besides the rules)."""
    own = own_modules(modules)
    problems = _syntax([RegoSource(name, text) for name, text in modules.items() if name not in own])
    if problems:
        raise ModuleProblems(problems)


def _syntax(mine: Iterable[RegoSource]) -> list[str]:
    problems = []
    try:
        import regorus
    except ImportError:  # regopy-only platforms: recognise the usual v0 heads by their shape
        regorus = None
    for source in mine:
        if regorus is None:
            match = _V0_HEAD.search(source.code)
            if match:
                problems.append(f"{source.where(match.start())}: {_V1_FIX}.")
            continue
        try:
            regorus.Engine().add_policy(source.name, source.text)
        except (RuntimeError, ValueError) as exc:
            text = str(exc)
            if any(marker in text for marker in _V0_MARKERS) or _parses_as_v0(regorus, source):
                where = re.search(r"-->\s*(\S+?):(\d+):\d+", text)
                line = f"{where.group(1)}:{where.group(2)}" if where else source.name
                problems.append(f"{line}: {_V1_FIX}.")
    return problems


def _parses_as_v0(regorus, source: RegoSource) -> bool:
    engine = regorus.Engine()
    engine.set_rego_v0(True)
    try:
        engine.add_policy(source.name, source.text)
    except (RuntimeError, ValueError):
        return False
    return True


# --- where findings go --------------------------------------------------------------------


def _head_names(source: RegoSource) -> set[str]:
    return {h.name for h in source.heads}


def _emits(names: set[str]) -> set[str]:
    """The rule names in `names` that look like findings: findings itself and conftest's."""
    return {n for n in names if n == "findings" or n in CONFTEST_RULES or n.startswith(tuple(f"{c}_" for c in CONFTEST_RULES))}


def _referenced(package: str, sources: dict[str, RegoSource], skip: RegoSource) -> bool:
    """Does any other module read this package (`data.<package>` or an import of it)?"""
    needle = re.compile(r"\bdata\." + re.escape(package) + r"\b")
    return any(s is not skip and needle.search(s.code) for s in sources.values())


def _packages(mine: list[RegoSource], sources: dict[str, RegoSource]) -> list[str]:
    problems: list[str] = []
    by_package: dict[str, list[RegoSource]] = {}
    for source in sources.values():
        if source.package:
            by_package.setdefault(source.package[0], []).append(source)
    for source in mine:
        if not source.package or _is_test(source.name, source):
            continue
        package, offset = source.package
        where = source.where(offset)
        parts = package.split(".")
        emits = _emits(_head_names(source))
        if package.startswith(RULES_PREFIX + ".") and len(parts) == 3:
            problems += _rule_package(source, by_package[package])
            continue
        if not emits:
            continue
        what = " and ".join(f"`{n}`" for n in sorted(emits))
        if package.startswith(RULES_PREFIX + ".") and len(parts) > 3:
            problems.append(
                f"{where}: package {package} defines {what}, which aiospo-ci never collects: it reads data.aiospo.rules.<name>.findings "
                f"one level down only; declare `package aiospo.rules.{'_'.join(parts[2:])}`."
            )
        elif package == RULES_PREFIX:
            problems.append(f"{where}: package aiospo.rules itself defines {what}, which is never collected; declare `package aiospo.rules.<name>`.")
        elif _near_rules_prefix(parts):
            problems.append(
                f"{where}: package {package} defines {what} but is not under aiospo.rules, so its findings are never collected; "
                f"did you mean `package aiospo.rules.{parts[-1]}`?"
            )
        elif package != "aiospo.main" and not _referenced(package, sources, source):
            conftest = emits - {"findings"}
            hint = (
                f"conftest's {' and '.join(sorted(conftest))} rules are not read by aiospo-ci; " if conftest else ""
            )
            problems.append(
                f"{where}: package {package} defines {what} that nothing reads: {hint}aiospo-ci collects findings only from "
                f"`package aiospo.rules.<name>`; declare `package aiospo.rules.{parts[-1]}` and write `{_FINDINGS_EXAMPLE}`."
            )
    return problems


def _near_rules_prefix(parts: list[str]) -> bool:
    first = parts[0].lower()
    if distance(first, "aiospo") <= 2 and first != "aiospo":
        return True
    if first in ("aiospo_rules", "aiosporules", "aiospo-rules") or distance(first, "aiospo_rules") <= 2:
        return True
    return first == "aiospo" and len(parts) > 1 and parts[1] != "rules" and distance(parts[1].lower(), "rules") <= 2


def _rule_package(source: RegoSource, package_sources: list[RegoSource]) -> list[str]:
    """A package aiospo.rules.<name>: its findings rule exists and has the right shape, and no
    conftest rule stands in for it."""
    problems = []
    package = source.package[0] if source.package else ""
    names: set[str] = set()
    for other in package_sources:
        if not _is_test(other.name, other):
            names |= _head_names(other)
    code = "\n".join(s.code for s in package_sources)
    for head in source.heads:
        where = source.where(head.start)
        if head.name == "findings":
            shape = _findings_shape(head.text)
            if shape:
                problems.append(
                    f"{where}: `{head.text.strip()}` makes findings {shape}, so aiospo-ci can collect nothing from it; "
                    f"findings must be a set (or array) of objects: `{_FINDINGS_EXAMPLE}`."
                )
        elif head.name in _emits({head.name}):
            uses = len(re.findall(r"\b" + re.escape(head.name) + r"\b", code)) - sum(1 for s in package_sources for h in s.heads if h.name == head.name)
            if uses <= 0:
                problems.append(
                    f"{where}: `{head.name}` is a conftest rule, which aiospo-ci does not read (only `findings` is collected from "
                    f"package {package}); write `{_FINDINGS_EXAMPLE}`."
                )
        elif "findings" not in names and head.name != "findings" and distance(head.name.lower(), "findings") <= 2:
            problems.append(
                f"{where}: package {package} has no rule named `findings`, only `{head.name}`, so nothing it finds is collected; "
                "rename it to `findings`."
            )
    return problems


_SCALAR = re.compile(r"^(\"|`|-?[0-9]|true\b|false\b|null\b)")
_OBJECT_LITERAL = re.compile(r"^\{\s*(\"[^\"]*\"|`[^`]*`|[A-Za-z_][\w.]*|-?[0-9][\w.]*)\s*:(?!=)")


def _findings_shape(head: str) -> str | None:
    """What a `findings` head makes, when that is not a set or array of objects."""
    rest = re.sub(r"^(default\s+)?findings", "", head.strip())
    if rest.startswith(("[", ".")):
        return "an object (a rule with a key in its head)"
    if re.match(r"^\s*contains\b", rest):
        term = re.sub(r"^\s*contains\s+", "", rest)
        return "a set of scalars" if _SCALAR.match(term) else None
    assigned = re.match(r"^\s*:?=\s*(.*)$", rest, re.DOTALL)
    if assigned:
        value = assigned.group(1).strip()
        if _SCALAR.match(value):
            return "a single value"
        if _OBJECT_LITERAL.match(value):
            return "an object"
        return None
    if rest.strip() == "":
        return "a boolean (a rule without a value is true)"
    return None


# --- calls --------------------------------------------------------------------------------


def _calls(mine: list[RegoSource], sources: dict[str, RegoSource], engine: str) -> list[str]:
    """Calls to a function no module defines and `engine` does not have."""
    if engine == "opa":
        return []  # OPA's compiler refuses an unknown function itself, at load time
    known = builtin_names.REGORUS if engine == "regorus" else builtin_names.REGOPY
    defined: set[str] = set()
    for source in sources.values():
        defined |= source.defined
    problems = []
    for source in mine:
        aliases = set(source.imports)
        for name, offset in source.calls():
            first = name.split(".")[0]
            if name in known or name == "print" or first in ("data", "input") or first in aliases or name in defined:
                continue
            if name in builtin_names.KNOWN:
                why = (
                    f"the {engine} engine has no such builtin (it would be {'an error when reached' if engine == 'regorus' else 'silently undefined'}); "
                    "run it with --engine opa, or write it with other builtins"
                )
            else:
                close = sorted(builtin_names.KNOWN | defined, key=lambda k: distance(k, name))[:1]
                hint = f" (did you mean `{close[0]}`?)" if close and distance(close[0], name) <= 2 else ""
                why = (
                    f"no loaded module defines it and it is not a builtin{hint}; OPA refuses it at compile time, "
                    f"{engine} would {'fail when it is reached' if engine == 'regorus' else 'make the rule silently undefined'}"
                )
            problems.append(f"{source.where(offset)}: `{name}(...)`: {why}.")
    return problems


def check_skipped_tests(skipped: dict[str, str]) -> None:
    """Rule files named *_test.rego are loaded only by `policy test`: refuse one that holds a
    rule package (its findings would be dropped from every check)."""
    problems = []
    for name, text in skipped.items():
        source = RegoSource(name, text)
        if not source.package:
            continue
        package, offset = source.package
        if package.startswith(RULES_PREFIX + ".") and not package.endswith("_test") and "findings" in _head_names(source):
            problems.append(
                f"{source.where(offset)}: this file defines findings for package {package} but is named *_test.rego, which only "
                "`aiospo-ci policy test` loads, so `check` never sees the rule; move the rule to a file without the _test suffix."
            )
    if problems:
        raise ModuleProblems(problems)

