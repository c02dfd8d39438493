"""A local Hugging Face Hub for tests: real HTTP, recorded answers, counted requests, faults.

huggingface_hub is pointed at it (``HfApi(endpoint=server.url)``, ``HF_ENDPOINT=server.url`` or
``HubSettings(endpoint=server.url)``) and talks to it exactly as to huggingface.co; nothing in
huggingface_hub is mocked.

Answers (paths as huggingface_hub 2.x calls them; ``{kind}`` is ``models`` or ``datasets``)::

    GET /api/{kind}/{id}                      the repo's info at its default branch
    GET /api/{kind}/{id}/revision/{rev}       info at a commit, short sha, branch, tag or refs/pr/N
                                              (rev URL-quoted, refs%2Fpr%2F1); unknown rev -> 404
                                              X-Error-Code: RevisionNotFound
    GET /api/{kind}/{id}/refs[?include_prs=1] {branches, tags, converts, pullRequests}
    ?securityStatus=1 adds securityRepoStatus; ?expand=a&expand=b keeps only those properties.

Recorded repos are JSON files under tests/fixtures/hub/ (any depth), one per repo::

    {"kind": "model", "id": "org/name",
     "info": {...what /api/models/org/name answers...},
     "refs": {"branches": [{"name", "ref", "targetCommit"}], "tags": [], "converts": [], "pullRequests": []},
     "revisions": {"<older commit sha>": {...info keys that differed at that commit...}}}
    {"kind": "model", "id": "gpt2", "redirect_to": "openai-community/gpt2"}       renamed repo: 307
    {"kind": "model", "id": "x/y", "error": {"status": 404, "code": "RepoNotFound",
                                            "message": "Repository not found"}}    X-Error-Code/-Message

API (the ``hub_server`` fixture yields a started ``HubServer``, stopped after the test)::

    server.url                          base URL, http://127.0.0.1:PORT
    server.requests                     list[RecordedRequest(method, path, query, headers)], in order;
                                        path is the raw (still quoted) path, headers lower-cased
    server.count(prefix="")             number of requests whose path starts with prefix
    server.clear()                      forget recorded requests
    server.repo(kind, id)               the recorded answer (a dict you may edit in place)
    server.put_repo(record)             add or replace a repo record (drift tests: change license,
                                        sha, gated; or replace it by an "error" record)
    server.update_info(kind, id, **kv)  shorthand: change keys of a repo's info
    server.inject(fault, path="", times=None, **options)
        fault "status":    answer `status` (429, 500, 503...) with optional `headers` and `body`
        fault "timeout":   wait `delay` seconds (default 5) before answering normally
        fault "malformed": 200 with a body that is not JSON (or `body` bytes/str you give)
        fault "json":      200 with `body` serialised as JSON (e.g. a list, or info without "id")
        fault "redirect":  307 to `location` (e.g. another server: another host)
        applies to requests whose path contains `path`, `times` times (None: always).
    server.latency                      seconds added to every answer (benchmarks)
    server.max_in_flight                the most requests answered at the same time
    server.hub_settings(**overrides)    HubSettings for this server with test-friendly limits
                                        (short timeout and backoff, no cache unless cache_dir given)
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hub"
_KINDS = {"models": "model", "datasets": "dataset"}
_PATH_KIND = {v: k for k, v in _KINDS.items()}


class RecordedRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class _Fault:
    kind: str
    path: str
    times: int | None
    options: dict[str, Any] = field(default_factory=dict)


def load_records(directory: Path = FIXTURES) -> dict[tuple[str, str], dict[str, Any]]:
    records = {}
    for file in sorted(directory.rglob("*.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        records[(record["kind"], record["id"])] = record
    return records


class HubServer:
    def __init__(self, fixtures: Path = FIXTURES) -> None:
        self._records = load_records(fixtures)
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._stopping = threading.Event()
        self.requests: list[RecordedRequest] = []
        self.latency = 0.0
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests being answered at once (proves a bounded pool)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="hub-server", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a timeout fault
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- test API ----------------------------------------------------------------------

    def count(self, prefix: str = "") -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path.startswith(prefix))

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def repo(self, kind: str, repo_id: str) -> dict[str, Any]:
        return self._records[(kind, repo_id)]

    def put_repo(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._records[(record["kind"], record["id"])] = record

    def update_info(self, kind: str, repo_id: str, **changes: Any) -> None:
        with self._lock:
            self._records[(kind, repo_id)]["info"].update(changes)

    def inject(self, fault: str, path: str = "", times: int | None = None, **options: Any) -> None:
        if fault not in ("status", "timeout", "malformed", "json", "redirect"):
            raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.append(_Fault(fault, path, times, options))

    def hub_settings(self, **overrides: Any) -> Any:
        from aiospo_ci.hub.settings import HubSettings

        values: dict[str, Any] = dict(
            endpoint=self.url, token=None, offline=False, cache_dir=None, timeout=2.0,
            workers=4, retries=2, backoff=0.01, max_retry_wait=2.0, deadline=30.0, lockfile=None,
        )
        values.update(overrides)
        return HubSettings(**values)

    # -- answering ---------------------------------------------------------------------

    def _record(self, handler: BaseHTTPRequestHandler) -> RecordedRequest:
        split = urlsplit(handler.path)
        request = RecordedRequest(
            handler.command,
            split.path,
            parse_qs(split.query, keep_blank_values=True),
            {k.lower(): v for k, v in handler.headers.items()},
        )
        with self._lock:
            self.requests.append(request)
        return request

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path in path and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._answer(handler)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        request = self._record(handler)
        if self.latency:
            self._stopping.wait(self.latency)
        fault = self._take_fault(request.path)
        if fault is not None:
            if fault.kind == "status":
                body = fault.options.get("body", {"error": f"HTTP {fault.options['status']}"})
                return fault.options["status"], dict(fault.options.get("headers", {})), _body(body)
            if fault.kind == "timeout":
                self._stopping.wait(fault.options.get("delay", 5.0))
            elif fault.kind == "malformed":
                return 200, {}, _body(fault.options.get("body", b'{"id": "truncated", "sha": '))
            elif fault.kind == "json":
                return 200, {}, json.dumps(fault.options["body"]).encode()
            elif fault.kind == "redirect":
                return 307, {"Location": fault.options["location"]}, b""
        return self._route(request)

    def _route(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        parts = request.path.split("/")
        if len(parts) < 4 or parts[1] != "api" or parts[2] not in _KINDS:
            return _error(404, None, "Not Found")
        kind, rest = _KINDS[parts[2]], parts[3:]
        if len(rest) >= 2 and rest[-1] == "refs":
            repo_id, tail, action = "/".join(rest[:-1]), "/refs", "refs"
        elif "revision" in rest[1:3]:
            at = rest.index("revision", 1)
            repo_id, tail, action = "/".join(rest[:at]), "/" + "/".join(rest[at:]), "revision"
        else:
            repo_id, tail, action = "/".join(rest), "", "info"
        repo_id = unquote(repo_id)
        with self._lock:
            record = copy.deepcopy(self._records.get((kind, repo_id)))
        if record is None:
            return _error(404, "RepoNotFound", "Repository not found")
        if "redirect_to" in record:
            location = f"/api/{parts[2]}/{record['redirect_to']}{tail}"
            query = "&".join(f"{k}={quote(v)}" for k, vs in sorted(request.query.items()) for v in vs)
            return 307, {"Location": location + (f"?{query}" if query else "")}, b""
        if "error" in record:
            err = record["error"]
            return _error(err["status"], err.get("code"), err.get("message", ""))
        if action == "refs":
            refs = copy.deepcopy(record.get("refs") or _default_refs(record))
            if "include_prs" not in request.query:
                refs.pop("pullRequests", None)
            return 200, {}, json.dumps(refs).encode()
        info = record["info"]
        if action == "revision":
            revision = unquote(tail.split("/", 2)[2])
            sha = _resolve(record, revision)
            if sha is None:
                return _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            info.update(copy.deepcopy(record.get("revisions", {}).get(sha, {})))
            info["sha"] = sha
        security = info.pop("securityRepoStatus", None)
        if security is not None and request.query.get("securityStatus", [""])[0].lower() in ("1", "true"):
            info["securityRepoStatus"] = security
        expand = request.query.get("expand") or request.query.get("expand[]")
        if expand:
            info = {k: v for k, v in info.items() if k in set(expand) | {"_id", "id"}}
        return 200, {}, json.dumps(info).encode()


def _default_refs(record: dict[str, Any]) -> dict[str, Any]:
    sha = record["info"].get("sha")
    return {"branches": [{"name": "main", "ref": "refs/heads/main", "targetCommit": sha}],
            "tags": [], "converts": [], "pullRequests": []}


def _resolve(record: dict[str, Any], revision: str) -> str | None:
    """The commit a revision names in a recorded repo, or None."""
    refs = record.get("refs") or _default_refs(record)
    for group in ("branches", "tags", "converts", "pullRequests"):
        for ref in refs.get(group) or ():
            if revision in (ref["name"], ref["ref"]):
                return ref["targetCommit"]
    commits = [record["info"].get("sha"), *record.get("revisions", {})]
    commits += [ref["targetCommit"] for group in refs.values() for ref in group or ()]
    for commit in commits:
        if commit and (revision == commit or (len(revision) >= 7 and commit.startswith(revision))):
            return commit
    return None


def _body(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def _error(status: int, code: str | None, message: str) -> tuple[int, dict[str, str], bytes]:
    headers = {"X-Error-Message": message}
    if code:
        headers["X-Error-Code"] = code
    return status, headers, json.dumps({"error": message}).encode()


def _handler_for(server: HubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive answer.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            try:
                status, headers, body = server.answer(self)
            except Exception as exc:  # noqa: BLE001 - a bug in the test server must show, not hang the client
                status, headers, body = 599, {}, f"test server error: {exc!r}".encode()
            try:
                self.send_response(status)
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def hub_server() -> Iterator[HubServer]:
    """A started local Hub with the recorded fixtures; see the module docstring."""
    server = HubServer().start()
    try:
        yield server
    finally:
        server.stop()
