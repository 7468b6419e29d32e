"""The handler re-ingests through the lean PutRecordBatch client (lambda_shared.firehose_http)
against an endpoint that checks every signature, with calls in flight at once, and falls back
to boto3's client when the lean one cannot be built."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.credentials import Credentials

from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS
from lambda_shared.firehose_http import FirehoseHttpClient
from lambdalogs.local.firehose import firehose_event
from tests.lambda_shared.loopback_firehose import ACCESS_KEY, SECRET_KEY, Script, loopback_firehose
from tests.transformer.helpers import STREAM_ARN, Context, FlakyFirehose, cw_record, events
from transformer import handler as handler_module
from transformer.cost import StaticArchitectures
from transformer.settings import Settings


@pytest.fixture
def lambda_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(handler_module, "_CONTAINER", {})
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return monkeypatch


def test_the_handler_reingests_through_the_lean_client(
    lambda_environment: pytest.MonkeyPatch,
) -> None:
    # GIVEN an endpoint on loopback (as AWS_ENDPOINT_URL_FIREHOSE names it) that answers the
    # first call with a partial failure
    script = Script(steps=[2])
    records = [cw_record(events(700, start_ms=1_795_169_647_000 + n * 1000)) for n in range(3)]
    with loopback_firehose(script) as url:
        lambda_environment.setenv("AWS_ENDPOINT_URL_FIREHOSE", url)
        # WHEN Firehose invokes the handler with 3 records of 700 events
        response = handler_module.handler(firehose_event(records, STREAM_ARN), Context())
    # THEN the lean client sent them, signed, each document arriving exactly once
    assert handler_module._CONTAINER["firehose:eu-west-1"].kind == "_lean_firehose"
    assert script.bad_signatures == 0
    assert [r["result"] for r in response["records"]] == ["Ok"] * 3
    arrived = [json.loads(d)["aws.cloudwatch.event_id"] for call in script.received for d in call]
    assert len(arrived) == len(set(arrived)) == 3 * 699


def test_the_boto3_client_is_used_when_the_lean_one_cannot_be_built() -> None:
    built: list[str] = []

    def broken(region: str) -> Any:
        built.append("lean")
        raise ValueError("no endpoint")

    def fallback(region: str) -> Any:
        built.append("boto3")
        return FlakyFirehose()

    lazy = handler_module._LazyFirehose("eu-west-1", (broken, fallback))
    assert built == []  # nothing is built before the first call
    for _ in range(2):
        lazy.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
    assert built == ["lean", "boto3"] and lazy.kind == "fallback"


def test_calls_in_flight_keep_every_document_once() -> None:
    script = Script(steps=[None, 5, ("error", 500, "ServiceUnavailableException")])
    records = [cw_record(events(2_000, text="x" * 3_000 + " {i}"))]
    with loopback_firehose(script) as url:
        lean = FirehoseHttpClient(
            url, "eu-west-1", lambda: Credentials(ACCESS_KEY, SECRET_KEY), FIREHOSE_TIMEOUTS
        )
        logs: list[str] = []
        response = handler_module.process(
            firehose_event(records, STREAM_ARN),
            Context(),
            firehose=lean,
            architectures=StaticArchitectures(),
            settings=Settings(region="eu-west-1"),
            sleep=lambda _s: None,
            log=logs.append,
            concurrency=4,
        )
    assert response["records"][0]["result"] == "Ok"
    arrived = [json.loads(d)["aws.cloudwatch.event_id"] for call in script.received for d in call]
    assert len(arrived) == len(set(arrived)) == 1_999
    assert json.loads(logs[0])["reingest_calls"] >= 3
