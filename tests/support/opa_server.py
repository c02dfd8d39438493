"""A local server that speaks OPA's REST Data API, for testing the OPA engine path over real HTTP
where no `opa` binary exists.

It implements what aiospo-ci and opa-python-client use: `GET /health`, `GET /v1/policies`,
`PUT /v1/policies/{id}` (text/plain Rego; 400 with OPA's error shape when it does not compile),
`PUT /v1/data/{path}` (204), `POST /v1/data/{path}` with `{"input": ...}` -> `{"result": ...}`,
or `{}` when the decision is undefined, as OPA does. Evaluation is done by a real Rego evaluator:
the default embedded engine (regorus) by default, regopy with `backend="regopy"`, or OPA's own Go
evaluator through opa-golib-python-bindings (`backend="opa-golib"`), which compiles the policies
once and keeps the compiled engines for later queries, as an OPA server does. Every request is
recorded.

Faults for tests: `fail_with` (status code for every /v1 request), `delay` (seconds before each
answer), `undefined` (answer `{}` to every query), `token` (require `Authorization: Bearer`).

As a stand-in for the `opa` binary (`fake_opa_binary(folder)` writes an executable that
LocalOpaEngine can start as `opa run --server --addr 127.0.0.1:PORT`), it evaluates with the
`regopy-raw` backend: rego-cpp called directly, so that, like OPA, `opa.runtime().env` shows
the environment the server process was started with.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def _set_path(tree: dict, parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        tree = tree.setdefault(part, {})
    tree[parts[-1]] = value


@dataclass
class OpaState:
    backend: str = "regorus"
    policies: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    fail_with: int | None = None
    delay: float = 0.0
    undefined: bool = False
    token: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # opa-golib: compiled engines kept between queries, per (policies, data), and how many may
    # evaluate at once (OPA evaluates on its cores; a Python thread per request would compile
    # an engine each under load). Set with FakeOpaServer(pool_size=...).
    idle_engines: dict[str, list[Any]] = field(default_factory=dict)
    engine_slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(4))

    def compile_error(self, policies: dict[str, str]) -> str | None:
        try:
            self.evaluate(policies, "x := true", {})
        except Exception as exc:  # noqa: BLE001 - both evaluators raise their own error types
            return str(exc)
        return None

    def _golib_engine(self, policies: dict[str, str]) -> tuple[str, Any]:
        """An OPA Go engine with these policies and the data loaded: an idle one compiled for
        them if there is one (as an OPA server compiles once, not per query), else a new one.
        At most pool_size engines evaluate at once; other queries wait for one (_release)."""
        key = json.dumps([sorted(policies.items()), self.data], sort_keys=True)
        self.engine_slots.acquire()
        with self.lock:
            idle = self.idle_engines.get(key)
            if idle:
                return key, idle.pop()
        from opa_bindings.engine import OpaEngine

        engine = OpaEngine()
        try:
            for name in sorted(policies):
                engine.add_policy(name, policies[name])
            if self.data:
                engine.add_data(self.data, "")
        except Exception:
            engine.close()
            self.engine_slots.release()
            raise
        return key, engine

    def _release(self, key: str, engine: Any) -> None:
        with self.lock:
            stale = [k for k in self.idle_engines if k != key]
            for k in stale:  # the policies or data changed: engines for the old ones are done
                for old in self.idle_engines.pop(k):
                    old.close()
            self.idle_engines.setdefault(key, []).append(engine)
        self.engine_slots.release()

    def evaluate(self, policies: dict[str, str], query: str, input_document: Any) -> Any:
        """The value bound to x, or raise LookupError when undefined."""
        if self.backend == "regopy-raw":
            return _evaluate_raw(policies, self.data, query, input_document)
        if self.backend == "opa-golib":
            key, engine = self._golib_engine(policies)
            try:
                rows = engine.eval_query(query, input_document)
            finally:
                self._release(key, engine)
            if not rows:
                raise LookupError(query)
            return rows[0]["x"]
        from aiospo_ci.policy.embedded import embedded_engine
        from aiospo_ci.policy.interface import UNDEFINED

        engine = embedded_engine(self.backend)
        engine.load(policies, self.data)
        value = engine.query_value(query[len("x := ") :], input_document)
        if value is UNDEFINED:
            raise LookupError(query)
        return value


def _evaluate_raw(policies: dict[str, str], data: dict[str, Any], query: str, input_document: Any) -> Any:
    """rego-cpp without aiospo-ci's embedded engine around it (plain strings in the input)."""
    from regopy import Input, Interpreter

    from aiospo_ci.policy.regopy_engine import _node_to_python

    interpreter = Interpreter()
    for name in sorted(policies):
        interpreter.add_module(name, policies[name])
    if data:
        interpreter.add_data_json(json.dumps(data))
    interpreter.set_input(Input(input_document))
    output = interpreter.query(query)
    if not output.ok() or str(output).strip() == "undefined":
        raise LookupError(query)
    return _node_to_python(output.binding("x")._impl)


class _Handler(BaseHTTPRequestHandler):
    server_version = "fake-opa/1.0"
    state: OpaState

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: dict | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _record(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.state.lock:
            self.state.requests.append(RecordedRequest(self.command, self.path, dict(self.headers), body))
        if self.state.delay:
            time.sleep(self.state.delay)
        return body

    def _guard(self) -> bool:
        if self.path.startswith("/v1") and self.state.fail_with:
            self._send(self.state.fail_with, {"code": "internal_error", "message": "injected failure"})
            return False
        if self.state.token and self.headers.get("Authorization") != f"Bearer {self.state.token}":
            self._send(401, {"code": "unauthorized", "message": "missing or invalid bearer token"})
            return False
        return True

    def do_GET(self) -> None:
        self._record()
        if self.path.split("?")[0] == "/health":
            self._send(200, {})
            return
        if not self._guard():
            return
        if self.path.rstrip("/") == "/v1/policies":
            self._send(200, {"result": [{"id": k, "raw": v} for k, v in sorted(self.state.policies.items())]})
            return
        self._send(404, {"code": "resource_not_found", "message": "not found"})

    def do_PUT(self) -> None:
        body = self._record()
        if not self._guard():
            return
        path = self.path.split("?")[0]
        if path.startswith("/v1/policies/"):
            policy_id = path[len("/v1/policies/") :]
            candidate = dict(self.state.policies)
            candidate[policy_id] = body.decode("utf-8")
            error = self.state.compile_error(candidate)
            if error:
                self._send(400, {"code": "invalid_parameter", "message": "error(s) occurred while compiling module(s)", "errors": [{"code": "rego_parse_error", "message": error.splitlines()[0], "location": {"file": policy_id, "row": 0}}]})
                return
            self.state.policies = candidate
            self._send(200, {})
            return
        if path.startswith("/v1/data/"):
            parts = [p for p in path[len("/v1/data/") :].split("/") if p]
            _set_path(self.state.data, parts, json.loads(body or b"null"))
            self._send(204)
            return
        self._send(404, {"code": "resource_not_found", "message": "not found"})

    def do_POST(self) -> None:
        body = self._record()
        if not self._guard():
            return
        path = self.path.split("?")[0]
        if not path.startswith("/v1/data/"):
            self._send(404, {"code": "resource_not_found", "message": "not found"})
            return
        query = "x := data." + ".".join(p for p in path[len("/v1/data/") :].split("/") if p)
        try:
            input_document = (json.loads(body) if body else {}).get("input")
        except ValueError:
            self._send(400, {"code": "invalid_parameter", "message": "body is not JSON"})
            return
        if self.state.undefined:
            self._send(200, {})
            return
        try:
            value = self.state.evaluate(self.state.policies, query, input_document)
        except LookupError:
            self._send(200, {})  # OPA's answer for an undefined decision
            return
        except Exception as exc:  # noqa: BLE001 - a test server answers 500 rather than dying
            self._send(500, {"code": "internal_error", "message": str(exc).splitlines()[0]})
            return
        self._send(200, {"result": value})


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # like OPA, take many clients at once (socketserver's default is 5)
    daemon_threads = True


class FakeOpaServer:
    """Run the server on a free loopback port in a thread: `with FakeOpaServer() as opa: opa.url`."""

    def __init__(self, backend: str = "regorus", pool_size: int = 4, port: int = 0) -> None:
        self.state = OpaState(backend=backend, engine_slots=threading.Semaphore(pool_size))
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._httpd = _Server(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.state.requests

    def __enter__(self) -> FakeOpaServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        for engines in self.state.idle_engines.values():
            for engine in engines:
                engine.close()
        self.state.idle_engines.clear()


def serve(argv: list[str]) -> None:
    """`opa run --server --addr HOST:PORT [--log-level L]`, served until SIGTERM."""
    port = int(argv[argv.index("--addr") + 1].rsplit(":", 1)[1])
    if os.environ.get("LC_CTYPE") == "C.UTF-8":
        # Python's own start-up sets it when the locale is C (PEP 538); OPA, a Go program,
        # would not have it. Anything else in the environment came from whoever started us.
        del os.environ["LC_CTYPE"]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with FakeOpaServer(backend="regopy-raw", port=port):
        stop.wait()


def fake_opa_binary(folder) -> str:
    """An executable `opa` stand-in in `folder` that runs this server with this interpreter,
    needing nothing from its environment (LocalOpaEngine may start it with an empty one)."""
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    path = Path(folder) / "opa"
    path.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(repo)!r})\n"
        "from tests.support.opa_server import serve\nserve(sys.argv[1:])\n",
        encoding="utf-8",
    )
    os.chmod(path, 0o755)
    return str(path)
