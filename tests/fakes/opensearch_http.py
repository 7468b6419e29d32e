"""A local HTTP fake of OpenSearch (and the Dashboards saved-objects API) on 127.0.0.1.

Usage, as a pytest fixture (`opensearch_fake`, from `tests.fakes.opensearch_http import *` or a
conftest that re-exports it) or as a context manager:

    with FakeOpenSearch() as fake:
        client = OpenSearch(hosts=[fake.url])
        client.bulk(body=ndjson)                        # documents land in fake.store
        fake.requests[-1].path == "/_bulk"              # every request is recorded
        fake.route("GET", r"/_cluster/health", lambda req: Reply(200, {"status": "green"}))
        fake.fail(403, path=r"/_index_template/.*")     # force an error (once, or always)
        fake.require_basic_auth("admin", "secret")      # 401 without these credentials

`refused_url()` gives a URL where nothing listens (connection refused).

Answered out of the box: `GET /` (cluster info), `_bulk`, `_search`, `_count` (see
`opensearch_store`), index create/exists/delete/refresh, and the plugin APIs in
`opensearch_plugins` (index templates, ISM, security roles and role mappings, alerting monitors,
saved-objects import). Anything else answers 404 like OpenSearch (`no handler found`).
Handlers registered with `route` win over the built-in ones (the latest registration first).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.fakes.opensearch_store import (
    IndexStore,
    JsonObject,
    QueryNotSupportedError,
    error_body,
)

__all__ = [
    "FakeOpenSearch",
    "RecordedRequest",
    "Reply",
    "error_body",
    "opensearch_fake",
    "refused_url",
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it. Header names are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    match: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None

    def ndjson(self) -> list[Any]:
        """The body parsed as NDJSON, one value per non-empty line."""
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def basic_auth(self) -> tuple[str, str] | None:
        """The (user, password) of a Basic Authorization header, if any."""
        value = self.headers.get("authorization", "")
        if not value.lower().startswith("basic "):
            return None
        user, _, password = base64.b64decode(value[6:]).decode("utf-8").partition(":")
        return user, password


@dataclass(frozen=True)
class Reply:
    """A response: a JSON-able body (dict/list), raw bytes/str, or None for no body."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if self.body is None:
            return b"", "application/json; charset=UTF-8"
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), "text/plain; charset=UTF-8"
        return json.dumps(self.body).encode("utf-8"), "application/json; charset=UTF-8"


Handler = Callable[[RecordedRequest], Reply]


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    remaining: int | None  # None: forever

    def matches(self, method: str, path: str) -> re.Match[str] | None:
        if self.remaining == 0 or self.method not in ("*", method):
            return None
        return self.pattern.fullmatch(path)


@dataclass
class _Router:
    routes: list[_Route] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str, handler: Handler, times: int | None) -> None:
        with self.lock:
            self.routes.insert(0, _Route(method.upper(), re.compile(path), handler, times))

    def find(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        with self.lock:
            for route in self.routes:
                found = route.matches(method, path)
                if found is not None:
                    if route.remaining is not None:
                        route.remaining -= 1
                    return route.handler, found.groupdict()
        return None


class FakeOpenSearch:
    """The fake server. Start with `start()` or `with`; `url` is `http://127.0.0.1:<port>`."""

    def __init__(self) -> None:
        self.store = IndexStore()
        self.requests: list[RecordedRequest] = []
        self.objects: dict[str, Any] = {}  # plugin state, see opensearch_plugins
        self._user_routes = _Router()
        self._builtin_routes = _Router()
        self._credentials: tuple[str, str] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._install_builtins()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeOpenSearch:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-opensearch"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenSearch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenSearch is not started: call start() or use `with`")
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """`127.0.0.1:<port>`: an endpoint without scheme, as AWS gives domain endpoints."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    # -- test controls -----------------------------------------------------------------------

    def route(self, method: str, path: str, handler: Handler, times: int | None = None) -> None:
        """Answer `method` (or "*") on paths fully matching the regex `path` with `handler`.

        Named groups of the regex are passed in `RecordedRequest.match`. `times` limits how many
        requests the route answers (then it falls through to older routes and the built-ins).
        """
        self._user_routes.add(method, path, handler, times)

    def respond(
        self, method: str, path: str, status: int, body: Any = None, times: int | None = None
    ) -> None:
        """A canned reply for `method` on paths matching the regex `path`."""
        self.route(method, path, lambda _req: Reply(status, body), times)

    def fail(
        self,
        status: int,
        path: str = r".*",
        method: str = "*",
        times: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Force an OpenSearch-shaped error (e.g. 401, 403, 429, 500) on matching requests."""
        body: Any = _failure_body(status, reason)
        self.respond(method, path, status, body, times)

    def require_basic_auth(self, user: str, password: str) -> None:
        """From now on, answer 401 to any request without these Basic credentials."""
        self._credentials = (user, password)

    def builtin(self, method: str, path: str, handler: Handler) -> None:
        """Register a built-in handler (used by `opensearch_plugins`; tests use `route`)."""
        self._builtin_routes.add(method, path, handler, None)

    def requests_to(self, path_regex: str, method: str | None = None) -> list[RecordedRequest]:
        """The recorded requests whose path fully matches `path_regex` (and method, if given)."""
        pattern = re.compile(path_regex)
        with self._lock:
            return [
                r
                for r in self.requests
                if pattern.fullmatch(r.path) and (method is None or r.method == method.upper())
            ]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
        if self._credentials is not None and request.basic_auth() != self._credentials:
            return Reply(401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="OpenSearch"'})
        for router in (self._user_routes, self._builtin_routes):
            found = router.find(request.method, request.path)
            if found is not None:
                handler, groups = found
                return handler(_with_match(request, groups))
        reason = f"no handler found for uri [{request.path}] and method [{request.method}]"
        return Reply(404, error_body(404, "invalid_request", reason))

    def _install_builtins(self) -> None:
        from tests.fakes.opensearch_plugins import install_plugins

        self._install_core()
        install_plugins(self)

    def _install_core(self) -> None:
        store = self.store
        self.builtin("GET", r"/", lambda _r: Reply(200, _cluster_info()))
        self.builtin("HEAD", r"/", lambda _r: Reply(200))
        for method in ("POST", "PUT"):
            self.builtin(method, r"/_bulk", lambda r: Reply(200, store.bulk(r.body, None)))
            self.builtin(
                method,
                r"/(?P<index>[^_/][^/]*)/_bulk",
                lambda r: Reply(200, store.bulk(r.body, r.match["index"])),
            )
        for method in ("GET", "POST"):
            self.builtin(method, r"/_search", lambda r: _search(store, "*", r))
            self.builtin(
                method,
                r"/(?P<index>[^_/][^/]*)/_search",
                lambda r: _search(store, r.match["index"], r),
            )
            self.builtin(method, r"/_count", lambda r: _count(store, "*", r))
            self.builtin(
                method,
                r"/(?P<index>[^_/][^/]*)/_count",
                lambda r: _count(store, r.match["index"], r),
            )
        self.builtin("POST", r"/(?P<index>[^/]*)/_refresh", lambda _r: Reply(200, _shards()))
        self.builtin("POST", r"/_refresh", lambda _r: Reply(200, _shards()))
        self.builtin("PUT", r"/(?P<index>[^_/][^/]*)", lambda r: _create_index(store, r))
        self.builtin(
            "HEAD",
            r"/(?P<index>[^_/][^/]*)",
            lambda r: Reply(200 if r.match["index"] in store.indices else 404),
        )
        self.builtin("DELETE", r"/(?P<index>[^_/][^/]*)", lambda r: _delete_index(store, r))


def _with_match(request: RecordedRequest, groups: dict[str, str]) -> RecordedRequest:
    return RecordedRequest(
        request.method, request.path, request.query, request.headers, request.body, groups
    )


def _failure_body(status: int, reason: str | None) -> Any:
    if status == 401:
        return reason or "Unauthorized"
    kinds = {
        403: "security_exception",
        404: "resource_not_found_exception",
        409: "version_conflict_engine_exception",
        429: "es_rejected_execution_exception",
    }
    default = {
        403: "no permissions for [indices:admin/index_template/put] and User "
        "[name=arn:aws:iam::123456789012:role/deployer, backend_roles=[], requestedTenant=null]",
    }
    error_type = kinds.get(status, "exception")
    return error_body(status, error_type, reason or default.get(status, f"fake error {status}"))


def _cluster_info() -> JsonObject:
    return {
        "name": "fake-node",
        "cluster_name": "123456789012:fake-domain",
        "cluster_uuid": "fake-uuid",
        "version": {
            "distribution": "opensearch",
            "number": "2.17.0",
            "minimum_wire_compatibility_version": "7.10.0",
        },
        "tagline": "The OpenSearch Project: https://opensearch.org/",
    }


def _shards() -> JsonObject:
    return {"_shards": {"total": 1, "successful": 1, "failed": 0}}


def _json_body(request: RecordedRequest) -> JsonObject:
    body = request.json()
    return body if isinstance(body, dict) else {}


def _search(store: IndexStore, pattern: str, request: RecordedRequest) -> Reply:
    body = _json_body(request)
    if "size" not in body and request.param("size") is not None:
        body["size"] = int(request.param("size") or 10)
    try:
        return Reply(200, store.search(pattern, body))
    except QueryNotSupportedError as exc:
        return Reply(400, error_body(400, "parsing_exception", str(exc)))


def _count(store: IndexStore, pattern: str, request: RecordedRequest) -> Reply:
    try:
        return Reply(200, store.count(pattern, _json_body(request)))
    except QueryNotSupportedError as exc:
        return Reply(400, error_body(400, "parsing_exception", str(exc)))


def _create_index(store: IndexStore, request: RecordedRequest) -> Reply:
    index = request.match["index"]
    if not store.create_index(index):
        reason = f"index [{index}/fake] already exists"
        return Reply(400, error_body(400, "resource_already_exists_exception", reason))
    return Reply(200, {"acknowledged": True, "shards_acknowledged": True, "index": index})


def _delete_index(store: IndexStore, request: RecordedRequest) -> Reply:
    index = request.match["index"]
    if not store.delete_index(index):
        return Reply(404, error_body(404, "index_not_found_exception", f"no such index [{index}]"))
    return Reply(200, {"acknowledged": True})


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        raw = b"".join(chunks)
    else:
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    if handler.headers.get("Content-Encoding", "").lower() == "gzip" and raw:
        raw = gzip.decompress(raw)
    return raw


def _make_handler(fake: FakeOpenSearch) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            request = RecordedRequest(
                method=self.command,
                path=unquote(parts.path) or "/",
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=_read_body(self),
            )
            reply = fake.handle(request)
            payload, content_type = reply.encoded()
            self.send_response(reply.status)
            headers = {"Content-Type": content_type, **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return _Handler


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def opensearch_fake() -> Iterator[FakeOpenSearch]:
    """A started FakeOpenSearch, stopped after the test."""
    with FakeOpenSearch() as fake:
        yield fake
