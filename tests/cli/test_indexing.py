"""Bulk indexing: items OpenSearch refuses as too busy (429) are sent again, with backoff."""

from __future__ import annotations

from typing import Any

import pytest

from lambdalogs.errors import RemoteError
from lambdalogs.search.cluster import OpenSearchCluster, connection_for
from lambdalogs.search.indexing import BulkIndexer
from opensearch.client import BULK_RETRIES
from tests.cli.conftest import stored
from tests.fakes.opensearch_http import FakeOpenSearch, RecordedRequest, Reply

DOCUMENTS = [
    {
        "@timestamp": f"2026-11-20T10:14:0{i}.000Z",
        "message": f"m{i}",
        "aws.cloudwatch.event_id": str(i),
    }
    for i in range(3)
]


def _busy_for(positions: set[int]) -> Any:
    """A `_bulk` answer that refuses the items at `positions` with 429 and accepts the rest."""

    def answer(request: RecordedRequest) -> Reply:
        count = len([line for line in request.body.splitlines() if line.strip()]) // 2
        items = [
            {"create": {"status": 429 if i in positions else 201, "error": {"type": "busy"}}}
            for i in range(count)
        ]
        return Reply(200, {"errors": bool(positions), "items": items})

    return answer


def _indexer(fake: FakeOpenSearch, sleeps: list[float]) -> BulkIndexer:
    connection = connection_for(fake.url, None, None, env={})
    return BulkIndexer(OpenSearchCluster(connection, sleep=sleeps.append))


def test_items_refused_as_busy_are_retried_alone_after_a_pause(fake: FakeOpenSearch) -> None:
    # GIVEN OpenSearch refuses the second of three documents once with 429
    fake.route("POST", r"/_bulk", _busy_for({1}), times=1)
    sleeps: list[float] = []
    indexer = _indexer(fake, sleeps)
    # WHEN the batch is sent
    counts = indexer.send(DOCUMENTS)
    # THEN only the refused document goes again, after a backoff, and all three are indexed
    bulks = fake.requests_to(r"/_bulk")
    assert len(bulks) == 2
    assert b'"message":"m1"' in bulks[1].body and b'"message":"m0"' not in bulks[1].body
    assert len(sleeps) == 1 and 0.0 <= sleeps[0] <= 1.0  # full jitter up to 1 s
    assert counts.indexed == 3
    assert sorted(doc["message"] for doc in stored(fake)) == ["m1"]  # the fake stored the retry


def test_a_cluster_that_stays_busy_stops_the_run_with_what_to_do(fake: FakeOpenSearch) -> None:
    fake.route("POST", r"/_bulk", _busy_for({0, 1, 2}))
    sleeps: list[float] = []
    with pytest.raises(RemoteError, match=r"kept rejecting 3 documents.*lower --rate"):
        _indexer(fake, sleeps).send(DOCUMENTS)
    assert len(fake.requests_to(r"/_bulk")) == BULK_RETRIES + 1
    assert len(sleeps) == 4  # full jitter up to 1, 2, 4, 8 s
    assert all(0.0 <= slept <= cap for slept, cap in zip(sleeps, [1.0, 2.0, 4.0, 8.0], strict=True))


def test_a_whole_request_refused_as_busy_is_sent_again_after_a_pause(
    fake: FakeOpenSearch,
) -> None:
    # GIVEN OpenSearch answers the first _bulk request itself with HTTP 429
    fake.fail(429, path=r"/_bulk", times=1)
    sleeps: list[float] = []
    # WHEN a batch is sent THEN it goes again after a backoff and every document is indexed
    counts = _indexer(fake, sleeps).send(DOCUMENTS)
    assert len(fake.requests_to(r"/_bulk")) == 2
    assert len(sleeps) == 1 and 0.0 <= sleeps[0] <= 1.0  # full jitter up to 1 s
    assert counts.indexed == 3
    assert sorted(doc["message"] for doc in stored(fake)) == ["m0", "m1", "m2"]


def test_a_document_refused_for_another_reason_stops_with_the_reason(
    fake: FakeOpenSearch,
) -> None:
    def refused(request: RecordedRequest) -> Reply:
        items = [{"create": {"status": 400, "error": {"type": "mapper_parsing_exception"}}}]
        return Reply(200, {"errors": True, "items": items * 3})

    fake.route("POST", r"/_bulk", refused)
    with pytest.raises(RemoteError, match=r"mapper_parsing_exception.*re-run the same command"):
        _indexer(fake, []).send(DOCUMENTS)
    assert len(fake.requests_to(r"/_bulk")) == 1
