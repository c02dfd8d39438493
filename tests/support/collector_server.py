"""A local decision-log collector that speaks OPA's decision-log service API: `POST /logs` (or
any path) with `Content-Encoding: gzip` and a JSON array of events; 2xx accepts them. Every
request is recorded with its headers, raw body and decoded events.

Faults for tests: `fail_first` (answer `fail_status` to the first N posts), `fail_status`
(500 by default; 429 sends `Retry-After: 0`), `token` (require `Authorization: Bearer`),
`redirect_to` (answer 307 with this Location instead).
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: bytes  # as received (gzip)
    events: list[dict[str, Any]] | None  # decoded, or None when the body was not gzip JSON
    accepted: bool = False


@dataclass
class CollectorState:
    posts: list[Post] = field(default_factory=list)
    fail_first: int = 0
    fail_status: int = 500
    token: str | None = None
    redirect_to: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Events of the posts that were accepted, in order."""
        return [e for p in self.posts if p.accepted for e in p.events or ()]


class _Handler(BaseHTTPRequestHandler):
    server_version = "fake-collector/1.0"
    state: CollectorState

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            events = json.loads(gzip.decompress(body)) if self.headers.get("Content-Encoding") == "gzip" else None
        except (OSError, ValueError):
            events = None
        headers = dict(self.headers)
        with self.state.lock:
            post = Post(self.path, headers, body, events)
            self.state.posts.append(post)
            failing = len(self.state.posts) <= self.state.fail_first
        if self.state.redirect_to:
            self._answer(307, {"Location": self.state.redirect_to})
        elif self.state.token and headers.get("Authorization") != f"Bearer {self.state.token}":
            self._answer(401)
        elif failing:
            self._answer(self.state.fail_status, {"Retry-After": "0"} if self.state.fail_status == 429 else None)
        elif not isinstance(events, list):
            self._answer(400)
        else:
            post.accepted = True
            self._answer(204)


class CollectorServer:
    """`with CollectorServer() as collector: collector.url` (ends in /logs, OPA's default)."""

    def __init__(self) -> None:
        self.state = CollectorState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/logs"

    def __enter__(self) -> CollectorServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
