"""A lean PutRecordBatch client: the request body written directly as bytes (the documents are
already encoded), signed with botocore's own SigV4 signer, sent over a kept-alive connection
per thread. Same call and answer shape as boto3's `firehose` client, and its failures are
botocore's exceptions (`ClientError` with the service's error code, `BotoCoreError` for the
network), so `lambda_shared.firehose_put.RecordPutter` treats both clients alike.

Why: boto3 validates, serialises, base64s and parses every record in Python, which costs more
CPU per re-ingested document than transforming the event (measured by `make bench`). Only the
wire format is ours here; endpoint resolution (including `AWS_ENDPOINT_URL_FIREHOSE` and
`AWS_ENDPOINT_URL`, as boto3 honours them), credentials and signing stay boto3's and
botocore's. The JSON 1.1 protocol: POST /, `X-Amz-Target: Firehose_20150804.PutRecordBatch`,
`Content-Type: application/x-amz-json-1.1`, blobs as base64 strings; errors carry `__type`.

Connections are pooled, not kept per thread: the calls a RecordPutter has in flight at once run
in threads that live for one round, and each would otherwise open (and, over HTTPS, negotiate)
a connection of its own every round. A call takes an idle connection or opens one, and gives it
back when the answer was read whole; one that failed is closed. A connection left idle longer
than IDLE_REUSE_SECONDS (a Lambda container frozen between invocations) is not reused."""

from __future__ import annotations

import binascii
import http.client
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, NamedTuple
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from lambda_shared.aws_clients import Timeouts

TARGET: Final = "Firehose_20150804.PutRecordBatch"
CONTENT_TYPE: Final = "application/x-amz-json-1.1"
# An idle connection older than this is closed instead of reused: the server may have dropped
# it meanwhile (a frozen Lambda container does not see that), and a call on it would fail and
# be retried after a backoff sleep.
IDLE_REUSE_SECONDS: Final = 15.0
Credentials = Callable[[], Any]
"""Returns botocore credentials (anything with access_key, secret_key, token)."""


def request_body(stream_name: str, records: Sequence[dict[str, bytes]]) -> bytes:
    """`{"DeliveryStreamName": …, "Records": [{"Data": "<base64>"}, …]}` as boto3 would send it.
    One join makes the whole body: the opening rides on the first record's base64 and the
    closing on the last's, so the ~4 MiB are copied once (concatenating the joined records
    with them copied it twice more: half the body's CPU, `python -m bench.profile`)."""
    encode = binascii.b2a_base64
    encoded = [encode(record["Data"], newline=False) for record in records]
    opening = b'{"DeliveryStreamName":' + json.dumps(stream_name).encode("utf-8")
    if not encoded:
        return opening + b',"Records":[]}'
    encoded[0] = opening + b',"Records":[{"Data":"' + encoded[0]
    encoded[-1] += b'"}]}'
    return b'"},{"Data":"'.join(encoded)


_ALL_PUT: Final = re.compile(rb'"FailedPutCount":\s*0\s*[,}]')
"""`"FailedPutCount": 0` as a member of the answer: the quote before it cannot be escaped text
(inside a JSON string a quote is `\\"`, so the name would be followed by a backslash)."""


def parse_answer(answer: bytes) -> dict[str, Any]:
    """PutRecordBatch's answer. When every record was put, only `FailedPutCount` is read: the
    500 `RecordId`s (long opaque strings: ~115 KB an answer) are not parsed, as nothing uses
    them (lambda_shared/firehose_put.py reads `RequestResponses` only when some failed)."""
    if _ALL_PUT.search(answer):
        return {"FailedPutCount": 0}
    result: dict[str, Any] = json.loads(answer)
    return result


def error_from(status: int, body: bytes, headers: http.client.HTTPMessage) -> ClientError:
    """The service's error answer as botocore would raise it."""
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    raw = str(parsed.get("__type") or headers.get("x-amzn-ErrorType") or f"HTTP{status}")
    code = raw.rsplit("#", 1)[-1].split(":", 1)[0]
    message = str(
        parsed.get("message") or parsed.get("Message") or body[:200].decode("utf-8", "replace")
    )
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "PutRecordBatch")


class _Idle(NamedTuple):
    connection: http.client.HTTPConnection
    since: float


class FirehoseHttpClient:
    """`put_record_batch(DeliveryStreamName=…, Records=[{"Data": bytes}, …])`, thread-safe:
    concurrent calls each take a connection of the pool."""

    def __init__(
        self,
        endpoint_url: str,
        region: str,
        credentials: Credentials,
        timeouts: Timeouts,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{endpoint_url!r} is not an http(s) endpoint URL")
        self._url = endpoint_url.rstrip("/") + "/"
        self._path = parts.path.rstrip("/") + "/"  # what the request is signed for
        self._secure = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._secure else 80)
        self._region = region
        self._credentials = credentials
        self._timeouts = timeouts
        self._clock = clock
        self._idle: list[_Idle] = []
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context() if self._secure else None
        self.opened = 0
        """Connections opened so far (for tests and the benchmark)."""

    @classmethod
    def for_region(cls, region: str, timeouts: Timeouts) -> FirehoseHttpClient:
        """Endpoint and credentials exactly as boto3 resolves them for `firehose` in `region`
        (AWS_ENDPOINT_URL_FIREHOSE, then AWS_ENDPOINT_URL, then the regional endpoint)."""
        import boto3  # the Lambda runtime provides boto3; imported where first needed

        session = boto3.Session(region_name=region or None)
        endpoint = session.client("firehose").meta.endpoint_url
        resolved = session.region_name or region
        return cls(endpoint, resolved, session.get_credentials, timeouts)

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        body = request_body(str(kwargs["DeliveryStreamName"]), kwargs["Records"])
        status, answer, headers = self._send(self._signed_headers(body), body)
        if status != 200:
            raise error_from(status, answer, headers)
        return parse_answer(answer)

    def _signed_headers(self, body: bytes) -> dict[str, str]:
        request = AWSRequest(
            method="POST",
            url=self._url,
            data=body,
            headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET},
        )
        credentials = self._credentials()
        if credentials is None:
            raise EndpointConnectionError(endpoint_url=f"{self._url} (no AWS credentials found)")
        SigV4Auth(credentials.get_frozen_credentials(), "firehose", self._region).add_auth(request)
        return {name: str(value) for name, value in request.headers.items()}

    def _send(
        self, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        connection = self._take()
        try:
            connection.request("POST", self._path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
        except TimeoutError as exc:
            connection.close()
            raise ReadTimeoutError(endpoint_url=self._url, error=exc) from exc
        except (http.client.HTTPException, ConnectionError) as exc:
            connection.close()
            raise ConnectionClosedError(endpoint_url=self._url, error=exc) from exc
        except OSError as exc:
            connection.close()
            raise EndpointConnectionError(endpoint_url=self._url, error=exc) from exc
        if response.will_close:  # the server ends the connection after this answer
            connection.close()
        else:
            self._give_back(connection)
        return response.status, answer, response.headers

    def _take(self) -> http.client.HTTPConnection:
        """An idle connection of the pool that is recent enough, or a new one."""
        stale: list[_Idle] = []
        now = self._clock()
        with self._lock:
            while self._idle:
                idle = self._idle.pop()
                if now - idle.since <= IDLE_REUSE_SECONDS:
                    break
                stale.append(idle)
            else:
                idle = None
        for old in stale:
            old.connection.close()
        return idle.connection if idle is not None else self._open()

    def _give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.append(_Idle(connection, self._clock()))

    def _open(self) -> http.client.HTTPConnection:
        """Connect within the connect timeout, then wait for answers within the read timeout."""
        if self._secure:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeouts.connect, context=self._tls
            )
        else:
            connection = http.client.HTTPConnection(
                self._host, self._port, timeout=self._timeouts.connect
            )
        try:
            connection.connect()
        except OSError as exc:
            raise EndpointConnectionError(endpoint_url=self._url, error=exc) from exc
        if connection.sock is not None:
            connection.sock.settimeout(self._timeouts.read)
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.opened += 1
        return connection

    def close(self) -> None:
        """Close the idle connections (those in use are closed when their call ends)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for entry in idle:
            entry.connection.close()
