"""The Action's entrypoint: inputs and event in, the pipeline's verdict out, reported on GitHub.

1. Decide what is judged (`tree.py`): on a pull request, the head commit's own tree, so every
   line reported is a line of the pull request; no verdict (exit 2) when that tree cannot be had.
2. Read what the change touched (`changed.py`) and which of the gate's own files it touched
   (`gate.py`: configuration, lockfile, policies, baseline) for `input.run`, and with
   `config_from: base` put the base branch's versions of those files in place.
3. Run the pipeline; with `only_changed`, keep in the verdict only findings the change decides.
4. Report. Order matters for "never lose a finding": the log, the SARIF file, the decision
   record, the step outputs and the job summary come before any GitHub API call (files go to
   the real workspace, `workspace.py`); then annotations (Checks API, falling back to workflow
   commands), the sticky comment and the fixes as review suggestions (`suggestions.py`). API
   failures are logged and appended to the summary with advice that matches the failure, and
   never change the exit code.

Exit codes: 0 pass, 1 policy failure at or above fail_on, 2 no verdict.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aiospo_ci.action import changed as changed_files
from aiospo_ci.action import gate
from aiospo_ci.action import workspace as workspace_files
from aiospo_ci.action.event import Event, load_event
from aiospo_ci.action.git import Git
from aiospo_ci.action.inputs import ActionInputs
from aiospo_ci.action.outputs import OUTPUT_BYTES, Log, append_summary, write_outputs
from aiospo_ci.action.tree import JudgedTree, judged_tree
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


def _run_options(inputs: ActionInputs, root: Path, workspace: Path, run_info: dict[str, Any] | None = None):
    """`root` is the tree judged (the pull request's head); a bundle file the workflow names is
    in the real workspace (downloaded there by an earlier step)."""
    from aiospo_ci.pipeline import RunOptions

    return RunOptions(
        root=root,
        paths=tuple(Path(p) for p in inputs.paths) or None,
        config_path=(root / inputs.config) if inputs.config else None,
        policy_dirs=tuple(root / d for d in inputs.policy_dirs),
        engine=inputs.engine,
        opa_url=inputs.opa_url,
        opa_mode=inputs.opa_mode,
        bundle=inputs.bundle if not inputs.bundle or "://" in inputs.bundle else str(workspace / inputs.bundle),
        verification_key=inputs.bundle_verification_key or None,
        offline=inputs.offline,
        fail_on=inputs.fail_on,
        run_info=dict(run_info or {}),
    )


def _no_verdict(log: Log, env: Mapping[str, str], reason: str) -> int:
    reason = redact(reason)
    log.command(command("error", f"aiospo-ci reached no verdict: {reason}", {"title": "aiospo-ci"}))
    append_summary(
        env.get("GITHUB_STEP_SUMMARY"),
        f"{MARKER}\n## :x: aiospo-ci: no verdict\n\n{text(reason, 4_000)}\n\nThe check fails until this is fixed (exit code 2).\n",
    )
    return EXIT_ERROR


def sarif_target(value: str | None, workspace: Path) -> Path | None:
    """The SARIF path, which must be inside the workspace (action/workspace.py)."""
    return workspace_files.target(value, workspace, "sarif_file") if value else None


@dataclass
class Prepared:
    """What the run judges: the tree, the change, and input.run's facts about the gate."""

    tree: JudgedTree
    changes: list[changed_files.Change] | None = None
    changes_source: str = ""
    decisive: list[changed_files.Change] = field(default_factory=list)
    run_info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _changes(git: Git, event: Event, repo: Any, log: Log) -> tuple[list[changed_files.Change] | None, str]:
    """The files the pull request (or push) changed: git first, then the pull request's files."""
    if event.base_sha and event.head_sha:
        found = changed_files.from_git(git, event.base_sha, event.head_sha)
        if found is not None:
            return found, "git diff"
    if event.is_pull_request and repo is not None:
        from aiospo_ci.action.github_api import describe, is_api_error

        try:
            pull = repo.get_pull(event.pr_number)
            found = changed_files.from_api_files(pull.get_files(), pull.changed_files)
            if found is not None:
                return found, "the pull request's files (API)"
            log.line("aiospo-ci: the API lists fewer files than the pull request changes (GitHub stops at 3,000).")
        except Exception as exc:
            if not is_api_error(exc):
                raise
            log.line(f"aiospo-ci: could not list the pull request's files: {describe(exc)}")
    return None, ""


def _prepare(inputs: ActionInputs, event: Event, workspace: Path, git: Git, repo: Any, log: Log) -> Prepared:
    """The judged tree, the change and the gate's files; AiospoError means no verdict."""
    prepared = Prepared(judged_tree(workspace, event, inputs.tree, git))
    tree = prepared.tree
    if tree.note:
        prepared.notes.append(tree.note)
    if inputs.only_changed or event.is_pull_request:
        prepared.changes, prepared.changes_source = _changes(git, event, repo, log)
    head = gate.config_in_tree(tree.root, inputs.config)
    head_files = gate.gate_files(head.config, head.path or inputs.config, inputs.policy_dirs)
    if not event.is_pull_request:
        if inputs.config_from == "base":
            raise AiospoError(f"input config_from: base needs a pull request, and this is a {event.name} event; remove it from this workflow.")
        prepared.decisive = gate.decisive(prepared.changes or [], head_files)
        return prepared

    base_sha = event.base_sha or ""
    base: gate.ConfigAt | None = None
    base_files: gate.GateFiles | None = None
    if git.has_tree(base_sha):
        base = gate.config_at(git, base_sha, inputs.config)
        base_files = gate.gate_files(base.config, base.path or inputs.config, inputs.policy_dirs)
        if base.error:
            prepared.notes.append(f"The base branch's configuration could not be read: {base.error}")
    sides = [head_files] + ([base_files] if base_files else [])
    if prepared.changes is not None:
        prepared.decisive = gate.decisive(prepared.changes, *sides)
    lock = gate.lock_diff(git, base_sha, tree.root, prepared.decisive, base_files, head_files)
    baseline = gate.baseline_added(git, base_sha, tree.root, prepared.decisive, base_files, head_files)
    if inputs.config_from == "base":
        if base is None or base_files is None or base.config is None:
            why = base.error if base is not None and base.error else f"the base commit {base_sha[:12] or '(none)'} is not in the checkout; set `fetch-depth: 0`"
            raise AiospoError(f"input config_from: base could not read the base branch's configuration ({why}).")
        tree.make_private()  # the base's files go into a copy, never into the checkout
        gate.use_base(git, base_sha, tree.root, base_files, head_files)
        prepared.notes.append(f"config_from: base: judged with the configuration, lockfile, policies and baseline of the base branch ({base_sha[:12]}).")
    prepared.run_info = gate.run_fields(prepared.changes, base, head, base_files, head_files, lock, inputs.config_from, baseline)
    return prepared


def _scope(result: CheckResult, inputs: ActionInputs, prepared: Prepared, event: Event, log: Log) -> tuple[changed_files.Scope | None, str | None]:
    """With only_changed: the references the change decides, and the sentence saying why the
    others are out of scope (or why everything was judged)."""
    if not inputs.only_changed:
        return None, None
    if prepared.changes is None:
        if event.base_sha and event.head_sha:
            return None, "only_changed: neither `git diff base...head` (fetch-depth: 0 makes it work) nor the API told which files changed, so every reference was judged."
        return None, f"only_changed: the {event.name} event names no base and head commit, so every reference was judged."
    if not prepared.tree.lines_match:
        return None, "only_changed: the judged files are not the pull request's head, so changes cannot be matched to them and every reference was judged."
    refs = result.scan.references
    scope = changed_files.scope_of(refs, prepared.changes, prepared.decisive)
    out = sum(1 for f in result.findings if not scope.contains(f.ref))
    if scope.everything:
        note = f"only_changed: every reference is in scope because {scope.everything}."
    else:
        note = (
            f"only_changed: {len(scope.refs)} of {len(refs)} references are in files this change touches (from {prepared.changes_source}); "
            f"{out} findings on the other references were judged out of scope, because nothing that decides them changed: "
            "their files, the configuration, the lockfile and the policies are as they were."
        )
    log.line(f"aiospo-ci: {note}")
    return scope, note


def _decision_record(
    inputs: ActionInputs, env: Mapping[str, str], workspace: Path, result: CheckResult, document: dict, code: int, event: Event, commit: str | None, log: Log
) -> str | None:
    """The decision record: appended to the `decision_log` file (inside the real workspace, for
    actions/upload-artifact, whichever tree was judged; owned by the workspace's owner) and sent
    to the collector the workflow's environment names. Never changes the verdict: what fails is
    a warning. Returns the file as given, for the `decision_log` output, when written."""
    from aiospo_ci import decision_log

    def warn(message: str) -> None:
        log.command(command("warning", message, {"title": "aiospo-ci"}))

    try:
        target = None
        if inputs.decision_log:
            target = workspace_files.target(inputs.decision_log, workspace, "decision_log")
            workspace_files.write_owned(target, "", workspace, append=True)  # made here, so it and its folders are the owner's
        sinks = decision_log.sinks_for_action(target, env)
    except (AiospoError, OSError) as exc:
        warn(f"no decision record: {redact(str(exc))}")
        return None
    labels = {**decision_log.event_labels(event), **({"commit": commit} if commit else {})}
    written = decision_log.emit(result, document, exit_code=code, sinks=sinks, labels=labels, warn=warn)
    return inputs.decision_log if written else None


def _findings_output(result: CheckResult, scope: changed_files.Scope | None) -> str:
    """The findings as one JSON line (sorted as the findings are), cut to fit GitHub's limit."""
    entries = []
    for f in result.findings:
        ref = result.scan.references[f.ref] if f.ref is not None else None
        entry = {
            **f.to_dict(),
            "file": ref.file if ref else None,
            "line": ref.line if ref else None,
            "model": ref.id if ref else None,
            "in_scope": scope is None or scope.contains(f.ref),
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


def _external_id(env: Mapping[str, str]) -> str:
    return f"aiospo-ci/{env.get('GITHUB_RUN_ID', '0')}/{env.get('GITHUB_RUN_ATTEMPT', '1')}/{secrets.token_hex(8)}"


def run(env: Mapping[str, str], stdout: TextIO, check: Callable[[Any], tuple[CheckResult, dict]] | None = None) -> int:
    """One Action run. `check` is the pipeline (`run_check`); tests pass a function that
    returns a prepared result to exercise the reporting on exact numbers of findings."""
    log = Log(stdout)
    try:
        inputs = ActionInputs.from_env(env)
        event = load_event(env)
        workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
        sarif = sarif_target(inputs.sarif_file, workspace)
    except AiospoError as exc:
        return _no_verdict(log, env, str(exc))
    _export_secrets(inputs)

    gh = repo = None
    if inputs.github_token and event.repository:
        from aiospo_ci.action import github_api

        gh = github_api.client(inputs.github_token, env)
        repo = gh.get_repo(event.repository)
    git = Git(workspace)
    try:
        prepared = _prepare(inputs, event, workspace, git, repo, log)
    except AiospoError as exc:
        return _no_verdict(log, env, str(exc))
    try:
        return _judge_and_report(env, log, inputs, event, workspace, git, prepared, sarif, gh, repo, check)
    finally:
        prepared.tree.close()


def _judge_and_report(
    env: Mapping[str, str],
    log: Log,
    inputs: ActionInputs,
    event: Event,
    workspace: Path,
    git: Git,
    prepared: Prepared,
    sarif: Path | None,
    gh: Any,
    repo: Any,
    check: Callable[[Any], tuple[CheckResult, dict]] | None,
) -> int:
    from aiospo_ci.pipeline import exit_code, run_check

    summary_path = env.get("GITHUB_STEP_SUMMARY")
    tree = prepared.tree
    options = _run_options(inputs, tree.root, workspace, prepared.run_info)
    try:
        with log.group("aiospo-ci: scan, enrich, evaluate"):
            result, document = (check or run_check)(options)
    except AiospoError as exc:  # reported after the group closes, where the reader sees it
        return _no_verdict(log, env, str(exc))
    fail_on = inputs.fail_on or (document.get("config") or {}).get("fail_on") or "deny"

    # 1. The log first: every finding, as text no file name can turn into a workflow command.
    from aiospo_ci.report.text import TextReport

    with log.group("aiospo-ci: findings"):
        log.untrusted(TextReport().render_check(result))

    scope, scope_note = _scope(result, inputs, prepared, event, log)
    judged = result if scope is None else dataclasses.replace(result, findings=tuple(f for f in result.findings if scope.contains(f.ref)))
    code = exit_code(judged, fail_on)
    counts = judged.counts()
    notes = [*prepared.notes, *([scope_note] if scope_note else [])]
    changed_refs = scope.refs if scope is not None else None

    # 2. SARIF (all findings; code scanning tracks them by fingerprint).
    if sarif is not None:
        from aiospo_ci.report.sarif import SarifReport

        try:
            workspace_files.write_owned(sarif, redact(SarifReport().render_check(result)), workspace)
        except OSError as exc:
            return _no_verdict(log, env, f"input sarif_file {inputs.sarif_file}: cannot write ({exc.strerror}); give a writable path inside the workspace.")

    # 3. The decision record (docs/organisation.md), and the outputs.
    decision_log = _decision_record(inputs, env, workspace, result, document, code, event, tree.commit, log)
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
            "sha": tree.commit or "",
            **({"decision_log": decision_log} if decision_log else {}),
        },
    )

    # 4. The job summary, before any API call can fail.
    from aiospo_ci.action.categories import license_categories

    categories, why_no_categories = license_categories(result, options.policy_dirs)
    if why_no_categories:
        log.line(f"aiospo-ci: {why_no_categories}")

    def markdown(limit: int) -> str:
        return MarkdownReport(limit=limit, categories=categories, changed_refs=changed_refs, notes=notes).render_check(result)

    if env.get("GITHUB_OUTPUT") and not outputs_written:
        log.command(command("warning", f"could not write the step outputs to {env['GITHUB_OUTPUT']}; the findings are in the log.", {"title": "aiospo-ci"}))
    if summary_path and not append_summary(summary_path, markdown(SUMMARY_LIMIT)):
        log.command(command("warning", f"could not write the job summary to {summary_path}; the findings are in the log.", {"title": "aiospo-ci"}))

    # 5. Annotations, on the commit whose lines were judged.
    api_notes: list[str] = []
    items = annotations_of(result)
    if scope is not None:  # outside the change an annotation lands on lines nobody touched
        items = [a for a in items if scope.contains(a.ref)]
    if not tree.lines_match:
        items = [a for a in items if not a.path]
    if inputs.annotations == "checks" and items and not (repo and tree.commit):
        api_notes.append("No token or commit to create a check run with; annotations were sent as workflow commands.")
        _emit_commands(log, items, "aiospo-ci: annotating through workflow commands.")
    elif inputs.annotations == "checks" and repo is not None and tree.commit:
        api_notes += _annotate(env, log, event, repo, tree.commit, items, result, code, counts, changed_refs, notes, markdown)
    elif inputs.annotations == "commands":
        _emit_commands(log, items, "aiospo-ci: annotating through workflow commands.")

    # 6. The sticky pull-request comment.
    if event.is_pull_request and event.pr_number is not None and inputs.comment != "never":
        if repo is None:
            api_notes.append("No github_token: the pull-request comment was not written.")
        else:
            api_notes += _comment(log, event, gh, repo, markdown(COMMENT_LIMIT), create=inputs.comment == "always" or code != 0)

    # 7. The mechanical fixes as one-click review suggestions on the head's lines (input `suggestions`).
    from aiospo_ci.action import suggestions

    api_notes += suggestions.post(inputs, event, tree, git, prepared.changes, result, repo, log)

    for note in api_notes:
        log.command(command("warning", note, {"title": "aiospo-ci"}))
    if api_notes:
        append_summary(summary_path, "\n### GitHub API\n\n" + "\n".join(f"- {text(n, 2_000)}" for n in api_notes) + "\n")

    log.line(
        f"aiospo-ci: {'policy failure' if code else 'pass'} (fail_on {fail_on}"
        + (", only what the change decides" if scope is not None else "")
        + f"): {counts['deny']} denied, {counts['warn']} warnings, {counts['info']} notes, {counts['waived']} waived."
    )
    return code


def _annotate(env, log, event, repo, sha, items, result, code, counts, changed_refs, notes, markdown) -> list[str]:
    """The check run with its annotations; what could not be sent goes out as workflow commands."""
    from aiospo_ci.action import checks
    from aiospo_ci.action.github_api import advice, describe, pace_of

    verdict = "fail" if code else "pass"
    wait = max(pace_of(env), 0.2)
    outcome = checks.publish(
        repo,
        sha,
        items,
        conclusion="failure" if code else "success",
        title=f"aiospo-ci: {verdict} ({counts['deny']} denied, {counts['warn']} warnings)",
        summary=MarkdownReport(changed_refs=changed_refs, notes=notes).render_headline(result),
        text=markdown(checks.OUTPUT_LIMIT).replace(MARKER + "\n", ""),
        external_id=_external_id(env),
        read_back_waits=(wait, 2 * wait, 4 * wait),
    )
    if outcome.error is None:
        read_back = f" ({outcome.read_backs} lost answers read back, none resent)" if outcome.read_backs else ""
        log.line(f"aiospo-ci: check run {outcome.check_run_id}: {outcome.sent} annotations in {outcome.requests} requests{read_back}.")
        return []
    lined = [a for a in items if a.path]
    lost = [a for a in items if not a.path] + lined[outcome.sent :]
    what = "The Checks API refused the check run" if outcome.check_run_id is None else f"The Checks API stopped taking annotations for check run {outcome.check_run_id}"
    message = (
        f"{what} ({redact(describe(outcome.error))}); "
        + (f"{outcome.sent} annotations were sent before that; " if outcome.sent else "")
        + f"the other {len(lost)} were sent as workflow commands. "
        + advice(outcome.error, permission="checks", fork=event.head_repository if event.is_fork else None, repository=event.repository)
    )
    _emit_commands(log, lost, f"aiospo-ci: {message}")
    return [message]


def _comment(log: Log, event: Event, gh: Any, repo: Any, body: str, *, create: bool) -> list[str]:
    from aiospo_ci.action import comment
    from aiospo_ci.action.github_api import advice, describe

    posted = comment.upsert(repo, event.pr_number or 0, body, create=create, login=comment.identity(gh))
    if posted.error is None:
        log.line(f"aiospo-ci: pull-request comment {posted.action}" + (f" (id {posted.comment_id})." if posted.comment_id else "."))
        return []
    return [
        f"The pull-request comment could not be written ({redact(describe(posted.error))}); the findings are in this summary and the log. "
        + advice(posted.error, permission="pull-requests", fork=event.head_repository if event.is_fork else None, repository=event.repository)
    ]


def _terminate(signum: int, frame: Any) -> None:
    """A cancelled job (SIGTERM through the image's init) ends like Ctrl-C: no verdict, with
    the OPA server and the private folders cleaned up on the way out."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    import signal

    env = dict(os.environ)
    signal.signal(signal.SIGTERM, _terminate)
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
