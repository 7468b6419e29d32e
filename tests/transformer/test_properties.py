"""Invariants over arbitrary input (Hypothesis): every recordId answered once with a valid result,
no exception escapes, every document is one JSON object with `@timestamp` and `message`, the
response stays under the budget, and the typed core never changes type."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdalogs.local.firehose import firehose_event, opensearch_document
from tests.transformer.helpers import STREAM_ARN, Context, FlakyFirehose
from transformer.budget import RESPONSE_BUDGET_BYTES
from transformer.cost import StaticArchitectures
from transformer.handler import process
from transformer.settings import Settings

RESULTS = {"Ok", "Dropped", "ProcessingFailed"}
LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
TYPES: dict[str, type | tuple[type, ...]] = {
    "@timestamp": str,
    "message": str,
    "log.level": str,
    "log.logger": str,
    "service.name": str,
    "faas.name": str,
    "faas.version": str,
    "faas.execution": str,
    "faas.coldstart": bool,
    "trace.id": str,
    "aws.xray.trace_id": str,
    "aws.lambda.event": str,
    "aws.lambda.status": str,
    "aws.lambda.duration_ms": float,
    "aws.lambda.billed_duration_ms": int,
    "aws.lambda.memory_size_mb": int,
    "aws.lambda.max_memory_used_mb": int,
    "aws.lambda.init_duration_ms": float,
    "aws.lambda.cost_usd": float,
    "error.type": str,
    "error.message": str,
    "error.stack_trace": str,
    "error.fingerprint": str,
    "log.truncated": bool,
    "event.original": str,
    "event.original_truncated": bool,
    "event.unparsed": bool,
    "event.metrics_dropped": int,
    "json": dict,
    "aws.cloudwatch.event_id": str,
    "cloud.account.id": str,
    "cloud.region": str,
    "cloud.provider": str,
    "aws.cloudwatch.log_group": str,
    "aws.cloudwatch.log_stream": str,
}

fragments = st.sampled_from(
    [
        "START RequestId: ",
        "END RequestId: ",
        "REPORT RequestId: ",
        "\tDuration: ",
        " ms",
        "\tBilled Duration: ",
        "\tMemory Size: ",
        "\tInit Duration: ",
        "Status: ",
        "INIT_START ",
        "[INFO]\t",
        "[ERROR]\t",
        "2026-11-20T10:01:02.345Z\t",
        "\tINFO\t",
        "Task timed out after ",
        "Traceback (most recent call last):\n",
        "\n    at ",
        "Error: ",
        '{"level":',
        '"message":',
        '{"_aws":{"CloudWatchMetrics":[{"Metrics":[{"Name":"x"}]}]},"x":',
        "}",
        "{",
        "[",
        "]",
        '"',
        "\\",
        "\n",
        "\r",
        "\t",
        "\x00",
        "\ud800",
        "é",
        "🙃",
        "1e400",
        "NaN",
        "-",
        ":",
        ",",
        "c0ccb48d-e812-47d2-826f-b6f24349b291",
        "I, [2026-11-20T12:30:00.123456 #8]  INFO ",
        '{"type":"platform.report","record":{"metrics":{"durationMs":',
        "9" * 30,
        "true",
        "null",
    ]
)
lines = st.one_of(st.text(max_size=300), st.lists(fragments, max_size=25).map("".join))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
log_events = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "id": st.text(max_size=60),
                "timestamp": st.one_of(
                    st.integers(min_value=-10, max_value=2**62), st.floats(), st.text()
                ),
                "message": st.one_of(lines, json_values),
            }
        ),
        json_values,
    ),
    max_size=12,
)
envelopes = st.fixed_dictionaries(
    {
        "messageType": st.sampled_from(
            ["DATA_MESSAGE", "DATA_MESSAGE", "CONTROL_MESSAGE", "OTHER"]
        ),
        "owner": st.one_of(st.just("123456789012"), st.text(max_size=12), st.integers()),
        "logGroup": st.one_of(
            st.just("/aws/lambda/fn"), st.just("/custom/x"), st.text(max_size=30)
        ),
        "logStream": st.one_of(
            st.just("2026/11/20/[$LATEST]abc"), st.just("2026/11/20/fn[7]abc"), st.text(max_size=30)
        ),
        "subscriptionFilters": st.just(["f"]),
        "logEvents": log_events,
    }
)


def as_record(value: Any) -> bytes:
    return gzip.compress(json.dumps(value).encode("utf-8", "surrogatepass"))


records = st.one_of(
    envelopes.map(as_record),
    json_values.map(as_record),
    st.binary(max_size=200),
    st.binary(max_size=200).map(gzip.compress),
    st.builds(lambda b: b'{"@timestamp":"' + b, st.binary(max_size=50)),
)


def check_document(document: dict[str, Any]) -> None:
    assert next(iter(document)) == "@timestamp"
    assert isinstance(document["message"], str)
    for key, value in document.items():
        expected = TYPES.get(key)
        if expected is not None:
            assert isinstance(value, expected), (key, value)
            if expected is int or expected is float:
                assert not isinstance(value, bool), key
        elif key.startswith("labels."):
            assert isinstance(value, str) and "." not in key[len("labels.") :], key
        elif key.startswith("metrics."):
            assert "." not in key[len("metrics.") :], key
            numbers = value if isinstance(value, list) else [value]
            assert all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers)
        else:
            raise AssertionError(f"unexpected root field {key!r}")
    if "log.level" in document:
        assert document["log.level"] in LEVELS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, min_size=1, max_size=8))
def test_any_batch_is_answered_completely_and_validly(batch: list[bytes]) -> None:
    firehose = FlakyFirehose()
    event = firehose_event(batch, STREAM_ARN)
    response = process(
        event,
        Context(),
        firehose=firehose,
        architectures=StaticArchitectures(),
        settings=Settings(region="eu-west-1"),
        log=lambda _line: None,
    )
    answered = [r["recordId"] for r in response["records"]]
    assert sorted(answered) == sorted(r["recordId"] for r in event["records"])
    assert len(set(answered)) == len(answered)
    assert len(json.dumps(response)) <= RESPONSE_BUDGET_BYTES
    for answer in response["records"]:
        assert answer["result"] in RESULTS
        assert isinstance(answer["data"], str)
        if answer["result"] == "Ok":
            raw = base64.b64decode(answer["data"])
            if raw.startswith(b'{"@timestamp":"') and raw in batch:
                continue  # a pass-through record: returned exactly as it came
            check_document(opensearch_document(raw))
    for data in firehose.pending:
        check_document(opensearch_document(data))


@settings(max_examples=200, deadline=None)
@given(st.lists(lines, min_size=1, max_size=20))
def test_every_event_of_a_valid_record_becomes_one_document(messages: list[str]) -> None:
    events = [
        {"id": str(i), "timestamp": 1_795_169_647_000 + i, "message": m}
        for i, m in enumerate(messages)
    ]
    record = as_record(
        {
            "messageType": "DATA_MESSAGE",
            "owner": "1",
            "logGroup": "/aws/lambda/f",
            "logStream": "2026/11/20/[$LATEST]a",
            "subscriptionFilters": [],
            "logEvents": events,
        }
    )
    firehose = FlakyFirehose()
    response = process(
        firehose_event([record], STREAM_ARN),
        Context(),
        firehose=firehose,
        architectures=StaticArchitectures(),
        settings=Settings(),
        log=lambda _line: None,
    )
    assert response["records"][0]["result"] == "Ok"
    documents = [opensearch_document(base64.b64decode(response["records"][0]["data"]))]
    documents += [opensearch_document(data) for data in firehose.pending]
    expected_ids = sorted(str(e["id"]) for e in events)
    assert sorted(d["aws.cloudwatch.event_id"] for d in documents) == expected_ids
    for document in documents:
        check_document(document)
