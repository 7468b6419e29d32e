"""The command line's OpenSearch cluster: `opensearch/client.py` (opensearch-py) with the CLI's
options, and the one place where OpenSearch failures become the CLI's one-line errors."""

from __future__ import annotations

import getpass
import ipaddress
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError

from lambdalogs.errors import InputError, RemoteError
from opensearch.client import (
    BULK_RETRIES,
    Connection,
    OpenSearchContentError,
    OpenSearchUnauthorizedError,
    OpenSearchUnreachableError,
    bulk,
    call,
    make_client,
    reason,
)

T = TypeVar("T")

_NETWORK_REASON: Final = re.compile(
    r"\[Errno -?\d+\][^'\"()]*|\[SSL[^\]]*\][^'\"()]*|CERTIFICATE_VERIFY_FAILED[^'\"()]*"
    r"|Read timed out|timed out"
)
URL_HINT: Final = "pass a URL like https://search-logs-abc.eu-west-1.es.amazonaws.com"


CREDENTIALS_IN_URL: Final = (
    "the OpenSearch URL carries credentials (user:password@host), which every user of this "
    "machine can read in `ps`, and shell history and logs keep; give the URL without them, the "
    "user with --user and the password in OPENSEARCH_PASSWORD (or type it at the prompt)"
)
PASSWORD_HINT: Final = (
    "set OPENSEARCH_PASSWORD, or run the command in a terminal to be prompted for it"
)


def check_url(url: str) -> str:
    """`url` without a trailing slash, if it is an http(s) URL without credentials (refused,
    and never repeated in the error)."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise InputError(CREDENTIALS_IN_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url!r} is not an OpenSearch URL; {URL_HINT}")
    try:
        _ = parts.port
    except ValueError as error:
        raise InputError(f"{url!r} has a bad port; {URL_HINT}") from error
    return url.rstrip("/")


AUTH_MODES: Final = ("auto", "none", "basic", "sigv4")
AMAZON_HOST_SUFFIX: Final = ".es.amazonaws.com"


def is_amazon_endpoint(url: str) -> bool:
    """An Amazon OpenSearch Service domain endpoint (`search-<name>-<id>.<region>.es.amazonaws.com`
    or `vpc-…`), where requests must be signed unless Basic auth is used."""
    return (urlsplit(url).hostname or "").endswith(AMAZON_HOST_SUFFIX)


def sigv4_region_of(url: str, env: Mapping[str, str]) -> str:
    """The region in an Amazon OpenSearch Service endpoint, else AWS_REGION/AWS_DEFAULT_REGION."""
    host = urlsplit(url).hostname or ""
    parts = host.split(".")
    if host.endswith(AMAZON_HOST_SUFFIX) and len(parts) >= 5:
        return parts[-4]
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if not region:
        raise InputError(
            "--auth sigv4 needs the domain's region: pass --region (or set AWS_REGION); "
            "a local cluster without the security plugin needs --auth none"
        )
    return region


def auth_mode(url: str, auth: str, *, user: str | None, sigv4: bool) -> str:
    """The authentication to use. `auto`: Basic auth when a user is given, SigV4 for an Amazon
    OpenSearch Service endpoint (or with --sigv4), otherwise none (a local cluster such as
    http://localhost:9200 with the security plugin disabled)."""
    if auth not in AUTH_MODES:
        raise InputError(f"--auth {auth!r}: choose one of {', '.join(AUTH_MODES)}")
    if sigv4 and auth not in ("auto", "sigv4"):
        raise InputError(f"give either --sigv4 or --auth {auth}, not both")
    if auth == "auto":
        if user:
            return "basic"
        return "sigv4" if sigv4 or is_amazon_endpoint(url) else "none"
    return auth


def prompt_password(user: str) -> str | None:
    """The password typed at a terminal (not echoed), or None when stdin is not a terminal."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"OpenSearch password for {user}: ")


def warn_on_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def is_local(url: str) -> bool:
    """A loopback host (localhost, 127.0.0.0/8, ::1): traffic that never leaves the machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _password(
    user: str | None,
    password: str | None,
    env: Mapping[str, str],
    ask: Callable[[str], str | None],
) -> str | None:
    """The given password, else OPENSEARCH_PASSWORD, else the prompt (only with a user)."""
    if password is None:
        password = env.get("OPENSEARCH_PASSWORD")
    if user and password is None:
        password = ask(user)
        if password is None:
            raise InputError(f"--user {user} needs its password: {PASSWORD_HINT}")
    if password is not None and not user:
        raise InputError("OPENSEARCH_PASSWORD is set but no user: give --user (or OPENSEARCH_USER)")
    return password


def _ca_bundle(path: str | None) -> str | None:
    if path is not None and not os.path.isfile(path):
        raise InputError(
            f"--ca-bundle {path}: no such file; give the PEM file of the CA that signed the "
            "cluster's certificate"
        )
    return path


def connection_for(
    url: str,
    user: str | None,
    password: str | None,
    *,
    sigv4: bool = False,
    auth: str = "auto",
    region: str | None = None,
    dashboards_url: str | None = None,
    ca_bundle: str | None = None,
    env: Mapping[str, str] = os.environ,
    ask_password: Callable[[str], str | None] = prompt_password,
    warn: Callable[[str], None] = warn_on_stderr,
) -> Connection:
    """Basic auth with --user (else OPENSEARCH_USER) and OPENSEARCH_PASSWORD (else the prompt,
    at a terminal; `password` only from code: never from the command line); SigV4 with the
    environment's AWS credentials (region: given, from the endpoint, or AWS_REGION); or no
    authentication, as `auth_mode` decides. TLS certificates are always verified (`ca_bundle`:
    a private CA's PEM file)."""
    checked = check_url(url)
    dashboards = check_url(dashboards_url) if dashboards_url else None
    user = user if user is not None else env.get("OPENSEARCH_USER")
    if user and sigv4:
        raise InputError("give either --user or --sigv4, not both")
    mode = auth_mode(checked, auth, user=user, sigv4=sigv4)
    if mode == "basic" and not user:
        raise InputError("--auth basic needs --user (or OPENSEARCH_USER) and OPENSEARCH_PASSWORD")
    if mode != "basic" and user:
        raise InputError(f"--auth {mode} takes no --user; drop it or use --auth basic")
    password = _password(user, password, env, ask_password)
    if mode == "basic":
        for target in (checked, dashboards or ""):
            if target.startswith("http://") and not is_local(target):
                warn(
                    f"Basic auth over plain HTTP to {urlsplit(target).hostname}: the password "
                    "crosses the network unencrypted; use an https:// URL"
                )
    return Connection(
        endpoint=checked,
        region=(region or sigv4_region_of(checked, env)) if mode == "sigv4" else "",
        user=user if mode == "basic" else None,
        password=password if mode == "basic" else None,
        dashboards_url=dashboards,
        sigv4=mode == "sigv4",
        ca_bundle=_ca_bundle(ca_bundle),
    )


class OpenSearchCluster:
    """One cluster, every request through opensearch-py; failures raise RemoteError."""

    def __init__(
        self, connection: Connection, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.connection = connection
        self.sleep = sleep
        self._client: OpenSearch | None = None

    @property
    def url(self) -> str:
        return self.connection.url

    @property
    def client(self) -> OpenSearch:
        """The opensearch-py client, created on first use (the SigV4 credentials with it)."""
        if self._client is None:
            self._client = self.run("connecting", lambda: make_client(self.connection))
        return self._client

    def info(self) -> dict[str, Any]:
        """GET /: checks the URL and the credentials before any real work."""
        return self.run("checking the connection (GET /)", lambda: self.client.info())

    def search(self, index: str, query: dict[str, Any]) -> dict[str, Any]:
        answer = self.run(f"searching {index}", lambda: self.client.search(index=index, body=query))
        return answer if isinstance(answer, dict) else {}

    def refresh(self, index: str) -> None:
        self.run(f"refreshing {index}", lambda: self.client.indices.refresh(index=index))

    def bulk(
        self, items: Sequence[str], *, before_send: Callable[[int], None] | None = None
    ) -> list[dict[str, Any]]:
        """Each item's result; items refused as too busy (429) are retried with backoff."""
        return self.run(
            "indexing documents (_bulk)",
            lambda: bulk(
                self.connection,
                self.client,
                items,
                retries=BULK_RETRIES,
                sleep=self.sleep,
                before_send=before_send,
            ),
        )

    def run(self, step: str, action: Callable[[], T]) -> T:
        """Run one exchange with OpenSearch (or Dashboards); every failure becomes a RemoteError
        that says what to fix."""
        try:
            return call(self.connection, step, action)
        except OpenSearchContentError as error:
            raise remote_error(self.connection, step, error) from None


def remote_error(connection: Connection, step: str, error: OpenSearchContentError) -> RemoteError:
    """The one mapping of OpenSearch failures (opensearch-py's, via `opensearch.client`) to the
    command line's errors."""
    cause = error.__cause__
    if isinstance(error, OpenSearchUnauthorizedError) and cause is None:
        return RemoteError(
            "--auth sigv4 (the default for an Amazon OpenSearch Service endpoint): no AWS "
            "credentials found; set AWS_PROFILE or run `aws sso login`, or pass --user (the "
            "password in OPENSEARCH_PASSWORD)"
        )
    if isinstance(error, OpenSearchUnreachableError):
        return RemoteError(
            f"cannot reach OpenSearch at {connection.url} ({_network_reason(cause)}); check the "
            "URL, the network and that the domain allows your address"
        )
    detail = reason(cause) if isinstance(cause, TransportError) else str(error)
    if error.status in (401, 403):
        return RemoteError(
            f"OpenSearch at {connection.url} refused the request (HTTP {error.status}: {detail}); "
            "check --user and OPENSEARCH_PASSWORD (or OPENSEARCH_USER) or the AWS "
            "credentials of --sigv4, and that this identity may write lambda-logs-*"
        )
    if not error.status:  # not an HTTP error answer: the message says what happened
        return RemoteError(str(error))
    return RemoteError(
        f"OpenSearch answered HTTP {error.status} while {step}: {detail}; fix the cause and "
        "re-run the same command"
    )


def _network_reason(cause: BaseException | None) -> str:
    """The telling part of a connection failure (opensearch-py nests requests' and urllib3's)."""
    text = str(getattr(cause, "error", None) or cause)
    found = _NETWORK_REASON.search(text)
    return found.group(0).strip() if found else text[:200]
