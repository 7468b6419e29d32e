"""A PutRecordBatch endpoint for the benchmark, run in its own process (`python -m
bench.loopback_server`): accepts every record, checks nothing, and prints its port on stdout.
Its CPU is not the handler's, so the benchmark can time the handler process alone."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RECORD_ID = "x" * 224
"""Firehose's record ids are long opaque base64 strings (about 224 characters in the answers
seen; the API reference gives no length): an answer of 500 of them is ~115 KB, which the
client reads and parses, so the benchmark's answers carry ids as long."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16

    def log_message(self, *_: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        count = body.count(b'"Data"')  # boto3 writes '"Data": ', the lean client '"Data":'
        answer = json.dumps(
            {
                "FailedPutCount": 0,
                "Encrypted": False,
                "RequestResponses": [{"RecordId": RECORD_ID}] * count,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
