"""The lean client's connection pool with calls in flight at once (as the transformer makes
them), its endpoint resolution (the variables boto3 honours), and what it does on partial
failures, throttling, dropped connections and the deadline: every record delivered once or
reported, never a connection per call."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.credentials import Credentials

from lambda_shared.aws_clients import Timeouts
from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_http import IDLE_REUSE_SECONDS, FirehoseHttpClient
from lambda_shared.firehose_put import RecordPutter
from tests.lambda_shared.loopback_firehose import ACCESS_KEY, SECRET_KEY, Script, loopback_firehose

PATIENT = Timeouts(connect=5.0, read=10.0)
FAST = Timeouts(connect=1.0, read=0.5)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def lean(url: str, clock: Clock | None = None, timeouts: Timeouts = PATIENT) -> FirehoseHttpClient:
    credentials = Credentials(ACCESS_KEY, SECRET_KEY)
    return FirehoseHttpClient(
        url, "eu-west-1", lambda: credentials, timeouts, clock=clock or Clock()
    )


def in_flight(client: FirehoseHttpClient, attempts: int = 10, **kwargs: Any) -> RecordPutter:
    policy = RetryPolicy(max_attempts=attempts, sleep=lambda _s: None)
    return RecordPutter(client, "lambda-logs", policy, concurrency=4, **kwargs)


def delivered(script: Script) -> list[bytes]:
    return [record for call in script.received for record in call]


def documents(count: int, tag: str) -> list[bytes]:
    return [f'{{"@timestamp":"t","n":"{tag}{i}"}}'.encode() for i in range(count)]


def test_rounds_of_calls_in_flight_reuse_the_pooled_connections() -> None:
    # GIVEN three puts of 8 full batches each, 4 calls in flight, in threads that end with
    # each round (as RecordPutter runs them)
    script = Script()
    with loopback_firehose(script) as url:
        client = lean(url)
        for round_number in range(3):
            outcome = in_flight(client).put(documents(4_000, f"r{round_number}-"))
            assert outcome.sent == 4_000 and not outcome.failed
    # THEN every record arrived once, signed, over at most 4 connections in all (one per
    # thread and round would be 12)
    assert sorted(delivered(script)) == sorted(
        d for n in range(3) for d in documents(4_000, f"r{n}-")
    )
    assert script.bad_signatures == 0
    assert client.opened == script.connections <= 4


def test_partial_failures_throttling_and_a_dropped_connection_with_calls_in_flight() -> None:
    # GIVEN an endpoint that drops a connection, throttles, and fails some records of a call
    script = Script(steps=[None, "drop", ("error", 400, "ThrottlingException"), 7, None, 3])
    records = documents(2_600, "x")
    with loopback_firehose(script) as url:
        client = lean(url)
        outcome = in_flight(client).put(records)
    # THEN each record was delivered exactly once and the outcome counts the retries
    assert sorted(delivered(script)) == sorted(records)
    assert outcome.sent == 2_600 and not outcome.failed
    assert outcome.retried_records > 0
    assert {"ConnectionClosedError", "ThrottlingException"} <= outcome.error_codes
    # the dropped connection was closed, not given back: one more was opened for it
    assert script.connections == client.opened


def test_the_deadline_stops_the_calls_not_yet_started_and_reports_their_records() -> None:
    script = Script()
    calls = threading.Semaphore(2)  # time for two calls, then none

    def time_left(_wait: float) -> bool:
        return calls.acquire(blocking=False)

    records = documents(2_000, "d")  # four batches
    with loopback_firehose(script) as url:
        outcome = in_flight(lean(url), time_left=time_left).put(records)
    arrived = delivered(script)
    assert len(arrived) == 1_000 and len(set(arrived)) == 1_000
    assert sorted(arrived + [records[i] for i in outcome.failed]) == sorted(records)
    assert "time ran out" in outcome.errors[-1]


def test_a_connection_idle_too_long_is_closed_and_replaced() -> None:
    script = Script()
    clock = Clock()
    with loopback_firehose(script) as url:
        client = lean(url, clock)
        client.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"a"}])
        clock.now += IDLE_REUSE_SECONDS / 2
        client.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"b"}])
        assert script.connections == 1  # recent enough: reused
        clock.now += IDLE_REUSE_SECONDS + 1
        client.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"c"}])
        client.close()
    assert script.connections == client.opened == 2
    assert script.received == [[b"a"], [b"b"], [b"c"]]


def test_an_endpoint_url_with_a_path_is_signed_and_sent_for_that_path() -> None:
    script = Script()
    with loopback_firehose(script) as url:
        lean(url + "/firehose").put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
    assert script.paths == ["/firehose/"] and script.bad_signatures == 0
    assert script.received == [[b"x"]]


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_FIREHOSE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    return monkeypatch


def test_aws_endpoint_url_applies_when_no_firehose_endpoint_is_set(
    aws_environment: pytest.MonkeyPatch,
) -> None:
    script = Script()
    with loopback_firehose(script) as url:
        aws_environment.setenv("AWS_ENDPOINT_URL", url)
        client = FirehoseHttpClient.for_region("eu-west-1", FAST)
        client.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"global"}])
    assert script.received == [[b"global"]] and script.bad_signatures == 0


def test_the_firehose_endpoint_wins_over_aws_endpoint_url(
    aws_environment: pytest.MonkeyPatch,
) -> None:
    used, unused = Script(), Script()
    with loopback_firehose(used) as url, loopback_firehose(unused) as other:
        aws_environment.setenv("AWS_ENDPOINT_URL", other)
        aws_environment.setenv("AWS_ENDPOINT_URL_FIREHOSE", url)
        client = FirehoseHttpClient.for_region("eu-west-1", FAST)
        client.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"service"}])
    assert used.received == [[b"service"]] and unused.received == []


def test_configured_endpoints_are_ignored_when_boto3_is_told_to(
    aws_environment: pytest.MonkeyPatch,
) -> None:
    aws_environment.setenv("AWS_ENDPOINT_URL_FIREHOSE", "http://127.0.0.1:9")
    aws_environment.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    client = FirehoseHttpClient.for_region("eu-west-1", FAST)
    assert client._url == "https://firehose.eu-west-1.amazonaws.com/"
