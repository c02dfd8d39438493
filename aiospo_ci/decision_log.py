"""Where a check's decision record goes: a file, and a collector that speaks OPA's decision-log
service API (POST of a gzip-compressed JSON array of events).

Both are chosen by whoever runs aiospo-ci, never by the repository under review: the collector
URL comes from `--decision-log-url` or AIOSPO_DECISION_LOG_URL and its token from
AIOSPO_DECISION_LOG_TOKEN, and `.aiospo.yaml` has no key for either, so a pull request cannot
send its decisions (or a token) elsewhere. Writing or sending the record never changes the
verdict: a failure is a warning and the exit code stands.

The record itself is built by report/decision_log.py.
"""

from __future__ import annotations

import argparse
import gzip
import ipaddress
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiospo_ci import __version__
from aiospo_ci.errors import AiospoError
from aiospo_ci.model import CheckResult
from aiospo_ci.report.decision_log import INPUT_MODES, decision_record, render_record
from aiospo_ci.secrets import redact

URL_VARIABLE = "AIOSPO_DECISION_LOG_URL"
TOKEN_VARIABLE = "AIOSPO_DECISION_LOG_TOKEN"  # also in secrets.SECRET_VARIABLES
INPUT_VARIABLE = "AIOSPO_DECISION_LOG_INPUT"
#: OPA's default `decision_logs.reporting.upload_size_limit_bytes`: the gzip size of one POST.
UPLOAD_LIMIT_BYTES = 32_768
ATTEMPTS = 3
TIMEOUT_SECONDS = 10.0
MAX_RETRY_AFTER_SECONDS = 10.0


@dataclass(frozen=True)
class Sinks:
    """Where the record goes and what it holds."""

    file: Path | None = None
    url: str | None = None
    token: str = field(default="", repr=False)
    input_mode: str = "full"
    labels: tuple[tuple[str, str], ...] = ()  # given on the command line; win over the run's own

    def __bool__(self) -> bool:
        return bool(self.file or self.url)


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--decision-log", metavar="FILE", help="append this check's decision record (OPA's decision-log shape, one JSON line) to FILE")
    p.add_argument(
        "--decision-log-url",
        metavar="URL",
        help=f"POST the decision record to this collector (OPA's decision-log API; default {URL_VARIABLE}; token from {TOKEN_VARIABLE})",
    )
    p.add_argument(
        "--decision-log-input", choices=INPUT_MODES, help=f"keep the whole input in the record, or only its SHA-256 (default: {INPUT_VARIABLE}, else full)"
    )
    p.add_argument(
        "--decision-log-label", action="append", default=[], metavar="KEY=VALUE", help="a label on the record, e.g. repository=acme/app (repeatable)"
    )


def _label(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise AiospoError(f"--decision-log-label {text!r} is not KEY=VALUE; write it as e.g. repository=acme/app.")
    return key.strip(), value


def _sinks(file: Path | None, url: str | None, input_mode: str | None, env: Mapping[str, str], labels: tuple[tuple[str, str], ...] = ()) -> Sinks:
    token = env.get(TOKEN_VARIABLE, "")
    if url:
        check_url(url, token)
    mode = input_mode or env.get(INPUT_VARIABLE) or "full"
    if mode not in INPUT_MODES:
        raise AiospoError(f"{INPUT_VARIABLE}={mode!r} is not one of {', '.join(INPUT_MODES)}; fix the workflow's environment.")
    return Sinks(file=file, url=url, token=token, input_mode=mode, labels=labels)


def sinks_from_args(args: argparse.Namespace, env: Mapping[str, str]) -> Sinks:
    """The command line's choices; the URL and input mode fall back to the environment."""
    return _sinks(
        Path(args.decision_log) if args.decision_log else None,
        args.decision_log_url or env.get(URL_VARIABLE) or None,
        args.decision_log_input,
        env,
        tuple(_label(text) for text in args.decision_log_label),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _where(url: str) -> str:
    """The collector as a log line may name it: scheme and host, never a path or query that
    could carry a credential."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")


def check_url(url: str, token: str) -> None:
    """Refuse a collector URL that is not http(s), carries credentials, or would send the token
    in clear text to another machine."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise AiospoError("the decision-log URL is not a valid URL; give e.g. https://collector.example/logs.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AiospoError(f"the decision-log URL {_where(url)} is not an http(s) URL; give e.g. https://collector.example/logs.")
    if parts.username or parts.password:
        raise AiospoError(f"the decision-log URL {_where(url)} carries credentials; put the token in {TOKEN_VARIABLE} instead.")
    if token and parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise AiospoError(f"the decision-log URL {_where(url)} is plain http, which would send {TOKEN_VARIABLE} unencrypted; use https.")


# -- the run's labels ---------------------------------------------------------------------------


def event_labels(event: Any) -> dict[str, str]:
    """repository, commit, pull_request and event from the Action's Event."""
    labels = {"repository": event.repository, "commit": event.sha, "event": event.name}
    if event.pr_number is not None:
        labels["pull_request"] = str(event.pr_number)
    return {k: v for k, v in labels.items() if v}


def _git_head(root: Path) -> str | None:
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False, env={"PATH": "/usr/bin:/bin:/usr/local/bin", "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    head = done.stdout.strip()
    return head if done.returncode == 0 and len(head) in (40, 64) else None


def run_labels(root: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The context of a command-line run: in GitHub Actions the event's repository, commit and
    pull request; elsewhere the folder's name and its git HEAD."""
    if env.get("GITHUB_ACTIONS") == "true":
        from aiospo_ci.action.event import load_event

        try:
            return event_labels(load_event(env))
        except AiospoError:  # an unreadable event file still leaves the repository and commit
            return {k: v for k, v in {"repository": env.get("GITHUB_REPOSITORY"), "commit": env.get("GITHUB_SHA")}.items() if v}
    labels = {"repository": root.name}
    head = _git_head(root)
    if head:
        labels["commit"] = head
    return labels


# -- sending ---------------------------------------------------------------------------------


@dataclass
class UploadOutcome:
    sent: int = 0  # records the collector accepted
    posts: int = 0  # requests made, retries included
    errors: list[str] = field(default_factory=list)


def batches(records: Sequence[bytes], limit: int = UPLOAD_LIMIT_BYTES) -> list[list[bytes]]:
    """Records (JSON, one each) grouped so each POST's gzip body stays under `limit`, in order.
    The bound uses each record's own compressed size, which the compressed array never
    exceeds; a record larger than the limit goes alone (OPA drops it; losing an audit record
    is worse than an oversized request)."""
    groups: list[list[bytes]] = []
    size = 0
    for record in records:
        cost = len(gzip.compress(record, compresslevel=6, mtime=0)) + 1
        if groups and size + cost <= limit:
            groups[-1].append(record)
            size += cost
        else:
            groups.append([record])
            size = cost
    return groups


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A collector that redirects is refused: the records and the token go to the URL the
    workflow named and nowhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, token: str, timeout: float) -> tuple[int, str | None]:
    """(status, Retry-After) of one POST; status 0 when the collector could not be reached."""
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "User-Agent": f"aiospo-ci/{__version__}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Retry-After") if exc.headers else None
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None


def upload(
    records: Sequence[bytes],
    url: str,
    token: str = "",
    *,
    limit: int = UPLOAD_LIMIT_BYTES,
    attempts: int = ATTEMPTS,
    backoff: float = 0.5,
    timeout: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> UploadOutcome:
    """POST the records in batches, each a gzip-compressed JSON array. A batch is retried with
    exponential backoff when the collector cannot be reached, answers 429 (honouring a short
    Retry-After) or 5xx; any other answer is final. Never raises for the collector's sake."""
    outcome = UploadOutcome()
    for group in batches(records, limit):
        body = gzip.compress(b"[" + b",".join(group) + b"]", compresslevel=6, mtime=0)
        for attempt in range(attempts):
            status, retry_after = _post(url, body, token, timeout)
            outcome.posts += 1
            if 200 <= status < 300:
                outcome.sent += len(group)
                break
            retryable = status == 0 or status == 429 or status >= 500
            if not retryable or attempt == attempts - 1:
                what = "could not be reached" if status == 0 else f"answered HTTP {status}"
                outcome.errors.append(f"{_where(url)} {what} for {len(group)} record(s)" + (f" after {attempts} attempts" if retryable else ""))
                break
            delay = backoff * 2**attempt
            if retry_after and retry_after.strip().isdigit():
                delay = max(delay, min(float(retry_after.strip()), MAX_RETRY_AFTER_SECONDS))
            sleep(delay)
    return outcome


# -- one check's record -------------------------------------------------------------------------


def emit(
    result: CheckResult,
    document: dict[str, Any],
    *,
    exit_code: int,
    sinks: Sinks,
    labels: Mapping[str, str],
    warn: Callable[[str], None],
) -> bool:
    """Write and send the record of one check; True when it was appended to the file. Every
    failure is passed to `warn` and nothing is raised: the verdict stands."""
    if not sinks:
        return False
    record = decision_record(
        result,
        document,
        verdict="pass" if exit_code == 0 else "fail",
        labels={**labels, **dict(sinks.labels)},
        input_mode=sinks.input_mode,
    )
    line = redact(render_record(record))
    written = False
    if sinks.file:
        try:
            with sinks.file.open("a", encoding="utf-8") as handle:
                handle.write(line)
            written = True
        except OSError as exc:
            warn(f"the decision record could not be written to {sinks.file} ({exc.strerror or exc}); the verdict stands.")
    if sinks.url:
        outcome = upload([line.rstrip("\n").encode("utf-8")], sinks.url, sinks.token)
        for error in outcome.errors:
            warn(f"the decision record was not sent: {error}; the verdict stands.")
    return written


def sinks_for_action(file: Path | None, env: Mapping[str, str]) -> Sinks:
    """The Action's sinks: the file its `decision_log` input names (the Action checks that it is
    inside the workspace) and the collector in the workflow's environment."""
    return _sinks(file, env.get(URL_VARIABLE) or None, None, env)
