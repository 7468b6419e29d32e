"""Connections to an OpenSearch domain (and its Dashboards), and errors that say what to fix."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from opensearchpy import OpenSearch, RequestsHttpConnection
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import SerializationError, TransportError

from lambda_shared.backoff import RetryPolicy

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS: Final = 30.0
TOO_MANY_REQUESTS: Final = 429
BULK_RETRIES: Final = 4  # sends of the items refused as too busy, after 1, 2, 4 and 8 s


class OpenSearchContentError(RuntimeError):
    """Applying the OpenSearch content failed; the message names the cause and the fix."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class OpenSearchUnreachableError(OpenSearchContentError):
    """The endpoint did not answer (DNS, network, VPC, security group, allowed CIDRs)."""


class OpenSearchUnauthorizedError(OpenSearchContentError):
    """HTTP 401: wrong master user or password, or no valid AWS credentials for SigV4."""


class OpenSearchForbiddenError(OpenSearchContentError):
    """HTTP 403: the identity is authenticated but not allowed."""


class OpenSearchRequestError(OpenSearchContentError):
    """Any other error answer from OpenSearch or Dashboards."""


@dataclass(frozen=True)
class Connection:
    """Where and how to connect.

    `endpoint` is a domain endpoint host (`search-x.eu-west-1.es.amazonaws.com`, https assumed)
    or a URL (`http://localhost:9200`). With `user` and `password` requests use Basic auth (the
    fine-grained access control master user); otherwise they are signed with SigV4 using the
    default boto3 credentials for `region` (with `sigv4=False` and no user: no authentication,
    for a cluster without the security plugin). `dashboards_url` defaults to
    `<endpoint>/_dashboards` (Amazon OpenSearch Service); for a local OpenSearch Dashboards give
    e.g. `http://localhost:5601`.
    """

    endpoint: str
    region: str = ""
    user: str | None = None
    password: str | None = None
    dashboards_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = 2
    verify_certs: bool = True
    sigv4: bool = True
    ca_bundle: str | None = None
    """A PEM file of the CAs to trust (a private CA); None: the system's (certifi's) CAs."""

    @property
    def url(self) -> str:
        endpoint = self.endpoint.strip().rstrip("/")
        if not endpoint:
            raise OpenSearchContentError(
                "the OpenSearch endpoint is empty: pass the domain endpoint (host, no scheme)"
            )
        return endpoint if "://" in endpoint else f"https://{endpoint}"

    @property
    def dashboards(self) -> str:
        return (self.dashboards_url or f"{self.url}/_dashboards").rstrip("/")

    @property
    def auth_description(self) -> str:
        if self.user:
            return f"the master user {self.user!r} (Basic auth)"
        if not self.sigv4:
            return "no authentication"
        return "the deploying AWS identity (SigV4)"


def _auth(connection: Connection) -> Any:
    if connection.user:
        return (connection.user, connection.password or "")
    if not connection.sigv4:
        return None
    import boto3
    from opensearchpy import AWSV4SignerAuth

    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise OpenSearchUnauthorizedError(
            "no AWS credentials found to sign requests to OpenSearch (SigV4): configure AWS "
            "credentials for the deployment (AWS_PROFILE, environment, SSO) or set the master "
            "user name and password in the stack configuration"
        )
    if not connection.region:
        raise OpenSearchContentError("SigV4 needs the domain's region: pass Connection.region")
    return AWSV4SignerAuth(credentials, connection.region, "es")


def make_client(connection: Connection, url: str | None = None) -> OpenSearch:
    """An opensearch-py client for `url` (default: the endpoint), with the connection's auth."""
    target = url or connection.url
    return OpenSearch(
        hosts=[target],
        http_auth=_auth(connection),
        use_ssl=urlsplit(target).scheme == "https",
        verify_certs=connection.verify_certs,
        ca_certs=connection.ca_bundle,
        ssl_show_warn=connection.verify_certs,
        connection_class=RequestsHttpConnection,
        timeout=connection.timeout,
        max_retries=connection.max_retries,
        retry_on_timeout=True,
    )


def call(connection: Connection, step: str, action: Callable[[], T]) -> T:
    """Run one request; turn any failure into an OpenSearchContentError naming cause and fix."""
    try:
        return action()
    except OpenSearchConnectionError as exc:
        raise unreachable(connection, step, exc) from exc
    except TransportError as exc:
        raise from_status(connection, step, exc) from exc
    except SerializationError as exc:
        raise OpenSearchRequestError(
            f"{connection.url} did not answer with JSON while {step} ({exc}); is it an "
            "OpenSearch endpoint?"
        ) from exc


def unreachable(connection: Connection, step: str, exc: Exception) -> OpenSearchContentError:
    return OpenSearchUnreachableError(
        f"cannot reach OpenSearch at {connection.url} while {step} ({exc}). Check the endpoint; "
        "a VPC domain is reachable only from inside its VPC (run `pulumi up` from a host in the "
        "VPC, or through a VPN/tunnel), and a public domain only from the allowed CIDRs of its "
        "access policy: add this machine's IP to the allowed CIDRs in the stack configuration"
    )


def from_status(connection: Connection, step: str, exc: TransportError) -> OpenSearchContentError:
    status = exc.status_code if isinstance(exc.status_code, int) else 0
    detail = reason(exc)
    where = f"OpenSearch at {connection.url} answered {status} while {step}"
    if status == 401:
        return OpenSearchUnauthorizedError(
            f"{where}: {detail}. The credentials were rejected ({connection.auth_description}): "
            "fix the master user name/password in the stack configuration, or, with SigV4, "
            "refresh the deploying AWS credentials",
            status,
        )
    if status == 403:
        return OpenSearchForbiddenError(
            f"{where}: {detail}. {connection.auth_description} is authenticated but not allowed: "
            "with fine-grained access control, map the deploying IAM role/user to the "
            "`all_access` and `security_manager` roles (or make it the master user, or deploy "
            "with the master user name and password); also check that the domain access policy "
            "allows this identity",
            status,
        )
    return OpenSearchRequestError(f"{where}: {detail}", status)


def reason(exc: TransportError) -> str:
    """The most specific reason in an OpenSearch error answer."""
    info = exc.info
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            causes = error.get("root_cause") or []
            first = causes[0] if causes and isinstance(causes[0], dict) else error
            return f"{first.get('type', 'error')}: {first.get('reason', error)}"
        if error:
            return str(error)
        if "message" in info:
            return str(info["message"])
    return str(info or exc.error)


BULK_BACKOFF: Final = RetryPolicy(max_attempts=None, base_seconds=1.0, cap_seconds=8.0)
"""Before resend number `attempt` (1, 2, …) of refused items: full jitter up to 1, 2, 4, 8 s
(lambda_shared.backoff, the one formula of the project)."""


def backoff_seconds(attempt: int) -> float:
    return BULK_BACKOFF.delay(attempt - 1)


def bulk(
    connection: Connection,
    client: OpenSearch,
    items: Sequence[str],
    *,
    retries: int = BULK_RETRIES,
    sleep: Callable[[float], None] = time.sleep,
    before_send: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """`_bulk` the items (each an action line and its document line, NDJSON) and return each
    item's result (`status`, `error`, …) in their order.

    The items OpenSearch refuses as too busy (HTTP 429, per item or for the whole request) are
    sent again alone after `backoff_seconds`, up to `retries` times; an item still refused keeps
    its 429 result. `before_send(count)` runs before each send (e.g. a rate limit). Any other
    failure raises like `call`."""
    results: list[dict[str, Any]] = [{} for _ in items]
    pending = list(range(len(items)))
    for attempt in range(retries + 1):
        if not pending:
            break
        if attempt:
            sleep(backoff_seconds(attempt))
        if before_send is not None:
            before_send(len(pending))
        answered = _bulk_once(connection, client, [items[i] for i in pending])
        for position, result in zip(pending, answered, strict=True):
            results[position] = result
        pending = [i for i in pending if results[i].get("status") == TOO_MANY_REQUESTS]
    return results


def _bulk_once(
    connection: Connection, client: OpenSearch, items: list[str]
) -> list[dict[str, Any]]:
    step = f"indexing {len(items)} documents (_bulk)"
    try:
        answer = call(connection, step, lambda: client.bulk(body="".join(items)))
    except OpenSearchRequestError as exc:
        if exc.status != TOO_MANY_REQUESTS:
            raise
        return [{"status": TOO_MANY_REQUESTS, "error": {"reason": str(exc)}} for _ in items]
    found = answer.get("items") if isinstance(answer, dict) else None
    if not isinstance(found, list) or len(found) != len(items):
        raise OpenSearchRequestError(
            f"OpenSearch at {connection.url} answered _bulk without one item per document; "
            "repeat the request"
        )
    return [_item_result(item) for item in found]


def _item_result(item: Any) -> dict[str, Any]:
    """`{"create": {...}}` → `{...}`; a malformed item reads as a server error."""
    result = next(iter(item.values()), None) if isinstance(item, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("status"), int):
        return {"status": 500, "error": {"type": "malformed", "reason": str(item)[:200]}}
    return result
