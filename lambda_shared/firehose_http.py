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
`Content-Type: application/x-amz-json-1.1`, blobs as base64 strings; errors carry `__type`."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from typing import Any, Final
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
Credentials = Callable[[], Any]
"""Returns botocore credentials (anything with access_key, secret_key, token)."""


def request_body(stream_name: str, records: Sequence[dict[str, bytes]]) -> bytes:
    """`{"DeliveryStreamName": …, "Records": [{"Data": "<base64>"}, …]}` as boto3 would send it."""
    data = b'"},{"Data":"'.join(base64.b64encode(record["Data"]) for record in records)
    opening = b'{"DeliveryStreamName":' + json.dumps(stream_name).encode("utf-8")
    if not records:
        return opening + b',"Records":[]}'
    return opening + b',"Records":[{"Data":"' + data + b'"}]}'


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


class FirehoseHttpClient:
    """`put_record_batch(DeliveryStreamName=…, Records=[{"Data": bytes}, …])`, thread-safe:
    each thread keeps its own connection."""

    def __init__(
        self, endpoint_url: str, region: str, credentials: Credentials, timeouts: Timeouts
    ) -> None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{endpoint_url!r} is not an http(s) endpoint URL")
        self._url = endpoint_url.rstrip("/") + "/"
        self._secure = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._secure else 80)
        self._region = region
        self._credentials = credentials
        self._timeouts = timeouts
        self._local = threading.local()
        self._tls = ssl.create_default_context() if self._secure else None

    @classmethod
    def for_region(cls, region: str, timeouts: Timeouts) -> FirehoseHttpClient:
        """Endpoint and credentials exactly as boto3 resolves them for `firehose` in `region`."""
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
        result: dict[str, Any] = json.loads(answer)
        return result

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
        connection = self._connection()
        try:
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read(), response.headers
        except TimeoutError as exc:
            self._drop()
            raise ReadTimeoutError(endpoint_url=self._url, error=exc) from exc
        except (http.client.HTTPException, ConnectionError) as exc:
            self._drop()
            raise ConnectionClosedError(endpoint_url=self._url, error=exc) from exc
        except OSError as exc:
            self._drop()
            raise EndpointConnectionError(endpoint_url=self._url, error=exc) from exc

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._open()
            self._local.connection = connection
        return connection

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
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()
