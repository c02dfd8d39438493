"""The Action's entrypoint: inputs and event in, the pipeline's verdict out, reported on GitHub.

Order matters for "never lose a finding": the findings go to the log, the SARIF file, the step
outputs and the job summary before any GitHub API call; then annotations (Checks API, falling
back to workflow commands) and the sticky comment; API failures are logged and appended to the
summary and never change the exit code. Exit codes: 0 pass, 1 policy failure at or above
fail_on (only on changed lines with only_changed), 2 no verdict.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from aiospo_ci.action import changed as changed_lines
from aiospo_ci.action.event import Event, load_event
from aiospo_ci.action.inputs import ActionInputs
from aiospo_ci.action.outputs import OUTPUT_BYTES, Log, append_summary, write_outputs
from aiospo_ci.errors import AiospoError
from aiospo_ci.model import CheckResult
from aiospo_ci.report.github import annotation_command, annotations_of, command, limit_note
from aiospo_ci.report.markdown import COMMENT_LIMIT, MARKER, SUMMARY_LIMIT, MarkdownReport, text
from aiospo_ci.secrets import redact

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _export_secrets(inputs: ActionInputs) -> None:
    """Hand the Hub and OPA tokens to the pipeline the way the CLI receives them."""
    if inputs.hf_token:
        os.environ["HF_TOKEN"] = inputs.hf_token
    if inputs.opa_token:
        os.environ["OPA_TOKEN"] = inputs.opa_token
    if inputs.bundle_token:
        os.environ["AIOSPO_BUNDLE_TOKEN"] = inputs.bundle_token


def _run_options(inputs: ActionInputs, workspace: Path):
    from aiospo_ci.pipeline import RunOptions

    return RunOptions(
        root=workspace,
        paths=tuple(Path(p) for p in inputs.paths) or None,
        config_path=(workspace / inputs.config) if inputs.config else None,
        policy_dirs=tuple(workspace / d for d in inputs.policy_dirs),
        engine=inputs.engine,
        opa_url=inputs.opa_url,
        opa_mode=inputs.opa_mode,
        bundle=inputs.bundle if not inputs.bundle or "://" in inputs.bundle else str(workspace / inputs.bundle),
        verification_key=inputs.bundle_verification_key or None,
        offline=inputs.offline,
        fail_on=inputs.fail_on,
    )


def _no_verdict(log: Log, env: Mapping[str, str], reason: str) -> int:
    reason = redact(reason)
    log.command(command("error", f"aiospo-ci reached no verdict: {reason}", {"title": "aiospo-ci"}))
    append_summary(
        env.get("GITHUB_STEP_SUMMARY"),
        f"{MARKER}\n## :x: aiospo-ci: no verdict\n\n{text(reason, 4_000)}\n\nThe check fails until this is fixed (exit code 2).\n",
    )
    return EXIT_ERROR


def _scope(
    result: CheckResult, inputs: ActionInputs, event: Event, workspace: Path, repo: Any, log: Log
) -> tuple[frozenset[int] | None, str | None]:
    """With only_changed: the indexes of references in lines the PR changed, and a note when
    the changes could not be read (then everything is judged)."""
    if not inputs.only_changed:
        return None, None
    if not (event.base_sha and event.head_sha):
        return None, f"only_changed: the {event.name} event names no base and head commit, so every reference was judged."
    changed = changed_lines.from_git(workspace, event.base_sha, event.head_sha)
    source = "git diff"
    if changed is None and event.is_pull_request and repo is not None:
        from aiospo_ci.action.github_api import describe, is_api_error

        try:
            changed = changed_lines.from_api_files(repo.get_pull(event.pr_number).get_files())
            source = "the pull request's files (API)"
        except Exception as exc:
            if not is_api_error(exc):
                raise
            log.line(f"aiospo-ci: could not list the pull request's files: {describe(exc)}")
    if changed is None:
        return None, "only_changed: neither `git diff base...head` (fetch-depth: 0 makes it work) nor the API told which lines changed, so every reference was judged."
    refs = result.scan.references
    touched = frozenset(i for i, ref in enumerate(refs) if changed_lines.touched(ref, changed))
    log.line(f"aiospo-ci: only_changed: {len(touched)} of {len(refs)} references are in changed lines (from {source}).")
    return touched, None


def _findings_output(result: CheckResult, scope: frozenset[int] | None) -> str:
    """The findings as one JSON line (sorted as the findings are), cut to fit GitHub's limit."""
    entries = []
    for f in result.findings:
        ref = result.scan.references[f.ref] if f.ref is not None else None
        entry = {
            **f.to_dict(),
            "file": ref.file if ref else None,
            "line": ref.line if ref else None,
            "model": ref.id if ref else None,
            "in_scope": scope is None or f.ref is None or f.ref in scope,
        }
        entries.append(json.dumps(entry, sort_keys=True, ensure_ascii=False))
    out, size = [], 2
    for line in entries:
        size += len(line.encode("utf-8")) + 1
        if size > OUTPUT_BYTES:
            break
        out.append(line)
    return "[" + ",".join(out) + "]"


def _emit_commands(log: Log, items: list, why: str) -> None:
    if not items:
        return
    log.line(why)
    for item in items:
        log.command(annotation_command(item))
    log.line(f"aiospo-ci: {limit_note(items)}")


def run(env: Mapping[str, str], stdout: TextIO, check: Callable[[Any], tuple[CheckResult, dict]] | None = None) -> int:
    """One Action run. `check` is the pipeline (`run_check`); tests pass a function that
    returns a prepared result to exercise the reporting on exact numbers of findings."""
    log = Log(stdout)
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    try:
        inputs = ActionInputs.from_env(env)
        event = load_event(env)
    except AiospoError as exc:
        return _no_verdict(log, env, str(exc))
    _export_secrets(inputs)
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()

    from aiospo_ci.pipeline import exit_code, run_check

    try:
        with log.group("aiospo-ci: scan, enrich, evaluate"):
            result, document = (check or run_check)(_run_options(inputs, workspace))
    except AiospoError as exc:  # reported after the group closes, where the reader sees it
        return _no_verdict(log, env, str(exc))
    fail_on = inputs.fail_on or (document.get("config") or {}).get("fail_on") or "deny"

    # 1. The log first: every finding, as text no file name can turn into a workflow command.
    from aiospo_ci.report.text import TextReport

    with log.group("aiospo-ci: findings"):
        log.untrusted(TextReport().render_check(result))

    token = inputs.github_token
    repo = None
    if token and event.repository:
        from aiospo_ci.action import github_api

        repo = github_api.client(token, env).get_repo(event.repository)

    scope, scope_note = _scope(result, inputs, event, workspace, repo, log)
    judged = result if scope is None else dataclasses.replace(
        result, findings=tuple(f for f in result.findings if f.ref is None or f.ref in scope)
    )
    code = exit_code(judged, fail_on)
    counts = judged.counts()
    notes = [n for n in (scope_note,) if n]

    # 2. SARIF (all findings; code scanning tracks them by fingerprint).
    if inputs.sarif_file:
        from aiospo_ci.report.sarif import SarifReport

        target = Path(inputs.sarif_file)
        target = target if target.is_absolute() else workspace / target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(redact(SarifReport().render_check(result)), encoding="utf-8")
        except OSError as exc:
            return _no_verdict(log, env, f"input sarif_file {inputs.sarif_file}: cannot write ({exc.strerror}); give a path inside the workspace.")

    # 3. Outputs.
    findings_json = _findings_output(result, scope)
    if len(json.loads(findings_json)) < len(result.findings):
        log.line(f"aiospo-ci: the findings output holds the first {len(json.loads(findings_json))} of {len(result.findings)} findings (GitHub keeps 1 MB of outputs per job).")
    outputs_written = write_outputs(
        env.get("GITHUB_OUTPUT"),
        {
            "findings": findings_json,
            "deny_count": str(counts["deny"]),
            "warn_count": str(counts["warn"]),
            "sarif_file": inputs.sarif_file or "",
        },
    )

    # 4. The job summary, before any API call can fail.
    from aiospo_ci.action.categories import license_categories

    categories, why_no_categories = license_categories(result, _run_options(inputs, workspace).policy_dirs)
    if why_no_categories:
        log.line(f"aiospo-ci: {why_no_categories}")

    def markdown(limit: int) -> str:
        return MarkdownReport(limit=limit, categories=categories, changed_refs=scope, notes=notes).render_check(result)

    if env.get("GITHUB_OUTPUT") and not outputs_written:
        log.command(command("warning", f"could not write the step outputs to {env['GITHUB_OUTPUT']}; the findings are in the log.", {"title": "aiospo-ci"}))
    if summary_path and not append_summary(summary_path, markdown(SUMMARY_LIMIT)):
        log.command(command("warning", f"could not write the job summary to {summary_path}; the findings are in the log.", {"title": "aiospo-ci"}))

    # 5. Annotations.
    api_notes: list[str] = []
    items = annotations_of(result)
    if scope is not None:  # outside the PR's changes an annotation lands on lines nobody touched
        items = [a for a in items if a.ref is None or a.ref in scope]
    if inputs.annotations == "checks" and items and not (repo and event.sha):
        api_notes.append("No token or commit to create a check run with; annotations were sent as workflow commands.")
        _emit_commands(log, items, "aiospo-ci: annotating through workflow commands.")
    elif inputs.annotations == "checks" and repo is not None and event.sha:
        from aiospo_ci.action import checks

        verdict = "fail" if code else "pass"
        outcome = checks.publish(
            repo,
            event.sha,
            items,
            conclusion="failure" if code else "success",
            title=f"aiospo-ci: {verdict} ({counts['deny']} denied, {counts['warn']} warnings)",
            summary=MarkdownReport(changed_refs=scope, notes=notes).render_headline(result),
            text=markdown(checks.OUTPUT_LIMIT).replace(MARKER + "\n", ""),
        )
        if outcome.error:
            lined = [a for a in items if a.path]
            lost = [a for a in items if not a.path] + lined[outcome.sent :]
            message = (
                f"The Checks API refused the check run ({outcome.error}); "
                + (f"{outcome.sent} annotations were sent before that; " if outcome.sent else "")
                + f"the other {len(lost)} were sent as workflow commands. "
                + (
                    f"This pull request comes from the fork {event.head_repository}, whose token GitHub makes read-only: that is expected."
                    if event.is_fork
                    else "Give the job `permissions: checks: write` (a pull request from a fork gets a read-only token)."
                )
            )
            api_notes.append(message)
            _emit_commands(log, lost, f"aiospo-ci: {message}")
        else:
            log.line(f"aiospo-ci: check run {outcome.check_run_id}: {outcome.sent} annotations in {outcome.requests} requests.")
    elif inputs.annotations == "commands":
        _emit_commands(log, items, "aiospo-ci: annotating through workflow commands.")

    # 6. The sticky pull-request comment.
    if event.is_pull_request and event.pr_number is not None and inputs.comment != "never":
        if repo is None:
            api_notes.append("No github_token: the pull-request comment was not written.")
        else:
            from aiospo_ci.action import comment

            posted = comment.upsert(repo, event.pr_number, markdown(COMMENT_LIMIT), create=inputs.comment == "always" or code != 0)
            if posted.error:
                api_notes.append(
                    f"The pull-request comment could not be written ({posted.error}); the findings are in this summary and the log. "
                    + (
                        f"The pull request comes from the fork {event.head_repository}, whose token GitHub makes read-only: that is expected."
                        if event.is_fork
                        else "Give the job `permissions: pull-requests: write`."
                    )
                )
            else:
                log.line(f"aiospo-ci: pull-request comment {posted.action}" + (f" (id {posted.comment_id})." if posted.comment_id else "."))

    for note in api_notes:
        log.command(command("warning", note, {"title": "aiospo-ci"}))
    if api_notes:
        append_summary(summary_path, "\n### GitHub API\n\n" + "\n".join(f"- {text(n, 2_000)}" for n in api_notes) + "\n")

    log.line(
        f"aiospo-ci: {'policy failure' if code else 'pass'} (fail_on {fail_on}"
        + (", only changed lines" if scope is not None else "")
        + f"): {counts['deny']} denied, {counts['warn']} warnings, {counts['info']} notes, {counts['waived']} waived."
    )
    return code


def main(argv: list[str] | None = None) -> int:
    env = dict(os.environ)
    try:
        return run(env, sys.stdout)
    except KeyboardInterrupt:
        sys.stdout.write("aiospo-ci: interrupted; no verdict.\n")
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - never exit 0 on a crash: that would be a silent pass
        import traceback

        log = Log(sys.stdout)
        log.untrusted(traceback.format_exc())
        return _no_verdict(log, env, f"internal error: {type(exc).__name__}: {exc}")
