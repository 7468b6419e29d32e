"""Fan-out: N events → N documents, nothing lost and nothing duplicated, within every limit."""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from typing import Any

import pytest

from lambda_shared.limits import PUT_RECORD_BATCH_BUDGET_BYTES as MAX_BATCH_BYTES
from lambda_shared.limits import PUT_RECORD_BATCH_MAX_RECORDS as MAX_BATCH_RECORDS
from lambdalogs.local.firehose import deliver, opensearch_document
from tests.transformer.helpers import (
    Context,
    FlakyFirehose,
    cw_record,
    events,
    run,
)
from transformer.budget import RESPONSE_BUDGET_BYTES
from transformer.reingest import RESERVE_SECONDS


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


class SlowFirehose(FlakyFirehose):
    """Each call takes `seconds` of the invocation's time, on the context's clock."""

    def __init__(self, context: Context, seconds: float) -> None:
        super().__init__(plan=["ServiceUnavailableException"] * 1_000)
        self.context = context
        self.seconds = seconds
        self.started_at_ms: list[int] = []

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        self.started_at_ms.append(self.context.remaining_ms)
        self.context.remaining_ms -= int(self.seconds * 1000)
        return super().put_record_batch(**kwargs)


def test_no_call_starts_unless_its_worst_case_fits_before_the_deadline() -> None:
    # GIVEN a Firehose whose every call takes 20 s and fails, and 70 s left in the invocation
    context = Context(remaining_ms=70_000)
    firehose = SlowFirehose(context, seconds=20.0)
    record = cw_record(events(3))
    # WHEN the record is handled
    result = run([record], firehose=firehose, context=context)
    # THEN every call started with a call's worst case (23 s) and the answer's margin left,
    # so the invocation never ran past its timeout; the record fails whole, kept for replay
    assert firehose.started_at_ms and min(firehose.started_at_ms) >= RESERVE_SECONDS * 1000
    assert context.remaining_ms > 0
    assert result.response["records"][0]["result"] == "ProcessingFailed"
    assert base64.b64decode(result.response["records"][0]["data"]) == record


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


@pytest.mark.parametrize("depth", [1_000, 2_000])
def test_one_deeply_nested_json_line_costs_only_its_own_parse(depth: int) -> None:
    # GIVEN a record whose middle event is a JSON request body nested `depth` levels
    deep = '{"body":' + '{"a":' * depth + "1" + "}" * depth + "}"
    record = cw_record(
        [*events(2), {"id": "deep", "timestamp": 1_795_169_647_500, "message": deep}]
    )
    # WHEN it goes through the transformer
    delivery = deliver([record])
    # THEN no event is lost: the deep line is indexed as text, flagged, the others as parsed
    assert not delivery.failed
    by_id = {doc["aws.cloudwatch.event_id"]: doc for doc in delivery.documents}
    assert len(by_id) == 3
    assert by_id["deep"]["message"] == deep and by_id["deep"]["event.unparsed"] is True
    assert "json" not in by_id["deep"]
    assert all("event.unparsed" not in doc for key, doc in by_id.items() if key != "deep")
