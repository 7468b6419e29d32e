"""A small OpenSearch HTTP client (standard library) that turns every failure into a CliError."""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from lambdalogs.errors import InputError, RemoteError

RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
URL_HINT: Final = "pass a URL like https://search-logs-abc.eu-west-1.es.amazonaws.com"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


def credentials_from(
    user: str | None, password: str | None, env: Mapping[str, str]
) -> Credentials | None:
    """--user/--password, else OPENSEARCH_USER/OPENSEARCH_PASSWORD; None for no auth."""
    user = user if user is not None else env.get("OPENSEARCH_USER")
    password = password if password is not None else env.get("OPENSEARCH_PASSWORD")
    if not user and not password:
        return None
    if not user or password is None:
        raise InputError("give both --user and --password (or OPENSEARCH_USER/OPENSEARCH_PASSWORD)")
    return Credentials(user, password)


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url!r} is not an OpenSearch URL; {URL_HINT}")
    try:
        _ = parts.port
    except ValueError as error:
        raise InputError(f"{url!r} has a bad port; {URL_HINT}") from error
    return url.rstrip("/")


class Cluster:
    """JSON over HTTP(S) with Basic auth; retries 429/5xx with backoff."""

    def __init__(
        self,
        url: str,
        credentials: Credentials | None = None,
        *,
        sigv4_region: str | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = check_url(url)
        self._credentials = credentials
        self._auth = _basic(credentials) if credentials else None
        self._signer = _SigV4(sigv4_region) if sigv4_region and not credentials else None
        self._timeout = timeout
        self._retries = retries
        self._sleep = sleep

    @classmethod
    def from_options(
        cls,
        url: str,
        user: str | None,
        password: str | None,
        *,
        sigv4: bool = False,
        region: str | None = None,
        env: Mapping[str, str] = os.environ,
    ) -> Cluster:
        """Basic auth when a user is given; with `sigv4`, requests signed with the AWS
        credentials of the environment (region: given, from the endpoint, or AWS_REGION)."""
        credentials = credentials_from(user, password, env)
        if not sigv4:
            return cls(url, credentials)
        if credentials:
            raise InputError("give either --user/--password or --sigv4, not both")
        return cls(url, sigv4_region=region or sigv4_region_of(check_url(url), env))

    @property
    def sigv4_region(self) -> str | None:
        return self._signer.region if self._signer else None

    @property
    def credentials(self) -> tuple[str, str] | None:
        creds = self._credentials
        return (creds.user, creds.password) if creds else None

    # -- API ----------------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """GET /: checks the URL and the credentials before any real work."""
        return self.request("GET", "/")

    def bulk(self, body: bytes) -> dict[str, Any]:
        return self.request("POST", "/_bulk", body, content_type="application/x-ndjson")

    def search(self, index: str, query: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", f"/{index}/_search", json.dumps(query).encode())

    def refresh(self, index: str) -> None:
        self.request("POST", f"/{index}/_refresh")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        for attempt in range(self._retries + 1):
            try:
                return self._once(method, path, body, content_type)
            except urllib.error.HTTPError as error:
                if error.code not in RETRY_STATUSES or attempt == self._retries:
                    raise self._http_error(error, method, path) from None
            self._sleep(min(0.5 * 2**attempt, 8.0))
        raise AssertionError("unreachable")

    # -- internals ----------------------------------------------------------------------------

    def _once(
        self, method: str, path: str, body: bytes | None, content_type: str
    ) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Content-Type", content_type)
        if self._auth:
            request.add_header("Authorization", self._auth)
        if self._signer:
            for name, value in self._signer.headers(method, self.url + path, body, content_type):
                request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError:
            raise
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RemoteError(
                f"cannot reach OpenSearch at {self.url} ({reason}); check the URL, the network "
                "and that the domain allows your address"
            ) from None
        return _json_object(raw, self.url, path)

    def _http_error(self, error: urllib.error.HTTPError, method: str, path: str) -> RemoteError:
        if error.code in (401, 403):
            return RemoteError(
                f"OpenSearch at {self.url} refused the request (HTTP {error.code}: "
                f"{_reason(error)}); check --user/--password (or OPENSEARCH_USER/"
                "OPENSEARCH_PASSWORD) and that this user may write lambda-logs-*"
            )
        return RemoteError(
            f"OpenSearch answered HTTP {error.code} to {method} {path}: {_reason(error)}; "
            "fix the cause and re-run the same command"
        )


def sigv4_region_of(url: str, env: Mapping[str, str]) -> str:
    """The region in an Amazon OpenSearch Service endpoint, else AWS_REGION/AWS_DEFAULT_REGION."""
    host = urlsplit(url).hostname or ""
    parts = host.split(".")
    if host.endswith(".es.amazonaws.com") and len(parts) >= 5:
        return parts[-4]
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if not region:
        raise InputError("--sigv4 needs the domain's region: pass --region (or set AWS_REGION)")
    return region


class _SigV4:
    """Signs requests for Amazon OpenSearch Service (`es`) with the default AWS credentials."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._credentials: Any = None

    def headers(
        self, method: str, url: str, body: bytes | None, content_type: str
    ) -> list[tuple[str, str]]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        if self._credentials is None:
            import boto3

            self._credentials = boto3.Session().get_credentials()
            if self._credentials is None:
                raise RemoteError(
                    "--sigv4: no AWS credentials found; set AWS_PROFILE or run `aws sso login`"
                )
        request = AWSRequest(
            method=method, url=url, data=body or b"", headers={"Content-Type": content_type}
        )
        SigV4Auth(self._credentials.get_frozen_credentials(), "es", self.region).add_auth(request)
        return [(k, str(v)) for k, v in request.headers.items() if k.lower() != "content-type"]


def _basic(credentials: Credentials) -> str:
    token = f"{credentials.user}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(token).decode("ascii")


def _json_object(raw: bytes, url: str, path: str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise RemoteError(f"{url}{path} did not answer with JSON; is {url} an OpenSearch endpoint?")
    return value


def _reason(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        return str(error.reason)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("reason") or body["error"].get("type"))
    return str(body if body else error.reason)[:200]
