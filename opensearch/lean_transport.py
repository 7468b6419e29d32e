"""A dependency-light `Transport` for the in-VPC content applier: the stdlib's urllib and
botocore's SigV4 signer, no opensearch-py (the Lambda package bundles only the stdlib and
boto3/botocore).

It implements what `opensearch.apply` sends, the way opensearch-py sends it: a dict or list body
as JSON with `content-type: application/json` (unless given), a str as UTF-8; a JSON answer
parsed (`application/json`, or no content type), `text/plain` as text, anything else an
error; connection failures, timeouts and 502/503/504 retried `Connection.max_retries` times
(opensearch-py's `retry_on_status` default). Auth: Basic with the master user, or SigV4
(service `es`) with the default botocore credentials, `X-Amz-Content-SHA256` signed as
opensearch-py's `AWSV4Signer` does. TLS is always verified (the system's CAs, or
`Connection.ca_bundle`). Failures become the `opensearch.connection` errors, with the same
messages as `opensearch.client`.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from opensearch.connection import (
    Connection,
    OpenSearchContentError,
    no_credentials_error,
    no_region_error,
    not_json,
    status_error,
    unreachable,
)

T = TypeVar("T")

RETRY_ON_STATUS: Final = frozenset({502, 503, 504})
SAFE_PATH: Final = "!#$%&'()*+,/:;=?@[]~"  # requests' requote_uri: reserved characters stay
SERVICE: Final = "es"
LOCAL_HOSTS: Final = frozenset({"localhost"})


class LeanConnectionError(Exception):
    """No answer: DNS, refused, TLS, timeout."""


class LeanHttpError(Exception):
    """An HTTP error answer; `info` is its parsed body (or its text)."""

    def __init__(self, status: int, info: Any, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.info = info
        self.reason = reason


class LeanSerializationError(Exception):
    """An answer that is not the JSON (or text) it claims to be."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    data: bytes


def _is_local(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_base(connection: Connection, url: str) -> str:
    """`url` without a trailing slash, refused (never echoed) when it carries credentials, is
    not http(s), or would send Basic auth in plain HTTP to a non-local host."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise OpenSearchContentError(
            "the OpenSearch endpoint must not carry credentials in the URL: give the master "
            "user name and password separately (they stay Pulumi secrets)"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OpenSearchContentError(
            f"the OpenSearch endpoint {parts.scheme or '(no scheme)'}://{parts.hostname or ''} "
            "is not an http(s) URL: give the domain endpoint host (https is assumed)"
        )
    if parts.scheme == "http" and connection.user and not _is_local(parts.hostname):
        raise OpenSearchContentError(
            f"refusing to send the master user's password in plain HTTP to {parts.hostname}: "
            "use the domain's https endpoint"
        )
    return url.rstrip("/")


def tls_context(connection: Connection) -> ssl.SSLContext:
    """Verified TLS: the system's CAs, or the PEM `ca_bundle`."""
    context = ssl.create_default_context(cafile=connection.ca_bundle)
    if not connection.verify_certs:  # the CLI's option for a local test cluster only
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def encode_body(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


def decode_answer(answer: Answer) -> Any:
    """opensearch-py's Deserializer: JSON (the default), text/plain, else an error."""
    if not answer.data:
        return ""
    mimetype = answer.content_type.partition(";")[0].strip().lower()
    if mimetype in ("", "application/json", "application/vnd.elasticsearch+json"):
        try:
            return json.loads(answer.data)
        except ValueError as exc:
            raise LeanSerializationError(f"invalid JSON ({exc})") from exc
    if mimetype == "text/plain":
        return answer.data.decode("utf-8", errors="replace")
    raise LeanSerializationError(f"Unknown mimetype, unable to deserialize: {mimetype}")


def error_info(answer: Answer) -> Any:
    try:
        return decode_answer(answer)
    except LeanSerializationError:
        return answer.data.decode("utf-8", errors="replace")


class LeanTransport:
    """`opensearch.transport.Transport` over urllib, to one base URL."""

    def __init__(
        self,
        connection: Connection,
        url: str,
        signer: Callable[[str, str, bytes | None, dict[str, str]], dict[str, str]] | None = None,
    ) -> None:
        self.connection = connection
        self.base = checked_base(connection, url)
        self.context = tls_context(connection)
        self.signer = (
            signer if signer is not None or connection.user else default_signer(connection)
        )

    def perform_request(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        target = self.base + quote(url if url.startswith("/") else f"/{url}", safe=SAFE_PATH)
        if params:
            target += "?" + urlencode(params)
        data = encode_body(body)
        sent = {k.lower(): v for k, v in (headers or {}).items()}
        if data is not None:
            sent.setdefault("content-type", "application/json")
        sent = self.authorized(method, target, data, sent)
        for attempt in range(self.connection.max_retries + 1):
            try:
                answer = self.send(method, target, data, sent)
            except LeanConnectionError:
                if attempt == self.connection.max_retries:
                    raise
                continue
            if answer.status in RETRY_ON_STATUS and attempt < self.connection.max_retries:
                continue
            return self.result(method, answer)
        raise AssertionError("unreachable")  # pragma: no cover  (the loop returns or raises)

    def authorized(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str]
    ) -> dict[str, str]:
        if self.connection.user:
            token = f"{self.connection.user}:{self.connection.password or ''}".encode()
            return {**headers, "authorization": "Basic " + base64.b64encode(token).decode()}
        if self.signer is not None:
            return self.signer(method, url, data, headers)
        return headers

    def send(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> Answer:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(  # the scheme is checked: http(s) only
                request, timeout=self.connection.timeout, context=self.context
            ) as response:
                return Answer(
                    response.status, response.headers.get("content-type", ""), response.read()
                )
        except urllib.error.HTTPError as exc:
            with exc:
                return Answer(exc.code, exc.headers.get("content-type", ""), exc.read())
        except (OSError, http.client.HTTPException) as exc:  # URLError, TLS, timeouts
            reason = getattr(exc, "reason", exc)
            raise LeanConnectionError(f"{type(exc).__name__}: {reason}") from exc

    def result(self, method: str, answer: Answer) -> Any:
        if method == "HEAD":
            return 200 <= answer.status < 300
        if answer.status >= 400:
            info = error_info(answer)
            kind = info.get("error") if isinstance(info, dict) else None
            reason = kind.get("type") if isinstance(kind, dict) else kind
            raise LeanHttpError(answer.status, info, str(reason or "error"))
        return decode_answer(answer)


def default_signer(
    connection: Connection,
) -> Callable[[str, str, bytes | None, dict[str, str]], dict[str, str]] | None:
    """SigV4 with the default botocore credentials (in Lambda: the function's role), or None
    without a user and with `sigv4=False` (no authentication)."""
    if not connection.sigv4:
        return None
    import botocore.session

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise no_credentials_error()
    if not connection.region:
        raise no_region_error()
    frozen = credentials.get_frozen_credentials()
    region = connection.region

    def sign(method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method=method, url=url, data=data, headers=dict(headers))
        signer = SigV4Auth(frozen, SERVICE, region)
        # Signed, as opensearch-py's AWSV4Signer does: x-amz-* headers must be signed.
        request.headers["X-Amz-Content-SHA256"] = signer.payload(request)
        signer.add_auth(request)
        return {k.lower(): v for k, v in request.headers.items()}

    return sign


class LeanBackend:
    """`opensearch.transport.Backend` of the in-VPC applier: LeanTransport, errors mapped."""

    def transport(self, connection: Connection, url: str) -> LeanTransport:
        return LeanTransport(connection, url)

    def call(self, connection: Connection, step: str, action: Callable[[], T]) -> T:
        try:
            return action()
        except LeanConnectionError as exc:
            raise unreachable(connection, step, exc) from exc
        except LeanHttpError as exc:
            raise status_error(connection, step, exc.status, exc.info, exc.reason) from exc
        except LeanSerializationError as exc:
            raise not_json(connection, step, exc) from exc
