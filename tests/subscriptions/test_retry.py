"""Backoff with full jitter: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from lambda_shared.backoff import RetryPolicy
from subscriptions.errors import ThrottledError
from subscriptions.retry import RetryStats, call_with_backoff


def _error(code: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Op",
    )


class Flaky:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.parametrize(
    "error",
    [
        _error("ThrottlingException"),
        _error("Throttling"),
        _error("ServiceUnavailableException"),
        _error("OperationAbortedException"),
        _error("Whatever", 503),
        EndpointConnectionError(endpoint_url="https://logs"),
    ],
)
def test_retries_throttling_and_transient_errors(error: Exception) -> None:
    # GIVEN a call failing once with a retryable error
    call, stats = Flaky(error), RetryStats()
    sleeps: list[float] = []
    policy = RetryPolicy(sleep=sleeps.append, jitter=lambda: 1.0)

    # WHEN it is called with backoff
    result = call_with_backoff(policy, stats, "Op", call)

    # THEN it succeeds on the second attempt after one wait
    assert (result, call.calls, stats.retries, sleeps) == ("ok", 2, 1, [0.25])


@pytest.mark.parametrize(
    "code", ["LimitExceededException", "InvalidParameterException", "AccessDeniedException"]
)
def test_does_not_retry_other_errors(code: str) -> None:
    call = Flaky(_error(code))
    with pytest.raises(ClientError, match=code):
        call_with_backoff(RetryPolicy(sleep=lambda _: None), RetryStats(), "Op", call)
    assert call.calls == 1


def test_waits_grow_exponentially_up_to_the_cap_and_then_it_gives_up() -> None:
    # GIVEN a call that always throttles, and the largest jitter
    call = Flaky(*[_error("ThrottlingException")] * 20)
    sleeps: list[float] = []
    policy = RetryPolicy(
        max_attempts=8, base_seconds=0.25, cap_seconds=8.0, sleep=sleeps.append, jitter=lambda: 1.0
    )

    # WHEN it is called with backoff, THEN it raises ThrottledError saying what to do
    with pytest.raises(ThrottledError, match="resumes later"):
        call_with_backoff(policy, RetryStats(), "Op", call)
    assert sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert call.calls == 8


def test_jitter_spreads_the_waits() -> None:
    # GIVEN the real random jitter
    policy: Any = RetryPolicy()

    # WHEN the delay of the fourth attempt is drawn many times
    delays = {policy.delay(3) for _ in range(50)}

    # THEN each lies in [0, 2 s] and they differ
    assert all(0 <= d <= 2.0 for d in delays)
    assert len(delays) > 40
