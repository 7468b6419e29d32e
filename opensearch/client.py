"""Connections to an OpenSearch domain (and its Dashboards), and errors that say what to fix."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from opensearchpy import OpenSearch, RequestsHttpConnection
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import SerializationError, TransportError

from lambda_shared.backoff import RetryPolicy
from opensearch.connection import (
    DEFAULT_TIMEOUT_SECONDS,
    Connection,
    OpenSearchContentError,
    OpenSearchForbiddenError,
    OpenSearchRequestError,
    OpenSearchUnauthorizedError,
    OpenSearchUnreachableError,
    error_reason,
    no_credentials_error,
    no_region_error,
    not_json,
    status_error,
    unreachable,
)

T = TypeVar("T")

__all__ = [
    "BULK_BACKOFF",
    "BULK_RETRIES",
    "DEFAULT_TIMEOUT_SECONDS",
    "TOO_MANY_REQUESTS",
    "Connection",
    "OpenSearchContentError",
    "OpenSearchForbiddenError",
    "OpenSearchPyBackend",
    "OpenSearchRequestError",
    "OpenSearchUnauthorizedError",
    "OpenSearchUnreachableError",
    "backoff_seconds",
    "bulk",
    "call",
    "from_status",
    "make_client",
    "reason",
    "unreachable",
]

TOO_MANY_REQUESTS: Final = 429
BULK_RETRIES: Final = 4  # sends of the items refused as too busy, after 1, 2, 4 and 8 s


def _auth(connection: Connection) -> Any:
    if connection.user:
        return (connection.user, connection.password or "")
    if not connection.sigv4:
        return None
    import boto3
    from opensearchpy import AWSV4SignerAuth

    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise no_credentials_error()
    if not connection.region:
        raise no_region_error()
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
        raise not_json(connection, step, exc) from exc


def from_status(connection: Connection, step: str, exc: TransportError) -> OpenSearchContentError:
    status = exc.status_code if isinstance(exc.status_code, int) else 0
    return status_error(connection, step, status, exc.info, str(exc.error))


def reason(exc: TransportError) -> str:
    """The most specific reason in an OpenSearch error answer."""
    return error_reason(exc.info, str(exc.error))


class OpenSearchPyBackend:
    """The content applier's requests through opensearch-py (`opensearch.transport.Backend`)."""

    def transport(self, connection: Connection, url: str) -> Any:
        return make_client(connection, url).transport

    def call(self, connection: Connection, step: str, action: Callable[[], T]) -> T:
        return call(connection, step, action)


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
