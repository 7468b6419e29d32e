"""Exponential backoff with full jitter for throttled and transient AWS errors."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from subscriptions.errors import ThrottledError

T = TypeVar("T")

RETRYABLE_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceException",
        "InternalFailure",
        "InternalServerError",
        "OperationAbortedException",
    }
)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def is_retryable(error: Exception) -> bool:
    """Throttling, 5xx, a conflicting concurrent update, or a dropped connection."""
    if isinstance(error, ConnectionError | HTTPClientError):
        return True
    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return error_code(error) in RETRYABLE_CODES or int(status) >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter backoff: sleep uniform(0, min(cap, base * 2**attempt)) between attempts."""

    max_attempts: int = 8
    base_seconds: float = 0.25
    cap_seconds: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int) -> float:
        return float(self.jitter()) * min(self.cap_seconds, self.base_seconds * 2.0**attempt)


@dataclass
class RetryStats:
    """How often the run had to back off (reported as the ThrottleRetries metric)."""

    retries: int = 0


def call_with_backoff(
    policy: RetryPolicy, stats: RetryStats, what: str, call: Callable[[], T]
) -> T:
    """Run `call`, retrying retryable errors; raise ThrottledError when attempts run out."""
    for attempt in range(policy.max_attempts):
        try:
            return call()
        except (ClientError, ConnectionError, HTTPClientError) as error:
            if not is_retryable(error):
                raise
            if attempt + 1 == policy.max_attempts:
                raise ThrottledError(
                    f"{what} still failed after {policy.max_attempts} attempts ({error}); "
                    "the run stops here and resumes later: raise the API quota or run less often"
                ) from error
            stats.retries += 1
            policy.sleep(policy.delay(attempt))
    raise AssertionError("unreachable: the loop returns or raises")


class BackoffApi:
    """Base of the thin AWS adapters: every call goes through `call_with_backoff`."""

    def __init__(self, client: Any, policy: RetryPolicy, stats: RetryStats) -> None:
        self._client = client
        self._policy = policy
        self._stats = stats

    def _call(self, what: str, call: Callable[[], T]) -> T:
        return call_with_backoff(self._policy, self._stats, what, call)
