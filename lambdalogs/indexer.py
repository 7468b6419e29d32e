"""Bulk-index documents into OpenSearch in batches: rate limit, retries, idempotent ids."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from lambdalogs import bulk
from lambdalogs.cluster import Cluster
from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document
from lambdalogs.errors import RemoteError

DEFAULT_BATCH: Final = 500
ITEM_RETRIES: Final = 4


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


class Indexer:
    """Sends documents with `_bulk`; `create` never overwrites, `index` overwrites in place.

    Both use the deterministic `_id` of `documents.document_id`, so repeating a batch can never
    duplicate a document. Items rejected with 429 are retried with backoff; any other rejected
    item stops the run with a RemoteError (what was sent before is indexed and stays).
    """

    def __init__(
        self,
        cluster: Cluster,
        *,
        prefix: str = DEFAULT_INDEX_PREFIX,
        action: bulk.Action = "create",
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._cluster = cluster
        self._prefix = prefix
        self._action: bulk.Action = action
        self._limiter = limiter or RateLimiter(None)
        self._sleep = sleep

    def send(self, documents: Sequence[Document]) -> IndexCounts:
        counts = IndexCounts()
        pending = list(documents)
        for attempt in range(ITEM_RETRIES + 1):
            if not pending:
                break
            if attempt:
                self._sleep(min(0.5 * 2**attempt, 8.0))
            self._limiter.acquire(len(pending))
            answer = self._cluster.bulk(
                bulk.encode(pending, prefix=self._prefix, action=self._action)
            )
            pending = self._settle(pending, answer, counts)
        if pending:
            raise RemoteError(
                f"OpenSearch kept rejecting {len(pending)} documents as too busy (HTTP 429); "
                "lower --rate and re-run the same command"
            )
        return counts

    def _settle(
        self, sent: list[Document], answer: dict[str, Any], counts: IndexCounts
    ) -> list[Document]:
        items = answer.get("items")
        if not isinstance(items, list) or len(items) != len(sent):
            raise RemoteError("OpenSearch answered _bulk without one item per document; retry")
        retry: list[Document] = []
        for document, item in zip(sent, items, strict=True):
            result = next(iter(item.values())) if isinstance(item, dict) and item else {}
            status = int(result.get("status", 500))
            if status < 300:
                counts.indexed += 1
            elif status == 409:
                counts.already_present += 1
            elif status == 429:
                retry.append(document)
            else:
                raise RemoteError(
                    f"OpenSearch rejected a document ({_reason(result)}); fix the cause and "
                    "re-run the same command (nothing is indexed twice)"
                )
        return retry


def batches(documents: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for start in range(0, len(documents), size):
        yield documents[start : start + size]


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return f"HTTP {result.get('status')}"
