"""A local server that speaks OPA's REST Data API, for testing the OPA engine path over real HTTP
where no `opa` binary exists.

It implements what aiospo-ci and opa-python-client use: `GET /health`, `GET /v1/policies`,
`PUT /v1/policies/{id}` (text/plain Rego; 400 with OPA's error shape when it does not compile),
`DELETE /v1/policies/{id}` (404 for an id it does not hold),
`PUT /v1/data/{path}` (204), `POST /v1/data/{path}` with `{"input": ...}` -> `{"result": ...}`,
or `{}` when the decision is undefined, as OPA does. Evaluation is done by a real Rego evaluator:
the default embedded engine (regorus) by default, regopy with `backend="regopy"`, or OPA's own Go
evaluator through opa-golib-python-bindings (`backend="opa-golib"`), which compiles the policies
once and keeps the compiled engines for later queries, as an OPA server does. Every request is
recorded.

Faults for tests: `fail_with` (status code for every /v1 request), `delay` (seconds before each
answer), `undefined` (answer `{}` to every query), `token` (require `Authorization: Bearer`).

As OPA does, it also: deletes policies (`DELETE /v1/policies/{id}`, refused while another module
still needs the one deleted) and data (`DELETE /v1/data/{path}`); reads data (`GET /v1/data/{path}`);
answers `?provenance` with the revisions of its bundles; with the `opa-golib` backend, refuses a
module with OPA's own error list (code, message, file, row), and honours `?strict-builtin-errors`
on the Data API as OPA does: with it, a builtin error (`eval_type_error`, `eval_builtin_error`)
is HTTP 500 with OPA's evaluation error list; without it, the failing expression is undefined.
(OPA's Go evaluator here is strict only, so such a query is answered by the regopy engine:
rego-cpp leaves a failing builtin undefined as OPA does without the parameter.) Bundles: `activate_bundle(name, raw)`
loads a bundle as `opa run --bundle` would (through tests/support/opa_bundle.py), after which REST
writes under the bundle's roots are refused as OPA refuses them; `serve_bundle(name, raw)` makes
the server a bundle service too (`GET /bundles/{name}`, gzip, `bundle_token` if set).

As a stand-in for the `opa` binary (`fake_opa_binary(folder)` writes an executable that
LocalOpaEngine can start as `opa run --server --addr 127.0.0.1:PORT`), it evaluates with the
`regopy-raw` backend: rego-cpp called directly, so that, like OPA, `opa.runtime().env` shows
the environment the server process was started with.
"""

from __future__ import annotations

import json
import os
import re
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
    # Policy and data writes are serialised, as OPA's transactions serialise them.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    bundles: dict[str, Any] = field(default_factory=dict)  # name -> tests.support.opa_bundle.OpaBundle
    served: dict[str, bytes] = field(default_factory=dict)  # the bundle service: name -> tarball
    bundle_token: str | None = None

    def all_policies(self) -> dict[str, str]:
        """What OPA compiles: the bundles' modules (id: bundle name/path) and the uploaded ones."""
        held = {f"{name}/{path}": source for name, bundle in self.bundles.items() for path, source in bundle.modules.items()}
        held.update(self.policies)
        return held

    def all_data(self) -> dict[str, Any]:
        merged: dict[str, Any] = json.loads(json.dumps(self.data))
        for bundle in self.bundles.values():
            _merge(merged, bundle.data)
        return merged

    def owner(self, path: str) -> str | None:
        """The bundle one of whose roots holds this slash path, or lies under it, if any."""
        for name, bundle in self.bundles.items():
            for root in (r.strip("/") for r in bundle.roots):
                if not root or not path or root == path or path.startswith(root + "/") or root.startswith(path + "/"):
                    return name
        return None

    def compile_error(self, policies: dict[str, str]) -> str | None:
        try:
            self.evaluate(policies, "x := true", {})
        except Exception as exc:  # noqa: BLE001 - both evaluators raise their own error types
            return str(exc)
        return None

    def _golib_engine(self, policies: dict[str, str], data: dict[str, Any]) -> tuple[str, Any]:
        """An OPA Go engine with these policies and the data loaded: an idle one compiled for
        them if there is one (as an OPA server compiles once, not per query), else a new one.
        At most pool_size engines evaluate at once; other queries wait for one (_release)."""
        key = json.dumps([sorted(policies.items()), data], sort_keys=True)
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
            if data:
                engine.add_data(data, "")
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

    def evaluate(self, policies: dict[str, str], query: str, input_document: Any, *, strict: bool = True) -> Any:
        """The value bound to x, or raise LookupError when undefined. `strict`: OPA's
        strict-builtin-errors, honoured by the opa-golib backend (BuiltinErrors when set)."""
        data = self.all_data()
        if self.backend == "regopy-raw":
            return _evaluate_raw(policies, data, query, input_document)
        if self.backend == "opa-golib":
            from opa_bindings.engine import OpaError

            key, engine = self._golib_engine(policies, data)
            try:
                rows = engine.eval_query(query, input_document)
            except OpaError as exc:
                errors = _builtin_errors(exc.message)
                if not errors:
                    raise
                if strict:
                    raise BuiltinErrors(errors) from None
                return _evaluate_embedded("regopy", policies, data, query, input_document)  # the failing builtin is undefined
            finally:
                self._release(key, engine)
            if not rows:
                raise LookupError(query)
            return rows[0]["x"]
        return _evaluate_embedded(self.backend, policies, data, query, input_document)


def _evaluate_embedded(backend: str, policies: dict[str, str], data: dict[str, Any], query: str, input_document: Any) -> Any:
    from aiospo_ci.policy.embedded import embedded_engine
    from aiospo_ci.policy.interface import UNDEFINED

    engine = embedded_engine(backend)
    engine.load(policies, data)
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


def _merge(into: dict[str, Any], value: dict[str, Any]) -> None:
    for key, item in value.items():
        if isinstance(into.get(key), dict) and isinstance(item, dict):
            _merge(into[key], item)
        else:
            into[key] = item


# One error in OPA's text form: `file:row: code: message` (the evaluator's compile errors).
_OPA_ERROR = re.compile(r"(\S+?\.rego):(\d+): (rego_[a-z_]+): ([^\n]*)")
# A builtin's error at evaluation: what strict-builtin-errors makes fatal and OPA otherwise drops.
_BUILTIN_ERROR = re.compile(r"(\S+?):(\d+): (eval_builtin_error|eval_type_error): ([^\n]*)")


class BuiltinErrors(Exception):
    """Builtin errors of a query with strict-builtin-errors: OPA's `errors` entries."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"])
        self.errors = errors


def _builtin_errors(message: str) -> list[dict[str, Any]]:
    return [
        {"code": m.group(3), "message": m.group(4), "location": {"file": m.group(1), "row": int(m.group(2)), "col": 1}}
        for m in _BUILTIN_ERROR.finditer(message)
    ]


def _flag(path: str, name: str) -> bool:
    """OPA's boolean query parameters: present and empty or `true` (getBoolParam)."""
    from urllib.parse import parse_qs

    values = parse_qs(path.partition("?")[2], keep_blank_values=True).get(name)
    return bool(values) and values[-1].lower() in ("", "true")


def _error_list(message: str, policy_id: str) -> list[dict[str, Any]]:
    """OPA's `errors` array for a refused module, from the evaluator's message; one entry
    naming the module when the message has no OPA-form errors (the embedded backends)."""
    errors = [
        {"code": m.group(3), "message": m.group(4), "location": {"file": m.group(1), "row": int(m.group(2)), "col": 1}}
        for m in _OPA_ERROR.finditer(message)
    ]
    return errors or [{"code": "rego_parse_error", "message": message.splitlines()[0], "location": {"file": policy_id, "row": 0}}]


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
        path = self.path.split("?")[0]
        if path == "/health":
            self._send(200, {})
            return
        if path.startswith("/bundles/"):
            self._serve_bundle(path[len("/bundles/") :])
            return
        if not self._guard():
            return
        if path.rstrip("/") == "/v1/policies":
            self._send(200, {"result": [{"id": k, "raw": v} for k, v in sorted(self.state.all_policies().items())]})
            return
        if path.startswith("/v1/data/"):
            query = "x := data." + ".".join(p for p in path[len("/v1/data/") :].split("/") if p)
            try:
                value = self.state.evaluate(self.state.all_policies(), query, None, strict=_flag(self.path, "strict-builtin-errors"))
            except LookupError:
                self._send(200, {})
                return
            except BuiltinErrors as exc:
                self._send(500, {"code": "internal_error", "message": "error(s) occurred while evaluating query", "errors": exc.errors})
                return
            self._send(200, {"result": value})
            return
        self._send(404, {"code": "resource_not_found", "message": "not found"})

    def _serve_bundle(self, name: str) -> None:
        """A bundle service as OPA's bundle plugin expects one: 200 with the gzipped tarball."""
        if self.state.bundle_token and self.headers.get("Authorization") != f"Bearer {self.state.bundle_token}":
            self._send(401, {"code": "unauthorized", "message": "missing or invalid bearer token"})
            return
        raw = self.state.served.get(name)
        if raw is None:
            self._send(404, {"code": "resource_not_found", "message": "no such bundle"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_DELETE(self) -> None:
        self._record()
        if not self._guard():
            return
        path = self.path.split("?")[0]
        with self.state.write_lock:
            if path.startswith("/v1/policies/"):
                policy_id = path[len("/v1/policies/") :]
                if policy_id not in self.state.policies:
                    self._send(404, {"code": "resource_not_found", "message": f"storage_not_found_error: policy id {policy_id!r}"})
                    return
                if self._refused(self._without(policy_id), policy_id):
                    return
                self.state.policies = {k: v for k, v in self.state.policies.items() if k != policy_id}
                self._send(200, {})
                return
            if path.startswith("/v1/data/"):
                parts = [p for p in path[len("/v1/data/") :].split("/") if p]
                node = self.state.data
                for part in parts[:-1]:
                    node = node.get(part) if isinstance(node, dict) else None
                if not parts or not isinstance(node, dict) or parts[-1] not in node:
                    self._send(404, {"code": "resource_not_found", "message": f"storage_not_found_error: /{'/'.join(parts)}"})
                    return
                del node[parts[-1]]
                self._send(204)
                return
        self._send(404, {"code": "resource_not_found", "message": "not found"})

    def _refused(self, policies: dict[str, str], policy_id: str) -> bool:
        """OPA compiles every module it would hold after a change: answer its errors, say True."""
        error = self.state.compile_error(policies)
        if error:
            self._send(400, {"code": "invalid_parameter", "message": "error(s) occurred while compiling module(s)", "errors": _error_list(error, policy_id)})
        return bool(error)

    def _without(self, policy_id: str) -> dict[str, str]:
        held = self.state.all_policies()
        held.pop(policy_id, None)
        return held

    def _owned(self, path: str) -> bool:
        """OPA refuses REST writes under a bundle's roots: answer so, and say True."""
        owner = self.state.owner(path)
        if owner is None:
            return False
        self._send(400, {"code": "invalid_parameter", "message": f"path /{path} is owned by bundle {owner!r}"})
        return True

    def do_PUT(self) -> None:
        body = self._record()
        if not self._guard():
            return
        path = self.path.split("?")[0]
        with self.state.write_lock:
            if path.startswith("/v1/policies/"):
                policy_id = path[len("/v1/policies/") :]
                source = body.decode("utf-8")
                package = re.search(r"^package[ \t]+([A-Za-z_][A-Za-z0-9_.]*)", source, re.MULTILINE)
                if package and self._owned(package.group(1).replace(".", "/")):
                    return
                if self._refused({**self.state.all_policies(), policy_id: source}, policy_id):
                    return
                self.state.policies = {**self.state.policies, policy_id: source}
                self._send(200, {})
                return
            if path.startswith("/v1/data/"):
                parts = [p for p in path[len("/v1/data/") :].split("/") if p]
                if self._owned("/".join(parts)):
                    return
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
            value = self.state.evaluate(self.state.all_policies(), query, input_document, strict=_flag(self.path, "strict-builtin-errors"))
        except LookupError:
            self._send(200, {})  # OPA's answer for an undefined decision
            return
        except BuiltinErrors as exc:  # OPA's answer to an evaluation error (writer.ErrorAuto)
            self._send(500, {"code": "internal_error", "message": "error(s) occurred while evaluating query", "errors": exc.errors})
            return
        except Exception as exc:  # noqa: BLE001 - a test server answers 500 rather than dying
            self._send(500, {"code": "internal_error", "message": str(exc).splitlines()[0]})
            return
        answer: dict[str, Any] = {"result": value}
        if "provenance" in self.path.partition("?")[2] and self.state.bundles:
            bundles = {name: {"revision": b.revision} for name, b in sorted(self.state.bundles.items())}
            answer["provenance"] = {"version": "fake", "build_commit": "", "build_timestamp": "", "build_hostname": "", "bundles": bundles}
        self._send(200, answer)


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

    def activate_bundle(self, name: str, raw: bytes) -> None:
        """Load a bundle as `opa run --server --bundle` or the bundle plugin would."""
        from tests.support.opa_bundle import unpack

        self.state.bundles[name] = unpack(raw)

    def serve_bundle(self, name: str, raw: bytes, token: str | None = None) -> str:
        """Serve a bundle at /bundles/{name}; its URL."""
        self.state.served[name] = raw
        self.state.bundle_token = token
        return f"{self.url}/bundles/{name}"

    def writes(self) -> list[RecordedRequest]:
        """Every request that changed the server's policies or data."""
        return [r for r in self.requests if r.method in ("PUT", "PATCH", "DELETE") or (r.method == "POST" and r.path.startswith("/v1/policies"))]

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
