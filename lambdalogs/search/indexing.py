"""Bulk-index documents into OpenSearch in batches: rate limit, idempotent ids, and what each
item's answer means (indexed, already there, or a refusal that stops the run)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document
from lambdalogs.errors import RemoteError
from lambdalogs.search import bulkfile
from lambdalogs.search.cluster import OpenSearchCluster
from opensearch.client import TOO_MANY_REQUESTS

DEFAULT_BATCH: Final = 500


class RateLimiter:
    """At most `per_second` documents per second on average (None: unlimited)."""

    def __init__(
        self,
        per_second: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._next_free: float | None = None

    def acquire(self, count: int) -> None:
        if not self._per_second:
            return
        now = self._clock()
        start = now if self._next_free is None else max(now, self._next_free)
        if start > now:
            self._sleep(start - now)
        self._next_free = start + count / self._per_second


@dataclass
class IndexCounts:
    indexed: int = 0
    already_present: int = 0  # `create` answered 409: a replay indexed it before


class BulkIndexer:
    """Sends documents with `_bulk`; `create` never overwrites, `index` overwrites in place.

    Both use the deterministic `_id` of `documents.document_id`, so repeating a batch can never
    duplicate a document. Items refused with 429 are retried with backoff (by
    `opensearch.client.bulk`); any other refused item stops the run with a RemoteError (what was
    sent before is indexed and stays).
    """

    def __init__(
        self,
        cluster: OpenSearchCluster,
        *,
        prefix: str = DEFAULT_INDEX_PREFIX,
        action: bulkfile.Action = "create",
        limiter: RateLimiter | None = None,
    ) -> None:
        self._cluster = cluster
        self._prefix = prefix
        self._action: bulkfile.Action = action
        self._limiter = limiter or RateLimiter(None)

    def send(self, documents: Sequence[Document]) -> IndexCounts:
        items = [bulkfile.item(d, prefix=self._prefix, action=self._action) for d in documents]
        results = self._cluster.bulk(items, before_send=self._limiter.acquire)
        counts = IndexCounts()
        busy = 0
        for result in results:
            status = int(result.get("status", 500))
            if status < 300:
                counts.indexed += 1
            elif status == 409:
                counts.already_present += 1
            elif status == TOO_MANY_REQUESTS:
                busy += 1
            else:
                raise RemoteError(
                    f"OpenSearch rejected a document ({_reason(result)}); fix the cause and "
                    "re-run the same command (nothing is indexed twice)"
                )
        if busy:
            raise RemoteError(
                f"OpenSearch kept rejecting {busy} documents as too busy (HTTP 429); "
                "lower --rate and re-run the same command"
            )
        return counts


def batches(documents: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for start in range(0, len(documents), size):
        yield documents[start : start + size]


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return f"HTTP {result.get('status')}"
