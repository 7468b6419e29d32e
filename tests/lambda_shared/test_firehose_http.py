"""The lean PutRecordBatch client against a loopback endpoint that checks every signature: the
same answers and errors as boto3's client, one kept-alive connection, and the shared retry
mechanism on top of it."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from lambda_shared.aws_clients import Timeouts
from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_http import FirehoseHttpClient, request_body
from lambda_shared.firehose_put import RecordPutter
from tests.lambda_shared.loopback_firehose import ACCESS_KEY, SECRET_KEY, Script, loopback_firehose

FAST = Timeouts(connect=1.0, read=0.5)
PATIENT = Timeouts(connect=5.0, read=10.0)
"""For tests that count deliveries: a read timeout under a loaded test run would resend a call
the endpoint did receive (a duplicate the test would take for a bug)."""


def client(url: str, secret: str = SECRET_KEY, timeouts: Timeouts = FAST) -> FirehoseHttpClient:
    return FirehoseHttpClient(url, "eu-west-1", lambda: Credentials(ACCESS_KEY, secret), timeouts)


def put(target: Any, data: list[bytes]) -> dict[str, Any]:
    result: dict[str, Any] = target.put_record_batch(
        DeliveryStreamName="lambda-logs", Records=[{"Data": d} for d in data]
    )
    return result


def test_the_body_is_the_json_boto3_sends() -> None:
    sent: dict[str, bytes] = {}

    class Stop(Exception):
        pass

    def grab(request: Any, **_: Any) -> None:
        sent["body"] = request.body
        raise Stop

    reference = boto3.client("firehose", region_name="eu-west-1")
    reference.meta.events.register("before-send.firehose.PutRecordBatch", grab)
    records = [{"Data": b'{"@timestamp":"x","m":"\xc3\xa9"}'}, {"Data": b""}, {"Data": b"\x00\xff"}]
    for batch in (records, records[:1], records[1:2]):  # one record: opening and closing on it
        with pytest.raises(Stop):
            reference.put_record_batch(DeliveryStreamName='a "b"', Records=batch)
        assert json.loads(request_body('a "b"', batch)) == json.loads(sent["body"])
    assert json.loads(request_body("s", [])) == {"DeliveryStreamName": "s", "Records": []}


def test_records_arrive_signed_and_answers_keep_boto3s_shape() -> None:
    script = Script(steps=[1])
    with loopback_firehose(script) as url:
        answer = put(client(url), [b"one", b"two", b"three"])
    assert script.bad_signatures == 0
    assert script.received == [[b"two", b"three"]]
    assert answer["FailedPutCount"] == 1
    assert answer["RequestResponses"][0]["ErrorCode"] == "ServiceUnavailableException"
    assert answer["RequestResponses"][1] == {"RecordId": "id1"}


def test_a_wrong_secret_is_refused_by_the_signature_check() -> None:
    # the negative control: the endpoint's check really verifies what it receives
    script = Script()
    with loopback_firehose(script) as url, pytest.raises(ClientError) as caught:
        put(client(url, secret="wrong"), [b"x"])
    assert script.bad_signatures == 1
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@pytest.mark.parametrize(
    ("wire_type", "code"),
    [
        ("ResourceNotFoundException", "ResourceNotFoundException"),
        ("com.amazonaws.firehose#InvalidArgumentException", "InvalidArgumentException"),
    ],
)
def test_error_answers_are_client_errors_with_the_service_code(wire_type: str, code: str) -> None:
    script = Script(steps=[("error", 400, wire_type)])
    with loopback_firehose(script) as url, pytest.raises(ClientError) as caught:
        put(client(url), [b"x"])
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["Error"]["Message"] == f"{wire_type} here"


def test_calls_share_one_kept_alive_connection() -> None:
    script = Script()
    with loopback_firehose(script) as url:
        lean = client(url)
        for i in range(20):
            put(lean, [b"r%d" % i])
    assert len(script.received) == 20
    assert script.connections == 1


def test_a_dropped_connection_is_a_retryable_error_and_the_next_call_reconnects() -> None:
    script = Script(steps=["drop"])
    with loopback_firehose(script) as url:
        lean = client(url)
        with pytest.raises(ConnectionClosedError):
            put(lean, [b"lost"])
        assert put(lean, [b"kept"])["FailedPutCount"] == 0
    assert script.received == [[b"kept"]]
    assert script.connections == 2


def test_an_answer_later_than_the_read_timeout_is_a_read_timeout() -> None:
    script = Script(steps=[("slow", 0.8)])
    with loopback_firehose(script) as url, pytest.raises(ReadTimeoutError):
        put(client(url), [b"x"])


def test_the_shared_putter_delivers_everything_through_it_once() -> None:
    # GIVEN an endpoint that drops a connection, throttles the stream and fails records
    script = Script(steps=["drop", ("error", 400, "ThrottlingException"), 3, 1])
    records = [b"doc%d" % i for i in range(1_200)]
    policy = RetryPolicy(max_attempts=10, sleep=lambda _s: None)
    with loopback_firehose(script) as url:
        outcome = RecordPutter(client(url, timeouts=PATIENT), "lambda-logs", policy).put(records)
    # THEN every record arrived exactly once, and the outcome says so
    delivered = [r for call in script.received for r in call]
    assert sorted(delivered) == sorted(records)
    assert outcome.sent == 1_200 and not outcome.failed
    assert script.bad_signatures == 0


def test_endpoint_and_region_are_resolved_as_boto3_does(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script()
    with loopback_firehose(script) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_FIREHOSE", url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        monkeypatch.delenv("AWS_SESSION_TOKEN")
        lean = FirehoseHttpClient.for_region("eu-west-1", FAST)
        put(lean, [b"via env"])
    assert script.received == [[b"via env"]] and script.bad_signatures == 0


def test_only_http_endpoints_are_accepted() -> None:
    with pytest.raises(ValueError, match="not an http"):
        FirehoseHttpClient("ftp://x", "eu-west-1", lambda: None, FAST)
