"""The one backoff formula, the one retry classification, and clients that make one attempt."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS, client_config, make_client
from lambda_shared.backoff import RetryPolicy, is_retryable


def test_full_jitter_grows_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(base_seconds=0.25, cap_seconds=8.0, jitter=lambda: 1.0)
    assert [policy.delay(a) for a in range(7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert RetryPolicy(jitter=lambda: 0.5).delay(2) == 0.5


def test_max_attempts_counts_the_first_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.allows(made) for made in (1, 2, 3)] == [True, True, False]
    assert RetryPolicy(max_attempts=None).allows(10_000)


def error(code: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (error("ThrottlingException"), True),
        (error("Whatever", 503), True),
        (error("OperationAbortedException"), True),
        (EndpointConnectionError(endpoint_url="x"), True),
        (error("AccessDeniedException"), False),
        (error("ResourceNotFoundException"), False),
        (ValueError("not AWS"), False),
    ],
)
def test_what_is_worth_another_attempt(exc: Exception, retryable: bool) -> None:
    assert is_retryable(exc) is retryable


def test_clients_make_exactly_one_http_attempt_with_the_given_timeouts() -> None:
    config = client_config(FIREHOSE_TIMEOUTS)
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert (config.connect_timeout, config.read_timeout) == (3.0, 20.0)
    assert FIREHOSE_TIMEOUTS.worst_case == 23.0


def test_a_built_client_really_sends_one_request_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a client whose every HTTP request fails as a 500 (botocore would retry those)
    client = make_client("firehose", "eu-west-1", FIREHOSE_TIMEOUTS)
    sent: list[str] = []

    def fail(request: object, **_: object) -> None:
        sent.append("request")
        raise EndpointConnectionError(endpoint_url="https://firehose.eu-west-1.amazonaws.com")

    client.meta.events.register("before-send.firehose.PutRecordBatch", fail)
    # WHEN one call is made / THEN it fails after one request, not two
    with pytest.raises(EndpointConnectionError):
        client.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
    assert sent == ["request"]
    assert client.meta.region_name == "eu-west-1"
