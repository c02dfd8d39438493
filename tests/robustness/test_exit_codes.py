"""No verdict is never a pass: every way a whole `aiospo-ci` run can fail to reach a decision
ends in exit 2 with one clear sentence, and never in exit 0.

The real CLI runs as a subprocess against the local Hub (hub_server, with fault injection) and
the local OPA Data API server (FakeOpaServer); an unreachable service is a closed loopback port.
Engine-level OPA faults (slow, 500, undefined) are in tests/engines; these prove the same at
the process boundary, where an exit code is what CI acts on.
"""

from __future__ import annotations

import json

import pytest

from tests.robustness.harness import BROKEN_POLICY, closed_port_url, fault_env, write_tree
from tests.support.opa_reference import require_opa_bindings
from tests.support.opa_server import FakeOpaServer

# A user policy whose evaluation fails inside OPA (a runtime error, not a compile error):
# OPA answers 500 with `eval_builtin_error: div: divide by zero`.
DIVIDE_BY_ZERO = """package aiospo.rules.boom

findings contains f if {
	n := count(input.references) - count(input.references)
	x := 1 / n
	f := {"rule": "boom/never", "severity": "deny", "message": sprintf("%v", [x]), "ref": null}
}
"""


def hub(server) -> list[str]:
    return ["--hub-endpoint", server.url]


def assert_no_verdict(run, *fragments: str) -> None:
    """Exit 2, every fragment in stderr, one error line, and no report on stdout."""
    assert run.rc == 2, run
    for fragment in fragments:
        assert fragment in run.stderr, run
    assert "aiospo-ci: " in run.stderr, run
    assert "denied" not in run.stdout and "findings" not in run.stdout, run  # no report was written
    assert "Traceback" not in run.stderr, run  # a sentence, not a stack trace (that is --debug)


# -- the baseline: with working services the same project reaches a verdict ---------------


def test_the_project_reaches_a_verdict_with_working_services(cli, project, hub_server, opa_server):
    """Guards the tests below: the faults, not the project, cause their exit 2."""
    embedded = cli("check", str(project), "--engine", "embedded", "--format", "json", *hub(hub_server))
    assert embedded.rc == 1, embedded  # the non-commercial model is denied under commercial use
    report = json.loads(embedded.stdout)
    assert any(f["model"] == "facebook/nllb-200-distilled-600M" and f["severity"] == "deny" for f in report["findings"])
    via_opa = cli("check", str(project), "--engine", "opa", "--opa-url", opa_server.url, "--format", "json", *hub(hub_server))
    assert via_opa.rc == 1, via_opa
    assert json.loads(via_opa.stdout)["findings"] == report["findings"]
    assert any(r.method == "POST" for r in opa_server.requests)


# -- OPA -------------------------------------------------------------------------------


def test_opa_unreachable_exits_2_naming_the_server(cli, project, hub_server):
    url = closed_port_url()
    run = cli("check", str(project), "--engine", "opa", "--opa-url", url, *hub(hub_server))
    assert_no_verdict(run, url, "not reachable")
    assert hub_server.count("/api/") == 0  # the engine is checked before any network work


def test_opa_answering_500_exits_2_with_opas_message(cli, project, hub_server, opa_server):
    opa_server.state.fail_with = 500
    run = cli("check", str(project), "--engine", "opa", "--opa-url", opa_server.url, *hub(hub_server))
    assert_no_verdict(run, "internal_error", "injected failure", opa_server.url)  # OPA's code and message


def test_opa_failing_during_evaluation_exits_2_with_opas_message(cli, project, hub_server, tmp_path):
    """A 500 on the decision query itself (after the policies loaded): OPA's own evaluator."""
    require_opa_bindings()
    policies = write_tree(tmp_path / "policies", {"boom.rego": DIVIDE_BY_ZERO})
    with FakeOpaServer(backend="opa-golib") as opa:
        run = cli("check", str(project), "--engine", "opa", "--opa-url", opa.url, "--policy", str(policies), *hub(hub_server))
        [query] = [r.path for r in opa.requests if r.method == "POST"]
        assert query.endswith("/aiospo/main/findings?strict-builtin-errors=true")  # under the run's own namespace, builtin errors loud
    assert_no_verdict(run, "HTTP 500", "divide by zero", "data.aiospo.main.findings")


def test_opa_undefined_decision_exits_2(cli, project, hub_server, opa_server):
    opa_server.state.undefined = True
    run = cli("check", str(project), "--engine", "opa", "--opa-url", opa_server.url, *hub(hub_server))
    assert_no_verdict(run, "undefined", "data.aiospo.main.findings")


def test_user_policy_that_does_not_compile_exits_2_under_opa(cli, project, hub_server, opa_server, tmp_path):
    policies = write_tree(tmp_path / "policies", {"broken.rego": BROKEN_POLICY})
    run = cli("check", str(project), "--engine", "opa", "--opa-url", opa_server.url, "--policy", str(policies), *hub(hub_server))
    assert_no_verdict(run, "broken.rego", "rejected policy")
    rejected = [r for r in opa_server.requests if r.method == "PUT" and r.path.endswith("broken.rego")]
    assert rejected, "the broken module was sent to OPA, which rejected it"
    assert hub_server.count("/api/") == 0  # a broken policy fails fast, before the Hub


def test_user_policy_that_does_not_compile_exits_2_embedded(cli, project, hub_server, tmp_path):
    policies = write_tree(tmp_path / "policies", {"broken.rego": BROKEN_POLICY})
    run = cli("check", str(project), "--engine", "embedded", "--policy", str(policies), *hub(hub_server))
    assert_no_verdict(run, "broken.rego")
    assert hub_server.count("/api/") == 0


def test_opa_requiring_a_token_it_was_not_given_exits_2(cli, project, hub_server, opa_server):
    opa_server.state.token = "the-right-opa-token"
    run = cli("check", str(project), "--engine", "opa", "--opa-url", opa_server.url, *hub(hub_server), env={"OPA_TOKEN": "a-wrong-opa-token"})
    assert_no_verdict(run, "unauthorized", "bearer token")
    ok = cli("check", str(project), "--engine", "opa", "--opa-url", opa_server.url, *hub(hub_server), env={"OPA_TOKEN": "the-right-opa-token"})
    assert ok.rc == 1, ok  # with the right token the same server gives the verdict


# -- the Hub ---------------------------------------------------------------------------


def test_hub_down_fails_closed_by_default(cli, project, hub_server):
    hub_server.inject("status", status=503, headers={"Retry-After": "0"})
    run = cli("check", str(project), "--engine", "embedded", *hub(hub_server))
    assert_no_verdict(run, "the Hub could not be asked", "google-bert/bert-base-uncased", "HTTP 503", "fail_open")
    assert hub_server.count("/api/models/google-bert/bert-base-uncased") >= 2  # it retried first


def test_hub_unreachable_fails_closed_by_default(cli, project):
    run = cli("check", str(project), "--engine", "embedded", "--hub-endpoint", closed_port_url())
    assert_no_verdict(run, "the Hub could not be asked", "Could not reach 127.0.0.1")


def test_hub_down_with_fail_open_completes_with_a_visible_warning(cli, project, hub_server, tmp_path):
    (project / ".aiospo.yaml").write_text("hub:\n  on_error: fail_open\n", encoding="utf-8")
    hub_server.inject("status", status=503, headers={"Retry-After": "0"})
    text = cli("check", str(project), "--engine", "embedded", *hub(hub_server))
    assert text.rc in (0, 1), text  # a verdict was reached
    assert "warning: fail-open" in text.stdout, text
    out = tmp_path / "report.json"
    run = cli("check", str(project), "--engine", "embedded", "--format", "json", "-o", str(out), *hub(hub_server))
    assert run.rc in (0, 1), run
    assert "fail-open" in run.stderr, run  # visible even when the report goes to a file
    report = json.loads(out.read_text(encoding="utf-8"))
    assert any("fail-open" in w for w in report["warnings"])
    statuses = {r["id"]: (r["facts"] or {}).get("status") for r in report["references"]}
    assert statuses["google-bert/bert-base-uncased"] == "error"
    judged = {f["model"] for f in report["findings"] if f["rule"] == "hub/error"}
    assert judged == {"google-bert/bert-base-uncased", "facebook/nllb-200-distilled-600M", "openai-community/gpt2"}


def test_lock_with_the_hub_down_exits_2_and_writes_nothing(cli, project, hub_server):
    hub_server.inject("status", status=500, headers={"Retry-After": "0"})
    run = cli("lock", str(project), *hub(hub_server))
    assert_no_verdict(run, "lockfile was not written")
    assert not (project / "aiospo.lock").exists()


# -- configuration and usage -----------------------------------------------------------


@pytest.mark.parametrize(
    "config, fragments",
    [
        ("fail_on: sometimes\n", ("fail_on", "sometimes", '"deny"')),
        ("hub:\n  on_error: ignore\n", ("hub.on_error", "ignore", "fail_closed")),
        ("licences:\n  allow: [mit]\n", ("licences", "known keys are")),
        ("pinning:\n  none: [deny\n", ("not valid YAML", "line")),
        ("- just\n- a list\n", ("must be a mapping",)),
    ],
    ids=["bad-enum", "bad-nested-enum", "unknown-key", "bad-yaml", "not-a-mapping"],
)
def test_bad_configuration_exits_2_naming_the_key(cli, project, hub_server, config, fragments):
    (project / ".aiospo.yaml").write_text(config, encoding="utf-8")
    run = cli("check", str(project), "--engine", "embedded", *hub(hub_server))
    assert_no_verdict(run, ".aiospo.yaml", *fragments)
    assert len(run.stderr.strip().splitlines()) == 1, run  # one sentence
    assert hub_server.count("/api/") == 0


def test_missing_config_file_exits_2(cli, project, hub_server):
    run = cli("check", str(project), "--config", str(project / "nope.yaml"), *hub(hub_server))
    assert_no_verdict(run, "nope.yaml", "no such file")


@pytest.mark.parametrize("command", ["check", "scan"])
def test_unknown_path_exits_2(cli, project, hub_server, command):
    extra = ["--engine", "embedded", *hub(hub_server)] if command == "check" else []
    run = cli(command, "--root", str(project), "src/app.py", "src/does_not_exist.py", *extra)
    assert_no_verdict(run, "does_not_exist.py", "no such file")
    missing_root = cli(command, "--root", str(project / "nowhere"), "x.py", *extra)
    assert_no_verdict(missing_root, "nowhere", "not a directory")


def test_unknown_engine_and_option_are_usage_errors(cli, project):
    run = cli("check", str(project), "--engine", "magic")
    assert run.rc == 2 and "invalid choice" in run.stderr, run
    run = cli("check", str(project), "--no-such-option")
    assert run.rc == 2 and "unrecognized arguments" in run.stderr, run


def test_unwritable_output_exits_2(cli, project, hub_server):
    run = cli("check", str(project), "--engine", "embedded", "-o", str(project / "no" / "such" / "dir" / "r.txt"), *hub(hub_server))
    assert_no_verdict(run, "--output", "cannot write")


# -- an unexpected failure inside aiospo-ci --------------------------------------------

@pytest.mark.parametrize(
    "stage",
    [
        "aiospo_ci.scan.runner.scan_paths",
        "aiospo_ci.hub.enrich.enrich",
        "aiospo_ci.policy.document.build_input",
        "aiospo_ci.report.formats.get_report",
    ],
)
def test_an_unexpected_exception_in_any_stage_exits_2(cli, project, hub_server, tmp_path, stage):
    run = cli("check", str(project), "--engine", "embedded", *hub(hub_server), env=fault_env(tmp_path, stage))
    assert_no_verdict(run, "internal error", "injected internal fault", "no verdict")
    debug = cli("check", str(project), "--engine", "embedded", "--debug", *hub(hub_server), env=fault_env(tmp_path, stage))
    assert debug.rc == 2 and "Traceback" in debug.stderr and "injected internal fault" in debug.stderr, debug


def test_the_fault_site_is_inert_without_the_variable(cli, project, hub_server, tmp_path):
    """The harness above changes nothing unless asked: same verdict as without it."""
    env = fault_env(tmp_path, "aiospo_ci.scan.runner.scan_paths")
    env["AIOSPO_TEST_FAULT"] = ""
    run = cli("check", str(project), "--engine", "embedded", *hub(hub_server), env=env)
    assert run.rc == 1, run
