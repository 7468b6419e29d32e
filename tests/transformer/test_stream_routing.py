"""Re-ingestion into N delivery streams: with DELIVERY_STREAM_NAMES each record's documents go to
`lambda_shared.routing.route(its log group, names)`; without, to the batch's own stream. A
failing, throttled or late stream costs only the records routed to it; a routed stream not
there or not allowed yet (a scale-out under way) has its documents go to the batch's own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest

from lambda_shared.routing import route
from lambdalogs.local.firehose import opensearch_document
from tests.transformer.helpers import Context, Run, client_error, cw_record, events, run
from transformer.settings import Settings, SettingsError

NAMES = ("lambda-logs", "lambda-logs-2", "lambda-logs-3")
GROUPS = [f"/aws/lambda/service-{n}" for n in range(12)]


@dataclass
class StreamsFirehose:
    """Records what each stream received; `failing`: streams whose every call raises `error`;
    `throttled`: streams whose first call answers every record with a throttling ErrorCode."""

    failing: set[str] = field(default_factory=set)
    throttled: set[str] = field(default_factory=set)
    error: str = "AccessDeniedException"
    received: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        stream, records = kwargs["DeliveryStreamName"], kwargs["Records"]
        self.calls[stream] += 1
        if stream in self.failing:
            raise client_error(self.error)
        if stream in self.throttled and self.calls[stream] == 1:
            error = {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down"}
            return {"FailedPutCount": len(records), "RequestResponses": [error] * len(records)}
        self.received[stream].extend(bytes(r["Data"]) for r in records)
        answers = [{"RecordId": "ok"}] * len(records)
        return {"FailedPutCount": 0, "RequestResponses": answers}


def routed(names: tuple[str, ...] = NAMES) -> Settings:
    return Settings(region="eu-west-1", delivery_stream_names=names)


def groups_of(documents: list[bytes]) -> set[str]:
    return {opensearch_document(d)["aws.cloudwatch.log_group"] for d in documents}


def test_each_record_is_reingested_into_the_stream_its_group_routes_to() -> None:
    firehose = StreamsFirehose()
    records = [cw_record(events(5), group) for group in GROUPS]
    result = run(records, firehose=firehose, settings=routed())
    assert all(r["result"] == "Ok" for r in result.response["records"])
    expected: dict[str, set[str]] = defaultdict(set)
    for group in GROUPS:
        expected[route(group, NAMES)].add(group)
    assert len(expected) > 1, "the groups spread over several streams"
    assert {s: groups_of(docs) for s, docs in firehose.received.items()} == expected
    assert sum(len(d) for d in firehose.received.values()) == 4 * len(GROUPS)
    assert result.summary()["DocumentsReingested"] == 4 * len(GROUPS)
    # without names, every document goes back to the batch's own stream (helpers.STREAM_ARN)
    alone = StreamsFirehose()
    run(records, firehose=alone)
    assert set(alone.received) == {"lambda-logs"}


def test_a_failing_stream_fails_only_the_records_routed_to_it() -> None:
    broken = route(GROUPS[0], NAMES)
    firehose = StreamsFirehose(failing={broken}, error="InvalidKMSResourceException")
    records = [cw_record(events(5), group) for group in GROUPS]
    result = run(records, firehose=firehose, settings=routed())
    for group, answer in zip(GROUPS, result.response["records"], strict=True):
        expected = "ProcessingFailed" if route(group, NAMES) == broken else "Ok"
        assert answer["result"] == expected, group
    assert broken not in firehose.received
    assert any(broken in error for error in result.summary()["errors"])


def test_a_throttled_stream_is_retried_and_delivers() -> None:
    slow = route(GROUPS[0], NAMES)
    firehose = StreamsFirehose(throttled={slow})
    records = [cw_record(events(5), group) for group in GROUPS]
    result = run(records, firehose=firehose, settings=routed())
    assert all(r["result"] == "Ok" for r in result.response["records"])
    assert firehose.calls[slow] == 2
    assert result.summary()["ReingestRetries"] > 0
    # and no call to any stream starts past the deadline
    late = StreamsFirehose()
    context = Context(remaining_ms=4_000)
    result = run(records, firehose=late, settings=routed(), context=context)
    assert all(r["result"] == "ProcessingFailed" for r in result.response["records"])
    assert not late.calls


OWN, NEW = NAMES[0], NAMES[-1]  # the batch's stream (helpers.STREAM_ARN); one being created
NEW_GROUPS = {group for group in GROUPS if route(group, NAMES) == NEW}
RECORDS = [cw_record(events(5), group) for group in GROUPS]


def failed(result: Run) -> list[str]:
    return [r["recordId"] for r in result.response["records"] if r["result"] != "Ok"]


@pytest.mark.parametrize(
    "error", ["ResourceNotFoundException", "AccessDeniedException", "ResourceInUseException"]
)
def test_a_routed_stream_not_there_yet_sends_its_documents_to_the_own_stream(error: str) -> None:
    # deliveryStreams N -> N + 1: the transformer names the new stream before Pulumi creates it
    # (and before its policy is in effect)
    assert NEW_GROUPS and NEW != OWN
    firehose = StreamsFirehose(failing={NEW}, error=error)
    result = run(RECORDS, firehose=firehose, settings=routed())
    assert failed(result) == [], f"records ProcessingFailed while {NEW} is being created"
    assert NEW not in firehose.received and firehose.calls[NEW] == 1
    assert groups_of(firehose.received[OWN]) >= NEW_GROUPS
    summary = result.summary()
    assert summary["DocumentsRerouted"] == 4 * len(NEW_GROUPS)
    assert summary["DocumentsReingested"] == 4 * len(GROUPS)
    assert summary["level"] == "WARN" and summary["errors"] == []
    (warning,) = summary["warnings"]
    assert warning.startswith(f"{NEW} refused PutRecordBatch ({error})") and OWN in warning


def test_a_refused_stream_is_called_once_per_invocation_and_warned_of_once() -> None:
    firehose = StreamsFirehose(failing={NEW}, error="ResourceNotFoundException")
    result = run(RECORDS, firehose=firehose, settings=routed(), held_max_bytes=1024)
    assert failed(result) == [] and firehose.calls[NEW] == 1
    assert firehose.calls[OWN] > 2, "the documents held were sent in several flushes"
    assert groups_of(firehose.received[OWN]) >= NEW_GROUPS
    summary = result.summary()
    assert summary["DocumentsRerouted"] == 4 * len(NEW_GROUPS)
    assert len(summary["warnings"]) == 1
    # the next invocation tries the stream again: it may exist by then
    again = StreamsFirehose()
    assert failed(run(RECORDS, firehose=again, settings=routed())) == []
    assert groups_of(again.received[NEW]) == NEW_GROUPS


def test_the_own_streams_refusal_still_fails_its_records() -> None:
    firehose = StreamsFirehose(failing={OWN}, error="ResourceNotFoundException")
    result = run(RECORDS, firehose=firehose, settings=routed())
    for group, answer in zip(GROUPS, result.response["records"], strict=True):
        expected = "ProcessingFailed" if route(group, NAMES) == OWN else "Ok"
        assert answer["result"] == expected, group
    summary = result.summary()
    assert summary["DocumentsRerouted"] == 0 and summary["warnings"] == []
    assert summary["level"] == "ERROR"
    # a refused stream's documents fail with the own stream's refusal, as they would have
    both = StreamsFirehose(failing={OWN, NEW}, error="ResourceNotFoundException")
    result = run(RECORDS, firehose=both, settings=routed())
    for group, answer in zip(GROUPS, result.response["records"], strict=True):
        expected = "ProcessingFailed" if route(group, NAMES) in (OWN, NEW) else "Ok"
        assert answer["result"] == expected, group
    assert result.summary()["DocumentsRerouted"] == 4 * len(NEW_GROUPS)


def test_a_throttled_new_stream_is_retried_not_rerouted() -> None:
    firehose = StreamsFirehose(throttled={NEW})
    result = run(RECORDS, firehose=firehose, settings=routed())
    assert failed(result) == [] and firehose.calls[NEW] == 2
    assert groups_of(firehose.received[NEW]) == NEW_GROUPS
    assert not groups_of(firehose.received[OWN]) & NEW_GROUPS
    summary = result.summary()
    assert summary["DocumentsRerouted"] == 0 and summary["ReingestRetries"] > 0
    assert summary["level"] == "INFO" and summary["warnings"] == []


@dataclass
class LateStreams(StreamsFirehose):
    """The new stream's refusal comes as the invocation's time runs short."""

    context: Context = field(default_factory=Context)

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        if kwargs["DeliveryStreamName"] == NEW:
            self.context.remaining_ms = 4_000
        return super().put_record_batch(**kwargs)


def test_rerouted_documents_keep_the_deadline() -> None:
    firehose = LateStreams(failing={NEW}, error="ResourceNotFoundException")
    result = run(RECORDS, firehose=firehose, settings=routed(), context=firehose.context)
    for group, answer in zip(GROUPS, result.response["records"], strict=True):
        if group in NEW_GROUPS:  # no call starts past the deadline, to the own stream neither
            assert answer["result"] == "ProcessingFailed", group
    assert not groups_of(firehose.received[OWN]) & NEW_GROUPS
    assert any("time ran out" in error for error in result.summary()["errors"])


def test_folded_documents_follow_their_records_route() -> None:
    group = GROUPS[3]
    lines = ["START RequestId: r-1 Version: $LATEST\n", "working\n", "END RequestId: r-1\n"]
    report = (
        "REPORT RequestId: r-1\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 60 MB\t\n"
    )
    evts = [dict(e, message=m) for e, m in zip(events(4), [*lines, report], strict=True)]
    firehose = StreamsFirehose()
    settings = Settings(region="eu-west-1", delivery_stream_names=NAMES, fold_platform_events=True)
    result = run([cw_record(evts[:2], group), cw_record(evts[2:], group)], firehose, settings)
    assert set(firehose.received) <= {route(group, NAMES)}
    assert result.summary()["Documents"] == 2


@pytest.mark.parametrize(
    ("value", "says"),
    [("a,b,a", "names a stream twice"), ("good,bad name", "not a delivery stream name")],
)
def test_bad_stream_names_are_refused(value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        Settings.from_env({"DELIVERY_STREAM_NAMES": value})
    assert Settings.from_env({"DELIVERY_STREAM_NAMES": "a, b"}).delivery_stream_names == ("a", "b")


def test_a_refused_stream_gets_one_call_however_many_documents_it_was_to_take() -> None:
    """Once a routed stream refused with a hand-off code, its later batches of the same flush
    are handed back without a call (one call, however many documents it was to take)."""
    new = NAMES[-1]
    group = next(
        f"/aws/lambda/big-{n}" for n in range(100) if route(f"/aws/lambda/big-{n}", NAMES) == new
    )
    firehose = StreamsFirehose(failing={new}, error="ResourceNotFoundException")
    records = [cw_record(events(301), group) for _ in range(4)]  # 4 x 300 re-ingested
    result = run(records, firehose=firehose, settings=routed())
    assert all(r["result"] == "Ok" for r in result.response["records"])
    assert len(firehose.received[OWN]) == 1200
    assert firehose.calls[new] == 1, f"{firehose.calls[new]} calls refused by {new}"
