"""Exponential backoff with full jitter, and which AWS errors are worth another attempt: the one
formula and the one classification every retry loop of the pipeline uses."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

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
    """Full-jitter backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): before
    retry number `attempt` (0 for the first), sleep uniform(0, min(cap, base * 2**attempt)).
    `max_attempts` counts every attempt, the first included; None = until time runs out."""

    max_attempts: int | None = 8
    base_seconds: float = 0.25
    cap_seconds: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int) -> float:
        return float(self.jitter()) * min(self.cap_seconds, self.base_seconds * 2.0**attempt)

    def allows(self, attempts_made: int) -> bool:
        """Whether another attempt may follow `attempts_made`."""
        return self.max_attempts is None or attempts_made < self.max_attempts
