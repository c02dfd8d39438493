"""The OPA engine: a real OPA server over its REST API, through opa-python-client.

Either an organisation's server at --opa-url, or one aiospo-ci starts itself on a free loopback
port when an `opa` binary is on PATH. Policies and data are uploaded over the REST API in both
cases, so exactly the same modules are judged as under the embedded engine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import Any
from urllib.parse import urlsplit

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.interface import DECISION_PACKAGE, DECISION_RULE, PolicyEngine

#: Policies uploaded by aiospo-ci live under this id prefix on the server.
POLICY_ID_PREFIX = "aiospo-ci"
DEFAULT_TIMEOUT = 30.0


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

    def __init__(self, url: str, *, token: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        from opa_client import OpaClient

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PolicyError(f"--opa-url {url!r} is not an http(s) URL with a host; use e.g. http://127.0.0.1:8181.")
        if parts.path not in ("", "/"):
            raise PolicyError(f"--opa-url {url!r} has a path; give only scheme, host and port (OPA serves /v1 at the root).")
        ssl = parts.scheme == "https"
        port = parts.port or (443 if ssl else 80)
        self.url = f"{parts.scheme}://{parts.hostname}:{port}"
        # retries=0: a failure is reported at once; the run exits 2 rather than guessing.
        self._client = OpaClient(host=parts.hostname, port=port, ssl=ssl, token=token, timeout=timeout, retries=0)

    def _ensure_reachable(self) -> None:
        if not self._client.check_health():
            raise PolicyError(f"the OPA server at {self.url} is not reachable or not healthy (GET /health failed); start it or fix --opa-url.")

    def load(self, modules: dict[str, str], data: dict[str, Any]) -> None:
        import requests

        self._ensure_reachable()
        for name in sorted(modules):
            policy_id = f"{POLICY_ID_PREFIX}/{name}"
            try:
                # rego_compat=False: a policy OPA rejects must fail loudly, not be regex-rewritten.
                self._client.update_policy_from_string(modules[name], policy_id, rego_compat=False)
            except (requests.RequestException, Exception) as exc:  # noqa: BLE001 - the client raises its own types
                raise PolicyError(f"OPA at {self.url} rejected policy {name}: {_client_error(exc)}; fix that module.") from None
        for key in sorted(data):
            value = data[key]
            if not isinstance(value, dict):
                raise PolicyError(f"policy data key {key!r} must be an object to upload to OPA.")
            try:
                self._client.update_or_create_data(value, key)
            except Exception as exc:  # noqa: BLE001 - the client raises its own types; each becomes a PolicyError
                raise PolicyError(f"OPA at {self.url} rejected data {key}: {_client_error(exc)}.") from None

    def evaluate(self, input_document: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            answer = self._client.query_rule(input_document, DECISION_PACKAGE.replace(".", "/"), DECISION_RULE)
        except Exception as exc:  # noqa: BLE001 - the client raises its own types; each becomes a PolicyError
            raise PolicyError(f"OPA at {self.url} failed to evaluate data.{DECISION_PACKAGE}.{DECISION_RULE}: {_client_error(exc)}.") from None
        if not isinstance(answer, dict) or "result" not in answer:
            # OPA answers 200 {} for an undefined decision: that is no verdict, not "no findings".
            raise PolicyError(f"OPA at {self.url} returned no result for data.{DECISION_PACKAGE}.{DECISION_RULE} (undefined); check that the aiospo policy library is loaded there.")
        return answer["result"]

    def close(self) -> None:
        self._client.close_connection()


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
        super().close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stderr:
            self._process.stderr.close()
