"""A local GitHub REST server for the Action's tests: it answers the paths PyGithub calls for
check runs, issue comments and pull-request files, keeps their state between runs (so a second
run can find the first run's comment), and records every request.

It speaks the real protocol (JSON bodies, status codes, `url` fields PyGithub follows, Link
pagination), so the Action is tested against PyGithub itself, never a mock of it. As GitHub
does, a check run's PATCH appends its annotations (a repeated PATCH duplicates them), and a
comment belongs to the account of the token that wrote it: an installation token (GitHub's
GITHUB_TOKEN) writes as `github-actions[bot]` and may not ask `GET /user`; a personal token
writes as its user (`server.tokens[token] = user`).

Failures are configured per route: `server.fail("POST", "check-runs", 403, "Resource not
accessible by integration")`; slow answers with `server.slow("PATCH", "check-runs", 2.0)`
(the request takes effect, then the answer comes late: past the client's timeout it is lost) or
`applied="late"` (the effect itself comes after the delay).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
PERSON = {"login": "octocat", "id": 583231, "type": "User"}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw: bytes

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class GitHubState:
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> comment
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    annotations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # check run -> all appended
    pull_files: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    reviews: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> review (pull-request reviews)
    review_comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> review comment
    pull_changed_files: dict[int, int] = field(default_factory=dict)  # when the list is cut short
    next_id: int = 1000


class GitHubServer:
    def __init__(self, owner: str = "acme", repo: str = "app") -> None:
        self.owner, self.repo = owner, repo
        self.state = GitHubState()
        self.requests: list[Request] = []
        self.failures: list[list] = []  # [method, pattern, status, message, times left or None]
        self.slows: list[list] = []  # [method, pattern, seconds, applied, times left or None]
        self.tokens: dict[str, dict[str, Any]] = {}  # personal tokens -> their user
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- control -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> GitHubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def fail(self, method: str, path_pattern: str, status: int, message: str, times: int | None = None) -> None:
        """Answer `status` with GitHub's error body to METHOD requests whose path matches
        (the next `times` of them, or all)."""
        self.failures.append([method, re.compile(path_pattern), status, message, times])

    def slow(self, method: str, path_pattern: str, seconds: float, applied: str = "early", times: int | None = 1) -> None:
        """Delay the answer to METHOD requests whose path matches by `seconds`: with
        applied="early" the request takes effect at once and only its answer is late (a client
        that gave up never learns it worked); with "late" the effect comes after the delay."""
        self.slows.append([method, re.compile(path_pattern), seconds, applied, times])

    def add_comment(self, issue: int, body: str, user: dict[str, Any] = PERSON) -> int:
        return self._new_comment(issue, body, user)["id"]

    def set_pull_files(self, number: int, files: list[dict[str, Any]]) -> None:
        self.state.pull_files[number] = files

    def make_outdated(self, comment_id: int) -> None:
        self.state.review_comments[comment_id]["line"] = None

    def calls(self, method: str, pattern: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    # -- the API -------------------------------------------------------------------------
    def _repo_url(self) -> str:
        return f"{self.url}/repos/{self.owner}/{self.repo}"

    def _repo(self) -> dict[str, Any]:
        return {
            "id": 1296269,
            "name": self.repo,
            "full_name": f"{self.owner}/{self.repo}",
            "owner": {"login": self.owner, "id": 1, "type": "Organization"},
            "private": False,
            "url": self._repo_url(),
            "html_url": f"https://github.com/{self.owner}/{self.repo}",
            "default_branch": "main",
        }

    def _new_comment(self, issue: int, body: str, user: dict[str, Any]) -> dict[str, Any]:
        self.state.next_id += 1
        cid = self.state.next_id
        comment = {
            "id": cid,
            "node_id": f"IC_{cid}",
            "body": body,
            "user": dict(user),
            "issue_number": issue,
            "url": f"{self._repo_url()}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{issue}#issuecomment-{cid}",
            "issue_url": f"{self._repo_url()}/issues/{issue}",
            "created_at": "2026-11-26T12:00:00Z",
            "updated_at": "2026-11-26T12:00:00Z",
        }
        self.state.comments[cid] = comment
        return comment

    def _author(self, req: Request) -> dict[str, Any] | None:
        """The account a request's token writes as (None: an installation token, a bot)."""
        token = req.headers.get("authorization", "").split(" ", 1)[-1]
        return self.tokens.get(token)

    def _check_run(self, rid: int) -> dict[str, Any]:
        run = dict(self.state.check_runs[rid])
        run["output"] = {**run.get("output", {}), "annotations_count": len(self.state.annotations.get(rid, []))}
        return run

    def _page(self, items: list[Any], query: dict[str, list[str]], path: str) -> tuple[list[Any], dict[str, str]]:
        per_page = int((query.get("per_page") or ["30"])[0])
        page = int((query.get("page") or ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["Link"] = f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return chunk, headers

    def _delay(self, req: Request) -> tuple[float, str]:
        with self._lock:
            for slow in self.slows:
                method, pattern, seconds, applied, times = slow
                if method == req.method and pattern.search(req.path) and times != 0:
                    if times is not None:
                        slow[4] = times - 1
                    return seconds, applied
        return 0.0, ""

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        for failure in self.failures:
            method, pattern, status, message, times = failure
            if method == req.method and pattern.search(req.path) and times != 0:
                if times is not None:
                    failure[4] = times - 1
                return status, {"message": message, "documentation_url": "https://docs.github.com/rest"}, {}
        if not req.headers.get("authorization", "").startswith("token ") and not req.headers.get("authorization", "").startswith("Bearer "):
            return 401, {"message": "Requires authentication"}, {}
        base = f"/repos/{self.owner}/{self.repo}"
        path = req.path
        if path == "/user" and req.method == "GET":
            user = self._author(req)
            if user is None:
                return 403, {"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user"}, {}
            return 200, {**user, "url": f"{self.url}/users/{user['login']}"}, {}
        if not path.startswith(base):
            return 404, {"message": "Not Found"}, {}
        rest = path[len(base) :]
        if rest in ("", "/") and req.method == "GET":
            return 200, self._repo(), {}
        if rest == "/check-runs" and req.method == "POST":
            body = req.body or {}
            for key in ("name", "head_sha"):
                if not body.get(key):
                    return 422, {"message": f"Invalid request: {key} is missing"}, {}
            output = body.get("output") or {}
            error = _validate_output(output)
            if error:
                return 422, {"message": error}, {}
            self.state.next_id += 1
            rid = self.state.next_id
            self.state.check_runs[rid] = {
                "id": rid,
                "name": body["name"],
                "head_sha": body["head_sha"],
                "status": body.get("status", "queued"),
                "conclusion": body.get("conclusion"),
                "external_id": body.get("external_id"),
                "url": f"{self._repo_url()}/check-runs/{rid}",
                "html_url": f"https://github.com/{self.owner}/{self.repo}/runs/{rid}",
                "output": {k: v for k, v in output.items() if k != "annotations"},
            }
            self.state.annotations[rid] = list(output.get("annotations") or [])
            return 201, self._check_run(rid), {}
        m = re.fullmatch(r"/commits/([0-9a-f]{40})/check-runs", rest)
        if m and req.method == "GET":
            name = (req.query.get("check_name") or [None])[0]
            runs = [self._check_run(r) for r, run in sorted(self.state.check_runs.items()) if run["head_sha"] == m.group(1) and name in (None, run["name"])]
            chunk, headers = self._page(runs, req.query, req.path)
            return 200, {"total_count": len(runs), "check_runs": chunk}, headers
        m = re.fullmatch(r"/check-runs/(\d+)", rest)
        if m and req.method == "GET":
            rid = int(m.group(1))
            if rid not in self.state.check_runs:
                return 404, {"message": "Not Found"}, {}
            return 200, self._check_run(rid), {}
        if m and req.method == "PATCH":
            rid = int(m.group(1))
            if rid not in self.state.check_runs:
                return 404, {"message": "Not Found"}, {}
            body = req.body or {}
            output = body.get("output")
            if output is not None:
                error = _validate_output(output)
                if error:
                    return 422, {"message": error}, {}
                self.state.annotations[rid].extend(output.get("annotations") or [])  # PATCH appends
                self.state.check_runs[rid]["output"] = {k: v for k, v in output.items() if k != "annotations"}
            for key in ("status", "conclusion"):
                if key in body:
                    self.state.check_runs[rid][key] = body[key]
            return 200, self._check_run(rid), {}
        m = re.fullmatch(r"/issues/(\d+)/comments", rest)
        if m and req.method == "GET":
            issue = int(m.group(1))
            items = [c for c in sorted(self.state.comments.values(), key=lambda c: c["id"]) if c["issue_number"] == issue]
            chunk, headers = self._page(items, req.query, req.path)
            return 200, chunk, headers
        if m and req.method == "POST":
            body = (req.body or {}).get("body")
            if not isinstance(body, str) or not body:
                return 422, {"message": "Validation Failed: body is missing"}, {}
            if len(body) > 65_536:
                return 422, {"message": "Validation Failed: body is too long (maximum is 65536 characters)"}, {}
            return 201, self._new_comment(int(m.group(1)), body, self._author(req) or BOT), {}
        m = re.fullmatch(r"/issues/comments/(\d+)", rest)
        if m and req.method == "PATCH":
            cid = int(m.group(1))
            if cid not in self.state.comments:
                return 404, {"message": "Not Found"}, {}
            body = (req.body or {}).get("body")
            if not isinstance(body, str) or len(body) > 65_536:
                return 422, {"message": "Validation Failed: body is too long (maximum is 65536 characters)"}, {}
            self.state.comments[cid]["body"] = body
            self.state.comments[cid]["updated_at"] = "2026-11-26T12:30:00Z"
            return 200, self.state.comments[cid], {}
        m = re.fullmatch(r"/pulls/(\d+)", rest)
        if m and req.method == "GET":
            number = int(m.group(1))
            files = self.state.pull_files.get(number, [])
            return 200, {
                "number": number,
                "url": f"{self._repo_url()}/pulls/{number}",
                "state": "open",
                "changed_files": self.state.pull_changed_files.get(number, len(files)),
            }, {}
        m = re.fullmatch(r"/pulls/(\d+)/files", rest)
        if m and req.method == "GET":
            chunk, headers = self._page(self.state.pull_files.get(int(m.group(1)), []), req.query, req.path)
            return 200, chunk, headers
        reviewed = self._pull_reviews(req, rest)
        if reviewed is not None:
            return reviewed
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, {}

    # -- pull-request reviews (review comments with suggestions) -------------------------------
    # POST /pulls/{n}/reviews, GET /pulls/{n}/comments, GET /commits/{sha}, as GitHub documents
    # them: a review comment's `line` (and `start_line`) must be RIGHT-side lines of one hunk of
    # the file's diff (from set_pull_files patches), else 422 "must be part of the diff" for the
    # whole review. A review and its comments belong to the token's account. `make_outdated`
    # does what a push that changes a comment's hunk does: its `line` becomes null.
    def _pull_reviews(self, req: Request, rest: str) -> tuple[int, Any, dict[str, str]] | None:
        m = re.fullmatch(r"/pulls/(\d+)/reviews", rest)
        if m and req.method == "POST":
            return self._create_review(int(m.group(1)), req.body or {}, self._author(req) or BOT)
        m = re.fullmatch(r"/pulls/(\d+)/comments", rest)
        if m and req.method == "GET":
            number = int(m.group(1))
            items = [c for _, c in sorted(self.state.review_comments.items()) if c["pull_number"] == number]
            chunk, headers = self._page(items, req.query, req.path)
            return 200, chunk, headers
        m = re.fullmatch(r"/commits/([0-9a-f]{40})", rest)
        if m and req.method == "GET":
            return 200, {"sha": m.group(1), "url": f"{self._repo_url()}/commits/{m.group(1)}", "commit": {"message": "head"}}, {}
        return None

    def _hunks(self, number: int, path: str) -> list[set[int]] | None:
        """The RIGHT-side lines of each hunk of a file's patch (added and context lines), read
        as GitHub shows a diff: lines end at LF only."""
        files = {f["filename"]: f for f in self.state.pull_files.get(number, [])}
        if path not in files or not files[path].get("patch"):
            return None
        hunks: list[set[int]] = []
        line = 0
        for text in files[path]["patch"].split("\n"):
            header = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", text)
            if header:
                line = int(header.group(1))
                hunks.append(set())
            elif hunks and text and not text.startswith(("-", "\\")):
                hunks[-1].add(line)
                line += 1
        return hunks

    def _create_review(self, number: int, body: dict[str, Any], user: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        event = body.get("event")
        if event not in (None, "APPROVE", "REQUEST_CHANGES", "COMMENT"):
            return 422, {"message": f"Unprocessable Entity: event {event!r} is not APPROVE, REQUEST_CHANGES or COMMENT"}, {}
        comments = body.get("comments") or []
        for c in comments:
            if not isinstance(c.get("path"), str) or not isinstance(c.get("body"), str) or not c["body"]:
                return 422, {"message": "Unprocessable Entity", "errors": ["path and body are required"]}, {}
            if len(c["body"]) > 65_536:
                return 422, {"message": "Unprocessable Entity", "errors": ["body is too long (maximum is 65536 characters)"]}, {}
            if c.get("side", "RIGHT") != "RIGHT" or c.get("start_side", "RIGHT") != "RIGHT":
                return 422, {"message": "Unprocessable Entity", "errors": ["this server knows RIGHT-side comments only"]}, {}
            line, start = c.get("line"), c.get("start_line", c.get("line"))
            hunks = self._hunks(number, c["path"])
            if not isinstance(line, int) or not isinstance(start, int) or start > line or hunks is None or not any(
                start in h and line in h for h in hunks
            ):
                return 422, {"message": "Unprocessable Entity", "errors": ["pull_request_review_thread.line must be part of the diff"]}, {}
        self.state.next_id += 1
        rid = self.state.next_id
        review = {
            "id": rid,
            "node_id": f"PRR_{rid}",
            "user": dict(user),
            "body": body.get("body") or "",
            "state": {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(event or "", "PENDING"),
            "commit_id": body.get("commit_id"),
            "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{number}#pullrequestreview-{rid}",
            "pull_request_url": f"{self._repo_url()}/pulls/{number}",
            "submitted_at": "2026-11-26T12:00:00Z",
        }
        self.state.reviews[rid] = review
        for c in comments:
            self.state.next_id += 1
            cid = self.state.next_id
            self.state.review_comments[cid] = {
                "id": cid,
                "pull_request_review_id": rid,
                "pull_number": number,
                "path": c["path"],
                "line": c["line"],  # GitHub sets it to null once a push makes the comment outdated
                "original_line": c["line"],
                "start_line": c.get("start_line"),
                "side": "RIGHT",
                "body": c["body"],
                "user": dict(user),
                "commit_id": body.get("commit_id"),
                "original_commit_id": body.get("commit_id"),
                "url": f"{self._repo_url()}/pulls/comments/{cid}",
                "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{number}#discussion_r{cid}",
                "created_at": "2026-11-26T12:00:00Z",
            }
        return 200, review, {}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                parts = urlsplit(self.path)
                req = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    raw=raw,
                )
                delay, applied = server._delay(req)
                if delay and applied == "late":
                    time.sleep(delay)
                with server._lock:
                    server.requests.append(req)
                    status, payload, headers = server.handle(req)
                if delay and applied == "early":
                    time.sleep(delay)
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting
                    pass

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        return Handler


def _validate_output(output: dict[str, Any]) -> str | None:
    """GitHub's rules for a check run's output, so the Action is held to them."""
    if not output:
        return None
    if not output.get("title") or not output.get("summary"):
        return "Invalid request: output.title and output.summary are required"
    for key in ("summary", "text"):
        if len(output.get(key) or "") > 65_535:
            return f"Invalid request: output.{key} is too long (maximum is 65535 characters)"
    annotations = output.get("annotations") or []
    if len(annotations) > 50:
        return "Invalid request: only 50 annotations are allowed per request"
    for a in annotations:
        for key in ("path", "start_line", "end_line", "annotation_level", "message"):
            if key not in a:
                return f"Invalid request: annotation is missing {key}"
        if a["annotation_level"] not in ("notice", "warning", "failure"):
            return f"Invalid request: annotation_level {a['annotation_level']!r} is not notice, warning or failure"
        if ("start_column" in a or "end_column" in a) and a["start_line"] != a["end_line"]:
            return "Invalid request: columns are only allowed on single-line annotations"
        if len(a.get("title") or "") > 255:
            return "Invalid request: annotation title is too long"
    return None
