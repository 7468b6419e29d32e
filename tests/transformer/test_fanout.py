"""Fan-out: N events → N documents, nothing lost and nothing duplicated, within every limit."""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from itertools import pairwise
from typing import Any

import pytest

from lambdalogs.local.firehose import deliver, opensearch_document
from tests.transformer.helpers import (
    Context,
    FlakyFirehose,
    cw_record,
    events,
    run,
)
from transformer.reingest import MAX_BATCH_BYTES, MAX_BATCH_RECORDS, batch_bounds
from transformer.response import RESPONSE_BUDGET_BYTES


@pytest.mark.parametrize("count", [1, 1_000, 10_000])
def test_a_record_of_n_events_gives_exactly_n_documents(count: int) -> None:
    # GIVEN one CloudWatch record holding `count` events
    record = cw_record(events(count))
    # WHEN Firehose runs it through the transformer, re-ingested records included
    delivery = deliver([record])
    # THEN every event is delivered exactly once
    ids = Counter(doc["aws.cloudwatch.event_id"] for doc in delivery.documents)
    assert len(ids) == count and set(ids.values()) == {1}
    assert delivery.reingested == count - 1
    assert not delivery.failed


def test_extra_documents_are_reingested_in_batches_within_the_limits() -> None:
    # GIVEN 1,500 events of ~9 KB each (14 MB of documents: 500 of them exceed 4 MiB)
    firehose = FlakyFirehose()
    record = cw_record(events(1_500, text="{i} " + "x" * 9_000))
    # WHEN the transformer handles the record
    result = run([record], firehose=firehose)
    # THEN one document is inline and 1,499 were put in calls of ≤ 500 records and ≤ 4 MiB
    assert [r["result"] for r in result.response["records"]] == ["Ok"]
    assert sum(n for n, _ in firehose.call_sizes) == 1_499
    assert all(
        n <= MAX_BATCH_RECORDS and size <= MAX_BATCH_BYTES for n, size in firehose.call_sizes
    )
    # the byte limit, not only the count, cut the batches
    assert any(n < MAX_BATCH_RECORDS for n, _ in firehose.call_sizes[:-1])
    assert all(data.startswith(b'{"@timestamp":"') for data in firehose.pending)


def test_reingested_documents_pass_through_unchanged_and_are_never_reingested_again() -> None:
    # GIVEN documents the transformer re-ingested earlier
    first = FlakyFirehose()
    run([cw_record(events(5))], firehose=first)
    documents = first.take()
    # WHEN they come back through the transformer
    second = FlakyFirehose()
    result = run(documents, firehose=second)
    # THEN each passes Ok with its data unchanged, and nothing is put into the stream
    assert [r["result"] for r in result.response["records"]] == ["Ok"] * 4
    assert [base64.b64decode(r["data"]) for r in result.response["records"]] == documents
    assert second.call_sizes == []
    assert result.summary()["passthrough"] == 4


def test_throttling_and_partial_failures_are_retried_without_loss_or_duplicates() -> None:
    # GIVEN a stream that throttles twice, then fails 100 and 7 records of the next calls
    firehose = FlakyFirehose(plan=["ServiceUnavailableException", "ThrottlingException", 100, 7])
    sleeps: list[float] = []
    # WHEN a record of 800 events is handled
    result = run([cw_record(events(800))], firehose=firehose, sleep=sleeps.append)
    # THEN all 799 extra documents reached the stream exactly once, after backoff
    assert result.response["records"][0]["result"] == "Ok"
    ids = Counter(json.loads(d)["aws.cloudwatch.event_id"] for d in firehose.pending)
    assert len(ids) == 799 and set(ids.values()) == {1}
    # 500 + 299: round 1 both calls raise, round 2 both partly fail, round 3 resends the 107
    assert [n for n, _ in firehose.call_sizes] == [500, 299, 500, 299, 107]
    assert len(sleeps) == 2 and all(0 <= s <= 5.0 for s in sleeps)
    assert result.summary()["reingest_retries"] > 0


def test_a_permanent_failure_answers_processing_failed_with_the_original_data() -> None:
    # GIVEN a stream that does not exist
    firehose = FlakyFirehose(plan=["ResourceNotFoundException"] * 10)
    record = cw_record(events(3))
    # WHEN the record is handled
    result = run([record], firehose=firehose)
    # THEN it is ProcessingFailed carrying exactly its input data (for S3 processing-failed/)
    answer = result.response["records"][0]
    assert answer["result"] == "ProcessingFailed"
    assert base64.b64decode(answer["data"]) == record
    assert "ResourceNotFoundException" in " ".join(result.summary()["errors"])


def test_when_time_runs_out_the_record_fails_instead_of_being_lost() -> None:
    # GIVEN a stream that keeps throttling and an invocation with 4 seconds left
    firehose = FlakyFirehose(plan=["ThrottlingException"] * 1_000)
    records = [cw_record(events(3)), cw_record(events(1, start_ms=2_000_000_000_000))]
    # WHEN the records are handled
    result = run(records, firehose=firehose, context=Context(remaining_ms=4_000))
    # THEN the record with extra events fails whole; the single-event record is still Ok
    assert [r["result"] for r in result.response["records"]] == ["ProcessingFailed", "Ok"]
    assert base64.b64decode(result.response["records"][0]["data"]) == records[0]


def test_a_failure_of_one_record_leaves_the_others_delivered() -> None:
    # GIVEN two records whose extra documents share one call that fails permanently, then a third
    firehose = FlakyFirehose(plan=["InvalidArgumentException"])
    records = [cw_record(events(2)), cw_record(events(2, start_ms=1_800_000_000_000))]
    result = run(records, firehose=firehose)
    # THEN both owners of the failed call are ProcessingFailed, each with its own original
    for answer, record in zip(result.response["records"], records, strict=True):
        assert answer["result"] == "ProcessingFailed"
        assert base64.b64decode(answer["data"]) == record


def test_the_response_stays_under_6_mb_for_a_6_mb_request() -> None:
    # GIVEN a request near 6 MB of poorly compressible records (each ~5 KB gzip, 20 events)
    import random

    rng = random.Random(7)
    records: list[bytes] = []
    size = 0
    while size < 5_900_000:
        text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(250))
        record = cw_record(events(20, start_ms=1_700_000_000_000 + len(records) * 100, text=text))
        records.append(record)
        size += len(base64.b64encode(record)) + 80
    firehose = FlakyFirehose()
    # WHEN the transformer handles it
    result = run(records, firehose=firehose)
    # THEN the response is under the budget and every event is either inline or re-ingested
    response_size = len(json.dumps(result.response))
    assert response_size <= RESPONSE_BUDGET_BYTES
    inline = [r for r in result.response["records"] if r["result"] == "Ok"]
    dropped = [r for r in result.response["records"] if r["result"] == "Dropped"]
    assert len(inline) + len(dropped) == len(records)
    assert len(inline) + len(firehose.pending) == 20 * len(records)


def test_control_messages_are_dropped_and_bad_input_fails_with_its_original_data() -> None:
    control = gzip.compress(
        json.dumps(
            {
                "messageType": "CONTROL_MESSAGE",
                "owner": "CloudwatchLogs",
                "logGroup": "",
                "logStream": "",
                "subscriptionFilters": [],
                "logEvents": [],
            }
        ).encode()
    )
    not_json = gzip.compress(b"{not json")
    truncated_gzip = cw_record(events(2))[:-8]
    records = [control, b"plain bytes", not_json, truncated_gzip, gzip.compress(b"[1, 2]")]
    result = run(records)
    results = [r["result"] for r in result.response["records"]]
    assert results == [
        "Dropped",
        "ProcessingFailed",
        "ProcessingFailed",
        "ProcessingFailed",
        "ProcessingFailed",
    ]
    for answer, record in zip(result.response["records"], records, strict=True):
        assert base64.b64decode(answer["data"]) == record


def test_log_groups_outside_the_prefixes_are_dropped_but_custom_groups_of_functions_kept() -> None:
    foreign = cw_record(events(2), group="/ecs/web", stream="web/web/3f2a")
    custom = cw_record(events(2), group="/shared/payments", stream="2026/11/20/pay-fn[$LATEST]abc")
    result = run([foreign, custom])
    assert [r["result"] for r in result.response["records"]] == ["Dropped", "Ok"]
    document = result.documents()[0]
    assert document["faas.name"] == "pay-fn" and document["faas.version"] == "$LATEST"


def test_an_event_without_a_stream_arn_cannot_fan_out_and_fails_safely() -> None:
    from lambdalogs.local.firehose import firehose_event
    from transformer.cost import StaticArchitectures
    from transformer.handler import process
    from transformer.settings import Settings

    record = cw_record(events(2))
    event = firehose_event([record], "")
    response = process(
        event,
        Context(),
        firehose=FlakyFirehose(),
        architectures=StaticArchitectures(),
        settings=Settings(),
        log=lambda _l: None,
    )
    assert response["records"][0]["result"] == "ProcessingFailed"


@pytest.mark.parametrize(
    "sizes",
    [
        [],
        [1],
        [10] * 1_234,
        [MAX_BATCH_BYTES // 3] * 7,
        [MAX_BATCH_BYTES + 1, 5, MAX_BATCH_BYTES, 1],
        [(i * 7919) % 40_000 for i in range(3_000)],
    ],
)
def test_batch_bounds_cover_every_document_once_within_the_limits(sizes: list[int]) -> None:
    bounds = batch_bounds(sizes)
    # contiguous and complete: every document in exactly one batch, in order
    assert [i for start, end in bounds for i in range(start, end)] == list(range(len(sizes)))
    for start, end in bounds:
        assert 1 <= end - start <= MAX_BATCH_RECORDS
        # over the byte limit only when a single document is (PutRecordBatch then refuses it)
        assert sum(sizes[start:end]) <= MAX_BATCH_BYTES or end - start == 1
    # greedy: no batch could have taken the next document as well
    for (start, end), (following, _) in pairwise(bounds):
        assert end == following
        assert end - start == MAX_BATCH_RECORDS or sum(sizes[start : end + 1]) > MAX_BATCH_BYTES


def test_the_local_firehose_refuses_documents_opensearch_would_refuse() -> None:
    assert opensearch_document(b'{"@timestamp":"x","a":1}') == {"@timestamp": "x", "a": 1}
    with pytest.raises(ValueError, match=r"duplicate field 'faas\.version'"):
        opensearch_document(b'{"faas.version":"1","message":"m","faas.version":"2"}')
    with pytest.raises(ValueError, match="duplicate field 'k'"):
        opensearch_document(b'{"json":{"k":1,"k":2}}')


def test_malformed_log_events_still_become_documents_with_what_they_hold() -> None:
    # GIVEN a record whose events miss keys, carry non-string messages, or are not objects
    at = 1_795_169_647_121
    odd: list[Any] = [
        {"id": "1", "timestamp": at, "message": "whole"},
        {"id": "2", "message": "no timestamp"},
        {"timestamp": at, "message": "no id"},
        {"id": "4", "timestamp": at, "message": {"a": 1}},
        {"id": "5", "timestamp": "yesterday", "message": None},
        "a bare string",
        42,
    ]
    # WHEN it goes through the transformer
    delivery = deliver([cw_record(odd)])
    # THEN each event is one document, its text kept as it came (JSON for what is not text)
    by_message = {doc["message"]: doc for doc in delivery.documents}
    assert sorted(by_message) == sorted(
        ["whole", "no timestamp", "no id", '{"a":1}', "", '"a bare string"', "42"]
    )
    assert by_message["whole"]["@timestamp"] == "2026-11-20T10:14:07.121Z"
    assert by_message["whole"]["aws.cloudwatch.event_id"] == "1"
    assert by_message["no timestamp"]["@timestamp"].endswith("Z")  # the time it was handled
    assert "aws.cloudwatch.event_id" not in by_message["no id"]
    assert by_message["no id"]["@timestamp"] == "2026-11-20T10:14:07.121Z"
    assert not delivery.failed
