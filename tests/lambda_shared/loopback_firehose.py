"""A Firehose PutRecordBatch endpoint on 127.0.0.1 for the tests: it checks each request's SigV4
signature over what really arrived, and answers as scripted (partial failures, error answers,
dropped connections, slowness), counting connections and calls."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDLOOPBACKTEST"
SECRET_KEY = "loopback-secret"


@dataclass
class Script:
    """What the endpoint does, one step per call: None = accept all; an int N = the first N
    records fail (ServiceUnavailableException); ("error", status, type) = an error answer;
    "drop" = close the connection without answering; ("slow", seconds) = answer late."""

    steps: list[Any] = field(default_factory=list)
    received: list[list[bytes]] = field(default_factory=list)
    connections: int = 0
    bad_signatures: int = 0
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> Any:
        with self.lock:
            return self.steps.pop(0) if self.steps else None


def signature_holds(method: str, url: str, headers: dict[str, str], body: bytes) -> bool:
    """Recompute the signature over the request as received (botocore's algorithm)."""
    authorization = headers.get("Authorization", "")
    names = authorization.partition("SignedHeaders=")[2].partition(",")[0].split(";")
    signed = {k: v for k, v in headers.items() if k.lower() in names and k.lower() != "host"}
    request = AWSRequest(method=method, url=url, data=body, headers=signed)
    request.context["timestamp"] = headers["X-Amz-Date"]
    auth = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "firehose", "eu-west-1")
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    return authorization.endswith(f"Signature={expected}")


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # one write per answer (no delayed-ACK stall between headers and body)

        def setup(self) -> None:
            super().setup()
            with script.lock:
                script.connections += 1

        def log_message(self, *_: Any) -> None:
            return None

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            host = self.headers["Host"]
            url = f"http://{host}{self.path}"
            with script.lock:
                script.paths.append(self.path)
            if not signature_holds("POST", url, dict(self.headers.items()), body):
                script.bad_signatures += 1
                self._answer(403, {"__type": "InvalidSignatureException", "message": "bad"})
                return
            step = script.next()
            if step == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if isinstance(step, tuple) and step[0] == "slow":
                time.sleep(step[1])
                step = None
            if isinstance(step, tuple) and step[0] == "error":
                self._answer(step[1], {"__type": step[2], "message": f"{step[2]} here"})
                return
            self._accept(json.loads(body), step or 0)

        def _accept(self, request: dict[str, Any], failing: int) -> None:
            data = [base64.b64decode(r["Data"]) for r in request["Records"]]
            with script.lock:
                script.received.append(data[failing:])
            answers = [
                {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}
                if i < failing
                else {"RecordId": f"id{i}"}
                for i in range(len(data))
            ]
            failed = min(failing, len(data))
            self._answer(
                200, {"FailedPutCount": failed, "Encrypted": False, "RequestResponses": answers}
            )

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def loopback_firehose(script: Script) -> Iterator[str]:
    """Serve `script` on a free loopback port; yields the endpoint URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
