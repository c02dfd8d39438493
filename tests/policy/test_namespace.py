"""Moving Rego modules under a per-run prefix (policy/namespace.py) changes no decision: the
library and the examples moved under data.aiospo_ci_runs.r1 decide every corpus document as
they do in place, in OPA's own evaluator."""

from __future__ import annotations

from pathlib import Path

from aiospo_ci.policy import library, namespace
from tests.support.opa_reference import opa_engine
from tests.support.policy_corpus import corpus_case, corpus_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
PREFIX = ("aiospo_ci_runs", "r1")


def test_moved_modules_decide_as_in_place_in_opa():
    modules = library.load_modules([EXAMPLES], include_tests=True)
    in_place = opa_engine(modules)
    moved = opa_engine({name: namespace.rehome(source, PREFIX) for name, source in modules.items()})
    for path in corpus_paths():
        document = corpus_case(path.name)["input"]
        [here] = in_place.eval_query("x := data.aiospo.main.findings", document)
        [there] = moved.eval_query("x := data.aiospo_ci_runs.r1.aiospo.main.findings", document)
        assert here["x"] == there["x"], path.name
    # The library's and the examples' own tests pass where they were moved to, as in place
    # (every test package in one query: each query costs OPA a fresh prepare).
    packages = sorted(".".join(namespace.package_path(source)) for name, source in modules.items() if name.endswith("_test.rego"))

    def passing(engine, prefix: str) -> list:
        sets = ", ".join(f'{{n | data.{prefix}{p}[n] == true; startswith(n, "test_")}}' for p in packages)
        [row] = engine.eval_query(f"x := [{sets}]")
        return row["x"]

    here = passing(in_place, "")
    assert passing(moved, "aiospo_ci_runs.r1.") == here
    assert sum(len(names) for names in here) > 100


def test_only_code_moves_never_strings_comments_or_fields():
    source = (
        "# data.aiospo in a comment stays\n"
        "package aiospo.rules.x\n"
        "\n"
        "import data.aiospo.lib\n"
        "import input.references\n"
        "\n"
        'a := "data.aiospo in a string stays"\n'
        "b := `data in a raw string stays`\n"
        "c := input.data.x\n"
        'd := data["aiospo"].rules[k]\n'
        "e := data\n"
        "f := count(data.aiospo.rules) + 1.5e3\n"
    )
    moved = namespace.rehome(source, PREFIX)
    assert moved.splitlines() == [
        "# data.aiospo in a comment stays",
        "package aiospo_ci_runs.r1.aiospo.rules.x",
        "",
        "import data.aiospo_ci_runs.r1.aiospo.lib",
        "import input.references",
        "",
        'a := "data.aiospo in a string stays"',
        "b := `data in a raw string stays`",
        "c := input.data.x",
        'd := data.aiospo_ci_runs.r1["aiospo"].rules[k]',
        "e := data.aiospo_ci_runs.r1",
        "f := count(data.aiospo_ci_runs.r1.aiospo.rules) + 1.5e3",
    ]
    assert namespace.package_path(source) == ("aiospo", "rules", "x")
    assert namespace.data_references(source) == {("aiospo", "lib"), ("aiospo", "rules"), ()}


def test_upload_order_puts_a_module_after_the_packages_it_reads():
    modules = {
        "a/rule.rego": "package aiospo.rules.a\n\nimport data.aiospo.lib\nimport data.org.util\n",
        "b/main.rego": "package aiospo.main\n\nraw := [f | f := data.aiospo.rules[_].findings[_]]\n",
        "z/lib.rego": "package aiospo.lib\n\nx := data.aiospo.defaults.y\n",
        "z/util.rego": "package org.util\n",
        "zz/defaults.rego": "package aiospo.defaults\n\ny := 1\n",
    }
    order = namespace.upload_order(modules)
    assert order.index("zz/defaults.rego") < order.index("z/lib.rego") < order.index("a/rule.rego") < order.index("b/main.rego")
    assert order.index("z/util.rego") < order.index("a/rule.rego")
    shipped = namespace.upload_order(library.load_modules([]))
    rules = [name for name in shipped if namespace.package_path(library.load_modules([])[name])[:2] == ("aiospo", "rules")]
    assert rules and all(shipped.index(name) < shipped.index(f"rego/{library.DECISION_MODULE}") for name in rules)
    # The waivers are a package main.rego calls: OPA compiles main.rego only once they are there.
    assert shipped.index("rego/aiospo/waivers/waivers.rego") < shipped.index(f"rego/{library.DECISION_MODULE}")
