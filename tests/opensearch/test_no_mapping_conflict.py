"""No mapping conflict, by test: every document the transformer produces fits the template.

Documents come from `transformer.handler.process` (docs/interfaces.md), fed with the whole
corpus and with Hypothesis-generated log lines; re-ingested documents are passed through the
transformer again, as Firehose would, and checked too.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.conformance import problems
from opensearch.mapping import Mapping, mapping_of
from transformer.handler import process
from transformer.settings import Settings

CORPUS = Path(__file__).parents[1] / "corpus"
STREAM_ARN = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/lambda-logs"
MAPPING: Mapping = mapping_of(load_artifacts(ContentSettings()).index_template)


class Loopback:
    """`put_record_batch` that keeps what the transformer re-ingests."""

    def __init__(self) -> None:
        self.pending: list[bytes] = []

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        records = kwargs["Records"]
        self.pending += [r["Data"] for r in records]
        return {"FailedPutCount": 0, "RequestResponses": [{"RecordId": "x"} for _ in records]}


class Architectures:
    def architecture(self, function_name: str, account_id: str, region: str = "") -> str:
        return "arm64" if function_name.endswith("-arm") else "x86_64"


class Context:
    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def cloudwatch_record(group: str, stream: str, owner: str, events: list[dict[str, Any]]) -> bytes:
    message = {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": ["lambda-logs"],
        "logEvents": events,
    }
    return gzip.compress(json.dumps(message).encode("utf-8"))


def event(records: list[bytes]) -> dict[str, Any]:
    return {
        "invocationId": "test",
        "deliveryStreamArn": STREAM_ARN,
        "region": "eu-west-1",
        "records": [
            {
                "recordId": f"{i:05d}",
                "approximateArrivalTimestamp": 0,
                "data": base64.b64encode(r).decode(),
            }
            for i, r in enumerate(records)
        ],
    }


def documents(records: list[bytes], transformer_settings: Settings | None = None) -> list[Any]:
    """Every document OpenSearch would receive for `records` (re-ingested ones included)."""
    firehose, found, queue = Loopback(), [], records
    while queue:
        response = process(
            event(queue),
            Context(),
            firehose=firehose,
            architectures=Architectures(),
            settings=transformer_settings or Settings(region="eu-west-1"),
            log=lambda _line: None,
        )
        found += [
            json.loads(base64.b64decode(r["data"]))
            for r in response["records"]
            if r["result"] == "Ok"
        ]
        queue, firehose.pending = firehose.pending, []
    return found


def corpus_cases() -> list[dict[str, Any]]:
    return [case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())]


def assert_fits(document: Any) -> None:
    assert isinstance(document, dict)
    assert next(iter(document)) == "@timestamp"
    assert problems(document, MAPPING) == [], json.dumps(document)[:2000]


@pytest.fixture(scope="module")
def corpus_documents() -> list[Any]:
    records = [
        cloudwatch_record(c["logGroup"], c["logStream"], c["owner"], c["events"])
        for c in corpus_cases()
    ]
    return documents(records, Settings(region="eu-west-1", label_keys=("milestone", "sessionId")))


def test_every_corpus_document_fits_the_template(corpus_documents: list[Any]) -> None:
    expected = sum(len(c["events"]) for c in corpus_cases())
    assert len(corpus_documents) == expected
    for document in corpus_documents:
        assert_fits(document)


def test_the_corpus_exercises_every_kind_of_field(corpus_documents: list[Any]) -> None:
    keys = {key for document in corpus_documents for key in document}
    assert {
        "json",
        "labels.milestone",
        "aws.lambda.duration_ms",
        "faas.coldstart",
        "aws.lambda.cost_usd",
        "error.stack_trace",
        "log.truncated",
        "event.original",
    } <= keys
    assert any(k.startswith("metrics.") for k in keys)


def test_the_checker_finds_every_kind_of_conflict() -> None:
    good = {
        "@timestamp": "2026-11-20T09:14:07.121Z",
        "message": "m",
        "labels.milestone": "paid",
        "metrics.Latency": [1, 2.5],
        "json": {"a": {"b": [1, None, "x"]}},
    }
    assert problems(good, MAPPING) == []
    bad = {
        "@timestamp": "20/11/2026",
        "aws.lambda.billed_duration_ms": 12.5,
        "aws.lambda.duration_ms": "12",
        "faas.coldstart": "true",
        "log.level": 3,
        "labels.milestone": 1,
        "metrics.Latency": [1, "x"],
        "json": ["not", "an", "object"],
        "unknown": 1,
        "aws.lambda": "object path",
        "trace.id": ["a", "b"],
    }
    found = problems(bad, MAPPING)
    assert len(found) == len(bad), found
    assert problems({"json": {"k": "x" * 40_000}}, MAPPING)
    assert problems({"": 1}, MAPPING) and problems({"labels.": "x"}, MAPPING)


# -- Hypothesis: arbitrary lines, JSON logs, platform lines ----------------------------------

KEYS = st.sampled_from(
    [
        "level",
        "message",
        "msg",
        "traceId",
        "trace_id",
        "correlation_id",
        "milestone",
        "requestId",
        "errorType",
        "errorMessage",
        "stackTrace",
        "service",
        "cold_start",
        "xray_trace_id",
        "logger",
        "timestamp",
        "exception",
        "exception_name",
        "function_request_id",
        "time",
        "type",
        "record",
        "_aws",
        "a.b",
        "",
        "x" * 30,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["ERROR", "warning", "INFO", "50"]),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)
NUMBER = st.one_of(st.integers(0, 10**12), st.floats(0, 1e12, allow_nan=False)).map(str)
REPORT = st.builds(
    lambda d, b, m, u, i: (
        f"REPORT RequestId: 6f1c5ad8-0000-4000-8000-000000000001\t"
        f"Duration: {d} ms\tBilled Duration: {b} ms\tMemory Size: {m} MB\t"
        f"Max Memory Used: {u} MB\t" + (f"Init Duration: {i} ms\t" if i else "")
    ),
    NUMBER,
    NUMBER,
    NUMBER,
    NUMBER,
    st.one_of(st.none(), NUMBER),
)
EMF = st.builds(
    lambda name, value: json.dumps(
        {
            "_aws": {
                "Timestamp": 1795169647121,
                "CloudWatchMetrics": [
                    {
                        "Namespace": "App",
                        "Dimensions": [["service"]],
                        "Metrics": [{"Name": name, "Unit": "Milliseconds"}],
                    }
                ],
            },
            "service": "checkout",
            name: value,
        }
    ),
    st.sampled_from(["Latency", "a.b", "Items In Cart", "x"]),
    st.one_of(
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.lists(st.integers(0, 100), max_size=3),
        st.text(max_size=5),
    ),
)
LINES = st.one_of(
    st.text(max_size=200),
    JSON_VALUES.map(json.dumps),
    st.dictionaries(KEYS, JSON_VALUES, max_size=6).map(json.dumps),
    REPORT,
    EMF,
    st.sampled_from(
        [
            "START RequestId: 6f1c5ad8-0000-4000-8000-000000000001 Version: $LATEST",
            "2026-11-20T09:14:07.121Z 6f1c5ad8 Task timed out after 3.00 seconds",
            "INIT_START Runtime Version: python:3.12.v40\tRuntime Version ARN: x",
        ]
    ),
    st.builds(
        lambda lvl, msg: f"[{lvl}]\t2026-11-20T09:14:07.120Z\t6f1c5ad8\t{msg}",
        st.sampled_from(["INFO", "ERROR", "WARNING", "CRITICAL", "??"]),
        st.text(max_size=50),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=6))
def test_generated_lines_fit_the_template(lines: list[str]) -> None:
    events = [
        {"id": f"{i:056d}", "timestamp": 1_795_169_647_000 + i, "message": line}
        for i, line in enumerate(lines)
    ]
    record = cloudwatch_record(
        "/aws/lambda/gen-fn", "2026/11/20/[$LATEST]abc", "123456789012", events
    )
    found = documents([record])
    assert len(found) == len(lines)
    for document in found:
        assert_fits(document)


def test_out_of_range_report_values_fit_the_template() -> None:
    line = (
        "REPORT RequestId: 6f1c5ad8-0000-4000-8000-000000000001\tDuration: 1.5 ms\t"
        "Billed Duration: 99999999999999999999999 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 12 MB\t"
    )
    record = cloudwatch_record(
        "/aws/lambda/f",
        "2026/11/20/[$LATEST]abc",
        "123456789012",
        [{"id": "1" * 56, "timestamp": 1_795_169_647_000, "message": line}],
    )
    (document,) = documents([record])
    assert_fits(document)
