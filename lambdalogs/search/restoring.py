"""Indexing restored documents without ever creating a duplicate: the engine `replay` and
`backfill` share.

An event already seen in this run is skipped; an event some index already holds is skipped (the
distinct `aws.cloudwatch.event_id`s of each batch that the indices hold, however many copies
they hold); documents are created under a `_id` derived from the event id, so even a batch
repeated after a crash can never create a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, Protocol

from lambdalogs.documents import Document, event_id
from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.search.indexing import BulkIndexer, RateLimiter, batches

EVENT_ID: Final = "aws.cloudwatch.event_id"
# Ids per existence query: under OpenSearch's terms-query (65,536) and bucket (65,535) limits.
EXISTENCE_QUERY_IDS: Final = 10_000


class RestoreCounts(Protocol):
    """What a restoring command counts (its own counts dataclass has these fields)."""

    selected: int
    duplicates: int  # the same event twice in what was read
    already_indexed: int
    indexed: int  # or, in a dry run, would be indexed


class RestoringIndexer:
    """Indexes what is not in OpenSearch yet; counts into `counts`. Without a cluster (or in a
    dry run) it only counts what it would index."""

    def __init__(
        self,
        cluster: OpenSearchCluster | None,
        counts: RestoreCounts,
        *,
        index_prefix: str,
        batch_size: int,
        dry_run: bool = False,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._cluster = cluster
        self._counts = counts
        self._index_prefix = index_prefix
        self._batch_size = batch_size
        self._indexer = (
            BulkIndexer(cluster, prefix=index_prefix, limiter=limiter or RateLimiter(None))
            if cluster is not None and not dry_run
            else None
        )
        self._seen: set[str] = set()

    def add(self, documents: Iterable[Document]) -> None:
        for batch in batches(self._fresh(documents), self._batch_size):
            missing = self._not_indexed(batch)
            self._counts.already_indexed += len(batch) - len(missing)
            if self._indexer is None:
                self._counts.indexed += len(missing)
            elif missing:
                sent = self._indexer.send(missing)
                self._counts.indexed += sent.indexed
                self._counts.already_indexed += sent.already_present

    def _fresh(self, documents: Iterable[Document]) -> list[Document]:
        """Documents whose event was not seen earlier in this run."""
        kept = []
        for document in documents:
            self._counts.selected += 1
            found = event_id(document)
            if found is not None and found in self._seen:
                self._counts.duplicates += 1
                continue
            if found is not None:
                self._seen.add(found)
            kept.append(document)
        return kept

    def _not_indexed(self, batch: Sequence[Document]) -> list[Document]:
        """The documents whose event id is not in OpenSearch yet.

        Asked as a terms aggregation (distinct ids), not as hits: an index that already holds
        an event twice (Firehose retries) would fill `size` hits with copies and hide others."""
        ids = sorted({found for found in map(event_id, batch) if found is not None})
        if self._cluster is None or not ids:
            return list(batch)
        present: set[str] = set()
        for start in range(0, len(ids), EXISTENCE_QUERY_IDS):
            present |= self._present(self._cluster, ids[start : start + EXISTENCE_QUERY_IDS])
        return [d for d in batch if event_id(d) not in present]

    def _present(self, cluster: OpenSearchCluster, ids: list[str]) -> set[str]:
        """Which of these event ids some document in the indices carries."""
        answer = cluster.search(
            f"{self._index_prefix}-*",
            {
                "size": 0,
                "query": {"terms": {EVENT_ID: ids}},
                "aggs": {"present": {"terms": {"field": EVENT_ID, "size": len(ids)}}},
            },
        )
        buckets = answer.get("aggregations", {}).get("present", {}).get("buckets", [])
        return {str(bucket.get("key")) for bucket in buckets if isinstance(bucket, dict)}
