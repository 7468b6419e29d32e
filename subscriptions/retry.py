"""The subscriber's AWS calls with backoff: the formula and the classification of retryable
errors are `lambda_shared.backoff`; here the attempts are counted and, when they run out,
turned into ThrottledError (the run stops and resumes later)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from lambda_shared.backoff import RetryPolicy, is_retryable
from subscriptions.errors import ThrottledError
from subscriptions.pacing import CallPacer

T = TypeVar("T")


@dataclass
class RetryStats:
    """How often the run had to back off (reported as the ThrottleRetries metric)."""

    retries: int = 0


def call_with_backoff(
    policy: RetryPolicy, stats: RetryStats, what: str, call: Callable[[], T]
) -> T:
    """Run `call`, retrying retryable errors; raise ThrottledError when attempts run out."""
    attempts = 0
    while True:
        attempts += 1
        try:
            return call()
        except (ClientError, ConnectionError, HTTPClientError) as error:
            if not is_retryable(error):
                raise
            if not policy.allows(attempts):
                raise ThrottledError(
                    f"{what} still failed after {attempts} attempts ({error}); "
                    "the run stops here and resumes later: raise the API quota or run less often"
                ) from error
            stats.retries += 1
            policy.sleep(policy.delay(attempts - 1))


class BackoffApi:
    """Base of the thin AWS adapters: every call goes through `call_with_backoff`; a `_paced`
    one also waits, before each attempt, for `pacer`'s turn of its quota (pacing.py)."""

    def __init__(
        self, client: Any, policy: RetryPolicy, stats: RetryStats, pacer: CallPacer | None = None
    ) -> None:
        self._client = client
        self._policy = policy
        self._stats = stats
        self._pacer = pacer

    def _call(self, what: str, call: Callable[[], T]) -> T:
        return call_with_backoff(self._policy, self._stats, what, call)

    def ready_in(self, api: str) -> float:
        """Seconds until `api`'s quota has `pacer`'s next turn (0 when unpaced)."""
        return 0.0 if self._pacer is None else self._pacer.ready_in(api)

    def _paced(self, api: str, target: str | None, call: Callable[[], T]) -> T:
        """`call` (API `api` on `target`) with backoff, each attempt after the pacer's turn."""

        def attempt() -> T:
            if self._pacer is not None:
                self._pacer.wait(api)
            return call()

        return self._call(api if target is None else f"{api}({target!r})", attempt)
