"""A local HTTP server standing in for every channel: it records each request (path, query,
headers, body) and answers each path with the status it is told (200 by default), or not at
all for a while (a hanging channel)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class WebhookServer:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    """Path (without the query) → the status it answers."""
    hang_seconds: dict[str, float] = field(default_factory=dict)
    """Path → how long it waits before answering."""

    def count(self, path: str) -> int:
        return sum(1 for r in self.received if r.path.split("?")[0] == path)


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    state = WebhookServer()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            path = self.path.split("?")[0]
            state.received.append(
                Received(self.command, self.path, dict(self.headers.items()), json.loads(raw))
            )
            time.sleep(state.hang_seconds.get(path, 0.0))
            status = state.statuses.get(path, 200)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_POST = do_PUT = do_PATCH = _answer

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
