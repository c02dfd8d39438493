"""The OPA engine: a real OPA server over its REST API, through opa-python-client.

Either an organisation's server at --opa-url, or one aiospo-ci starts itself on a free loopback
port when an `opa` binary is on PATH. Two ways to use a server:

- upload (the default): this run's policies and data are uploaded, evaluated and deleted again.
  OPA evaluates every module it holds in one namespace, so each run moves its modules under a
  namespace of its own (data.aiospo_ci_runs.<run>, see policy/namespace.py) with ids that carry
  the run too: concurrent runs from different repositories never see each other's policies, and
  nothing of an earlier run or of the server's own policies is overwritten.
- query: the server already holds the organisation's bundle (`aiospo-ci policy build`), and the
  run only asks. It uploads and deletes nothing; it checks that the server holds the aiospo-ci
  roots at a compatible version (GET /v1/data/aiospo/bundle) and records the bundle revision
  that decided (OPA's provenance).

Both ask with `strict-builtin-errors`, so a builtin that fails at evaluation is an error (exit
2) rather than an undefined expression that drops a finding without a word.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from typing import Any
from urllib.parse import urlsplit

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import namespace
from aiospo_ci.policy.interface import DECISION_PACKAGE, DECISION_RULE, UNDEFINED, PolicyEngine

#: Policies uploaded by aiospo-ci live under this id prefix on the server, then the run's id.
POLICY_ID_PREFIX = "aiospo-ci"
#: Each uploading run's modules and data live under data.aiospo_ci_runs.<run>.
RUNS_ROOT = "aiospo_ci_runs"
MODES = ("upload", "query")
DEFAULT_TIMEOUT = 30.0
#: Every query asks OPA to stop at a builtin error (`lower(null)`, a division by zero) rather
#: than leave the expression undefined, which would drop a finding without a word. OPA's Go
#: evaluator in process (policy/opa_go.py) and regorus stop there too.
STRICT = {"strict-builtin-errors": "true"}


def _client_error(exc: Exception) -> str:
    """The OPA message from an opa-python-client or requests exception, without headers."""
    message = getattr(exc, "message", None)
    expression = getattr(exc, "expression", None)
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            body = response.json()
            text = body.get("message") or str(body)
            errors = body.get("errors") or []
            if errors and isinstance(errors[0], dict):
                loc = errors[0].get("location") or {}
                text = f"{errors[0].get('message', text)} ({loc.get('file', '?')}:{loc.get('row', '?')})"
            return f"HTTP {response.status_code}: {text}"
        except ValueError:
            return f"HTTP {response.status_code}: {response.text[:200]}"
    if message or expression:
        return " ".join(str(p) for p in (expression, message) if p)
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")


class OpaServerEngine(PolicyEngine):
    """Evaluate on an OPA server at `url` (http or https, host and port)."""

    name = "opa"

    def __init__(self, url: str, *, token: str | None = None, timeout: float = DEFAULT_TIMEOUT, mode: str = "upload") -> None:
        from opa_client import OpaClient

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PolicyError(f"--opa-url {url!r} is not an http(s) URL with a host; use e.g. http://127.0.0.1:8181.")
        if parts.path not in ("", "/"):
            raise PolicyError(f"--opa-url {url!r} has a path; give only scheme, host and port (OPA serves /v1 at the root).")
        if mode not in MODES:
            raise PolicyError(f"--opa-mode {mode!r} is not known; use upload or query.")
        ssl = parts.scheme == "https"
        port = parts.port or (443 if ssl else 80)
        self.url = f"{parts.scheme}://{parts.hostname}:{port}"
        self.mode = mode
        # retries=0: a failure is reported at once; the run exits 2 rather than guessing.
        self._client = OpaClient(host=parts.hostname, port=port, ssl=ssl, token=token, timeout=timeout, retries=0)
        # upload mode: this run's namespace, and what it wrote there (removed by close()).
        self._run = f"r{secrets.token_hex(8)}"
        self._uploaded: list[tuple[str, str]] = []  # (policy id, module name), in upload order
        self._wrote_data = False
        # query mode: the server's data.aiospo.bundle, and the bundles OPA said decided.
        self._served: dict[str, Any] = {}
        self._decided_by: dict[str, str] = {}

    @property
    def _prefix(self) -> tuple[str, ...]:
        return (RUNS_ROOT, self._run) if self.mode == "upload" else ()

    def _ensure_reachable(self) -> None:
        if not self._client.check_health():
            raise PolicyError(f"the OPA server at {self.url} is not reachable or not healthy (GET /health failed); start it or fix --opa-url.")

    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        self._ensure_reachable()
        if self.mode == "query":
            if modules or data:
                raise PolicyError(f"the OPA server at {self.url} is only queried (--opa-mode query): it judges with the bundle it holds, so no policies of this run can be added to it.")
            self._check_served_bundle()
            return
        self._upload(modules, data)

    # -- upload mode ------------------------------------------------------------------------------

    def _policy_id(self, name: str) -> str:
        return f"{POLICY_ID_PREFIX}/{self._run}/{name}"

    def _upload(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        """Every module under this run's namespace, in an order OPA accepts (it compiles all it
        holds on each upload), then the data, in one PUT under the namespace."""
        from opa_client.errors import RegoParseError

        for name in namespace.upload_order(modules):
            policy_id = self._policy_id(name)
            try:
                # rego_compat=False: a policy OPA rejects must fail loudly, not be regex-rewritten.
                self._client.update_policy_from_string(namespace.rehome(modules[name], self._prefix), policy_id, rego_compat=False)
            except RegoParseError as exc:
                raise PolicyError(f"OPA at {self.url} rejected policy {name}: {self._opa_errors(exc)}; fix that module.") from None
            except Exception as exc:  # noqa: BLE001 - the client raises its own types; each becomes a PolicyError
                raise PolicyError(f"OPA at {self.url} rejected policy {name}: {self._unprefix(_client_error(exc))}; fix that module.") from None
            self._uploaded.append((policy_id, name))
        for key in sorted(data):
            if not isinstance(data[key], dict):
                raise PolicyError(f"policy data key {key!r} must be an object to upload to OPA.")
        if data:
            try:
                self._client.update_or_create_data(data, "/".join(self._prefix))
                self._wrote_data = True
            except Exception as exc:  # noqa: BLE001 - the client raises its own types; each becomes a PolicyError
                raise PolicyError(f"OPA at {self.url} refused the policy data: {self._unprefix(_client_error(exc))}.") from None

    def _unprefix(self, text: str) -> str:
        """OPA's words with this run's namespace and ids taken out again: the author's names."""
        for policy_id, name in self._uploaded:
            text = text.replace(policy_id, name)
        return text.replace(f"{POLICY_ID_PREFIX}/{self._run}/", "").replace(f"{RUNS_ROOT}.{self._run}.", "").replace(f"{RUNS_ROOT}/{self._run}/", "")

    def _opa_errors(self, exc: Any) -> str:
        """OPA's own error list: code, file:row and message of each error it reported."""
        parts = []
        for err in getattr(exc, "errors", None) or []:
            if not isinstance(err, dict):
                continue
            loc = err.get("location") or {}
            where = f"{loc.get('file', '?')}:{loc.get('row', '?')}"
            parts.append(f"{err.get('code', 'error')} at {where}: {err.get('message', '')}")
        text = "; ".join(parts) or " ".join(str(p) for p in (getattr(exc, "expression", None), getattr(exc, "message", None)) if p)
        return self._unprefix(text)

    def _remove_uploads(self) -> None:
        """Delete what this run wrote, the dependent modules first (OPA refuses to delete a module
        others still call). What cannot be deleted is named in a note, never silently left."""
        left = []
        for policy_id, _name in reversed(self._uploaded):
            try:
                self._client.delete_policy(policy_id)
            except Exception:  # noqa: BLE001 - cleanup reports, it does not decide
                left.append(policy_id)
        self._uploaded = []
        if self._wrote_data:
            try:
                self._client.delete_data("/".join(self._prefix))
            except Exception:  # noqa: BLE001 - cleanup reports, it does not decide
                left.append(f"data {'/'.join(self._prefix)}")
            self._wrote_data = False
        if left:
            self.notes = (
                *self.notes,
                f"the OPA server at {self.url} kept {len(left)} of this run's uploads ({', '.join(left[:3])}{', ...' if len(left) > 3 else ''}); "
                f"they sit in this run's own namespace (data.{RUNS_ROOT}.{self._run}) and judge no other run; delete them there.",
            )

    # -- query mode -------------------------------------------------------------------------------

    def _check_served_bundle(self) -> None:
        from opa_client.errors import PolicyNotFoundError

        from aiospo_ci.policy.bundle import MARKER_PATH, check_compatible

        try:
            answer = self._client.get_data("/".join(MARKER_PATH))
        except PolicyNotFoundError as exc:
            # The client raises this for an undefined document (200 without a result, its own
            # code) and for an error answer (OPA's code: unauthorized, internal_error, ...).
            if exc.expression != "PolicyNotFoundError":
                raise PolicyError(f"OPA at {self.url} could not be asked for data.{'.'.join(MARKER_PATH)}: {_client_error(exc)}.") from None
            answer = {}
        except Exception as exc:  # noqa: BLE001 - the client raises its own types; each becomes a PolicyError
            raise PolicyError(f"OPA at {self.url} could not be asked for data.{'.'.join(MARKER_PATH)}: {_client_error(exc)}.") from None
        where = f"the OPA server at {self.url}"
        self._served = check_compatible(answer.get("result"), where)

    def rule_metadata(self) -> dict[str, dict[str, Any]] | None:
        if self.mode != "query":
            return None
        rules = self._served.get("rules")
        return dict(rules) if isinstance(rules, dict) else {}

    def bundles(self) -> dict[str, str]:
        return dict(self._decided_by)

    # -- both ---------------------------------------------------------------------------------------

    def _query(self, package: str, rule: str, input_document: Any, params: dict[str, str]) -> Any:
        """OPA's answer to POST /v1/data/<package>/<rule> (under this run's namespace when uploading)."""
        try:
            return self._client.query_rule(input_document, ".".join((*self._prefix, package)), rule, query_params={**STRICT, **params})
        except Exception as exc:  # noqa: BLE001 - the client raises its own types; each becomes a PolicyError
            raise PolicyError(f"OPA at {self.url} failed to evaluate data.{package}.{rule}: {self._unprefix(_client_error(exc))}.") from None

    def query_reference(self, reference: str, input_document: Any = None) -> Any:
        """The value of `data.<package>.<rule>` for this input (a test rule of `policy test`),
        UNDEFINED when OPA answers none."""
        package, _, rule = reference.removeprefix("data.").rpartition(".")
        if not package or not rule:
            raise PolicyError(f"{reference!r} is not a rule reference data.<package>.<rule>; this is a bug in aiospo-ci.")
        answer = self._query(package, rule, {} if input_document is None else input_document, {})
        return answer["result"] if isinstance(answer, dict) and "result" in answer else UNDEFINED

    def evaluate(self, input_document: dict[str, Any]) -> list[dict[str, Any]]:
        shown = f"data.{DECISION_PACKAGE}.{DECISION_RULE}"
        answer = self._query(DECISION_PACKAGE, DECISION_RULE, input_document, {"provenance": "true"} if self.mode == "query" else {})
        if not isinstance(answer, dict) or "result" not in answer:
            # OPA answers 200 {} for an undefined decision: that is no verdict, not "no findings".
            raise PolicyError(f"OPA at {self.url} returned no result for {shown} (undefined); check that the aiospo policy library is loaded there.")
        if self.mode == "query":
            self._decided_by = _revisions(answer.get("provenance"), self._served, self.url)
        return answer["result"]

    def close(self) -> None:
        try:
            self._remove_uploads()
        finally:
            self._client.close_connection()


def _revisions(provenance: Any, served: dict[str, Any], server: str) -> dict[str, str]:
    """Bundle name -> revision from OPA's provenance; the served bundle's own revision, named by
    the server, when OPA does not say (provenance off, or no bundle plugin)."""
    bundles = provenance.get("bundles") if isinstance(provenance, dict) else None
    if isinstance(bundles, dict) and bundles:
        return {str(name): str(info.get("revision", "")) for name, info in sorted(bundles.items()) if isinstance(info, dict)}
    return {server: str(served.get("revision", ""))}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def opa_binary() -> str | None:
    """The `opa` executable on PATH (or AIOSPO_OPA_BIN), if any."""
    explicit = os.environ.get("AIOSPO_OPA_BIN")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("opa")


class LocalOpaEngine(OpaServerEngine):
    """Starts `opa run --server` on a free loopback port, uses it, and stops it."""

    def __init__(self, binary: str, *, timeout: float = DEFAULT_TIMEOUT, ready_timeout: float = 20.0) -> None:
        port = _free_port()
        self._process = subprocess.Popen(
            [binary, "run", "--server", "--disable-telemetry", "--addr", f"127.0.0.1:{port}", "--log-level", "error"],
            env={},  # opa.runtime().env is the server's environment: policies get none of the job's
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        super().__init__(f"http://127.0.0.1:{port}", timeout=timeout)
        deadline = time.monotonic() + ready_timeout
        while not self._client.check_health():
            if self._process.poll() is not None:
                err = ((self._process.stderr.read() if self._process.stderr else b"") or b"").decode("utf-8", "replace").strip()
                raise PolicyError(f"the opa binary {binary} exited at start ({err[:200] or 'no message'}); check the binary.")
            if time.monotonic() > deadline:
                self.close()
                raise PolicyError(f"the opa server started from {binary} was not ready within {ready_timeout:.0f}s.")
            time.sleep(0.05)

    def close(self) -> None:
        # The server is this run's alone and stops now: nothing on it needs deleting.
        self._uploaded, self._wrote_data = [], False
        try:
            super().close()
        finally:
            self._stop()

    def _stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stderr:
            self._process.stderr.close()
