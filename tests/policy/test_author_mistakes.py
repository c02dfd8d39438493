"""The mistakes a policy author makes, each loud on every engine: a table of policies as an
author would write them, run through `aiospo-ci check` (or `policy test`) on regorus, regopy
and OPA's Go evaluator, each with the exit code and the words that name the cause.

Without the checks these policies load and then silently contribute nothing (or something
else than on OPA): that is what each row guards against. A row whose construct only one engine
gets wrong expects the others to run it normally (exit 0 with no error)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aiospo_ci.cli import main

ENGINES = ("regorus", "regopy", "opa")
TODAY = "2026-11-26"
APP = 'from transformers import AutoModel\n\nAutoModel.from_pretrained("org/model", revision="0123456789abcdef0123456789abcdef01234567")\n'


def rule(body: str, head: str = 'findings contains lib.finding("team/x", "warn", msg, r.index) if', package: str = "aiospo.rules.team") -> str:
    """A rule module as an author writes one: the head, and a body over every reference."""
    return f"package {package}\n\nimport data.aiospo.lib\n\n{head} {{\n\tsome r in input.references\n{body}\n}}\n"


MSG = '\tmsg := sprintf("%s is used", [r.id])'


@dataclass(frozen=True)
class Mistake:
    name: str
    files: dict[str, str]  # policy folder contents
    expect: dict[str, tuple[int, str]]  # engine -> (exit code, words in the output)
    config: str = ""
    command: str = "check"  # or "test" (policy test --no-library)
    extra: dict[str, str] = field(default_factory=dict)


def everywhere(code: int, words: str) -> dict[str, tuple[int, str]]:
    return dict.fromkeys(ENGINES, (code, words))


def only(engines: tuple[str, ...], code: int, words: str) -> dict[str, tuple[int, str]]:
    """`engines` refuse it; the others evaluate it (exit 0: the rule warns)."""
    return {e: (code, words) if e in engines else (0, "") for e in ENGINES}


MISTAKES = [
    # --- Rego v0 --------------------------------------------------------------------------
    Mistake("v0 rule body", {"team.rego": "package aiospo.rules.team\n\nimport data.aiospo.lib\n\nfindings[f] {\n\tsome r in input.references\n\tf := lib.finding(\"team/x\", \"warn\", \"m\", r.index)\n}\n"},
            everywhere(2, "Rego v0 syntax")),
    Mistake("v0 conftest deny", {"team.rego": "package aiospo.rules.team\n\ndeny[msg] {\n\tmsg := \"no\"\n}\n"}, everywhere(2, "Rego v0 syntax")),
    Mistake("v0 test file", {"team.rego": rule(MSG), "team_test.rego": "package aiospo.rules.team_test\n\ntest_x {\n\ttrue\n}\n"},
            everywhere(1, "Rego v0 syntax"), command="test"),
    # --- findings the aggregation would never collect ---------------------------------------
    Mistake("nested package", {"team.rego": rule(MSG, package="aiospo.rules.team.extra")}, everywhere(2, "declare `package aiospo.rules.team_extra`")),
    Mistake("package aiospo.rule", {"team.rego": rule(MSG, package="aiospo.rule.team")}, everywhere(2, "did you mean `package aiospo.rules.team`?")),
    Mistake("package aispo.rules", {"team.rego": rule(MSG, package="aispo.rules.team")}, everywhere(2, "did you mean `package aiospo.rules.team`?")),
    Mistake("package aiospo_rules", {"team.rego": rule(MSG, package="aiospo_rules.team")}, everywhere(2, "did you mean `package aiospo.rules.team`?")),
    Mistake("package aiospo.rules itself", {"team.rego": rule(MSG, package="aiospo.rules")}, everywhere(2, "package aiospo.rules itself")),
    Mistake("conftest package main", {"policy.rego": rule(MSG, head="deny contains msg if", package="main")}, everywhere(2, "conftest's deny rules are not read")),
    Mistake("conftest deny under aiospo.rules", {"team.rego": rule(MSG, head="deny contains msg if")}, everywhere(2, "`deny` is a conftest rule")),
    Mistake("conftest warn under aiospo.rules", {"team.rego": rule(MSG, head="warn contains msg if")}, everywhere(2, "`warn` is a conftest rule")),
    Mistake("conftest violation under aiospo.rules", {"team.rego": rule(MSG, head="violation contains {\"msg\": msg} if")}, everywhere(2, "`violation` is a conftest rule")),
    Mistake("rule named finding", {"team.rego": rule(MSG, head='finding contains lib.finding("team/x", "warn", msg, r.index) if')},
            everywhere(2, "has no rule named `findings`, only `finding`")),
    Mistake("findings as a boolean", {"team.rego": rule(MSG, head="findings if")}, everywhere(2, "makes findings a boolean")),
    Mistake("findings as a string", {"team.rego": 'package aiospo.rules.team\n\nfindings := "none"\n'}, everywhere(2, "makes findings a single value")),
    Mistake("findings as a set of strings", {"team.rego": rule(MSG, head='findings contains "model used" if')}, everywhere(2, "makes findings a set of scalars")),
    Mistake("findings as an object", {"team.rego": rule(MSG, head="findings[r.id] := msg if")}, everywhere(2, "makes findings an object")),
    Mistake("rule in a _test.rego file", {"team_test.rego": rule(MSG)}, everywhere(2, "named *_test.rego")),
    # --- calls and builtins -------------------------------------------------------------------
    Mistake("misspelt builtin", {"team.rego": rule('\tlowr(r.id) != ""\n' + MSG)},
            {"regorus": (2, "did you mean `lower`?"), "regopy": (2, "did you mean `lower`?"), "opa": (2, "undefined function lowr")}),
    Mistake("regex with inline flags", {"team.rego": rule('\tregex.match(`(?i)^ORG/`, r.id)\n' + MSG)}, only(("regopy",), 2, "inline flags")),
    Mistake("regex \\d", {"team.rego": rule('\tregex.match(`^\\w+/\\w+$`, r.id)\n' + MSG)}, only(("regorus",), 2, "regorus answers true where OPA answers false")),
    Mistake("time parsing", {"team.rego": rule('\ttime.parse_rfc3339_ns("2026-06-01T00:00:00Z") > 0\n' + MSG)}, only(("regopy",), 2, "time.parse_rfc3339_ns")),
    Mistake("sprintf %d", {"team.rego": rule('\tmsg := sprintf("%s is used %d times", [r.id, 1])')}, only(("regorus",), 2, "'sprintf' with '%d'")),
    Mistake("rego.metadata", {"team.rego": rule('\tmeta := rego.metadata.rule()\n' + MSG)}, only(("regorus", "regopy"), 2, "rego.metadata.rule()")),
    Mistake("strings.render_template", {"team.rego": rule('\tmsg := strings.render_template("{{.id}} is used", {"id": r.id})')}, only(("regorus", "regopy"), 2, "strings.render_template")),
    # OPA performs it (a closed port: an evaluation error); the embedded engines cannot.
    Mistake("http.send", {"team.rego": rule('\thttp.send({"method": "GET", "url": "http://127.0.0.1:9"})\n' + MSG)},
            {"regorus": (2, "regorus answers error where OPA answers"), "regopy": (2, "regopy answers undefined where OPA answers"), "opa": (2, "http.send")}),
    Mistake("time.now_ns", {"team.rego": rule('\ttime.now_ns() > 0\n' + MSG)}, everywhere(2, "the same answer for the same input")),
    # --- findings that break the contract, found at evaluation ------------------------------
    Mistake("finding without a message", {"team.rego": rule("", head='findings contains {"rule": "team/x", "severity": "warn", "ref": r.index} if')},
            everywhere(2, "rule team/x produced a finding without message")),
    Mistake("finding with an unknown field", {"team.rego": rule(MSG, head='findings contains object.union(lib.finding("team/x", "warn", msg, r.index), {"owner": "me"}) if')},
            everywhere(2, "unknown field(s) owner")),
    Mistake("severity high", {"team.rego": rule(MSG, head='findings contains lib.finding("team/x", "high", msg, r.index) if')},
            everywhere(2, "rule team/x produced severity \"high\", which is not valid: expected one of deny, warn, info")),
    Mistake("rule id with spaces", {"team.rego": rule(MSG, head='findings contains lib.finding("Team X", "warn", msg, r.index) if')},
            everywhere(2, "rule Team X produced rule \"Team X\", which is not valid")),
    Mistake("findings of strings", {"team.rego": rule(MSG, head="findings contains msg if")}, everywhere(2, "package aiospo.rules.team produced a finding that is not an object")),
    Mistake("finding without a rule", {"team.rego": rule(MSG, head='findings contains {"severity": "warn", "message": msg} if')},
            everywhere(2, "package aiospo.rules.team produced a finding without a text 'rule'")),
    Mistake("finding that waives itself", {"team.rego": rule(MSG, head='findings contains object.union(lib.finding("team/x", "deny", msg, r.index), {"waived": true}) if')},
            everywhere(2, "sets 'waived' or 'waiver'")),
    Mistake("findings as a computed object", {"team.rego": 'package aiospo.rules.team\n\nimport data.aiospo.lib\n\nfindings := fs if {\n\tfs := {r.id: lib.finding("team/x", "warn", "m", r.index) | some r in input.references}\n}\n'},
            everywhere(2, "data.aiospo.rules.team.findings is an object, not a set or an array")),
    Mistake("ref outside the references", {"team.rego": rule(MSG, head='findings contains lib.finding("team/x", "warn", msg, 99) if')},
            everywhere(2, "rule team/x produced ref 99, which is not an index into input.references")),
    # --- configuration of custom policies ------------------------------------------------------
    Mistake("misspelt custom key", {"team.rego": rule(MSG), "config.schema.json": json.dumps({"type": "object", "additionalProperties": False, "properties": {"orgs": {"type": "array"}}})},
            everywhere(2, "key custom.team: Additional properties are not allowed ('orgz' was unexpected)"), config="custom:\n  team:\n    orgz: [a]\n"),
    Mistake("misspelt custom policy name", {"team.rego": rule(MSG), "config.schema.json": json.dumps({"type": "object"})},
            everywhere(2, "did you mean custom.team"), config="custom:\n  taem: {}\n"),
    Mistake("schema without a rule beside it", {"team.rego": rule(MSG), "schemas/config.schema.json": json.dumps({"type": "object"})},
            everywhere(2, "move it beside the rule file it configures")),
    # --- tests ------------------------------------------------------------------------------
    Mistake("test replacing the whole input", {"team.rego": rule(MSG), "team_test.rego": "package aiospo.rules.team_test\n\nimport data.aiospo.rules.team\n\ntest_x if {\n\tcount(team.findings) == 0 with input as {\"references\": []}\n}\n"},
            only(("regopy",), 1, "`with input as` replaces the whole input"), command="test"),
]


def test_the_table_is_large_enough():
    assert len(MISTAKES) >= 25
    assert len({m.name for m in MISTAKES}) == len(MISTAKES)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(APP, encoding="utf-8")
    return root


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_every_mistake_is_loud_on_every_engine(mistake: Mistake, engine: str, repo: Path, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("AIOSPO_OPA_BIN", str(tmp_path / "no-opa"))  # --engine opa: OPA's Go evaluator in process
    policies = tmp_path / "policies"
    _write(policies, mistake.files)
    config = tmp_path / "aiospo.yaml"
    config.write_text(mistake.config or "{}\n", encoding="utf-8")
    if mistake.command == "test":
        args = ["policy", "test", "--no-library", "--engine", engine, str(policies)]
    else:
        args = ["check", str(repo), "--offline", "--today", TODAY, "--engine", engine, "--config", str(config),
                "--cache-dir", str(tmp_path / "cache"), "--policy", str(policies), "--format", "json"]
    code = main(args)
    out = capsys.readouterr()
    expected_code, words = mistake.expect[engine]
    assert code == expected_code, f"{mistake.name} on {engine}: exit {code}\n{out.err}{out.out[-2000:]}"
    if words:
        assert words in out.err + out.out, f"{mistake.name} on {engine}: {out.err}{out.out[-2000:]}"
    else:
        assert "error" not in out.err, out.err


def test_a_refusal_names_the_file_and_line(repo: Path, tmp_path: Path, capsys):
    policies = tmp_path / "policies"
    _write(policies, {"team.rego": rule('\tregex.match(`(?i)^ORG/`, r.id)\n' + MSG)})
    assert main(["check", str(repo), "--offline", "--today", TODAY, "--engine", "regopy", "--cache-dir", str(tmp_path / "c"), "--policy", str(policies)]) == 2
    err = capsys.readouterr().err
    assert f"{policies.as_posix()}/team.rego:7: a regex literal with inline flags" in err
    assert "instead: spell the cases out" in err


def test_all_mistakes_of_a_module_are_reported_at_once(repo: Path, tmp_path: Path, capsys):
    policies = tmp_path / "policies"
    _write(policies, {"a.rego": rule(MSG, head="deny contains msg if"), "b.rego": rule(MSG, package="aiospo.rule.b")})
    assert main(["check", str(repo), "--offline", "--today", TODAY, "--engine", "regorus", "--cache-dir", str(tmp_path / "c"), "--policy", str(policies)]) == 2
    err = capsys.readouterr().err
    assert "because of 2 problems" in err
    assert "a.rego:5: `deny` is a conftest rule" in err and "b.rego:1: package aiospo.rule.b" in err


def test_a_correct_policy_passes_the_same_checks(repo: Path, tmp_path: Path, capsys, monkeypatch):
    """The control: the same repository and a correct rule load and fire on every engine."""
    monkeypatch.setenv("AIOSPO_OPA_BIN", str(tmp_path / "no-opa"))
    policies = tmp_path / "policies"
    _write(policies, {"team.rego": rule(MSG, head='findings contains lib.finding("team/x", "deny", msg, r.index) if')})
    outputs = []
    for engine in ENGINES:
        code = main(["check", str(repo), "--offline", "--today", TODAY, "--engine", engine, "--cache-dir", str(tmp_path / "c"), "--policy", str(policies), "--format", "json"])
        out = capsys.readouterr()
        assert code == 1, out.err
        outputs.append(out.out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert '"rule": "team/x"' in outputs[0]
