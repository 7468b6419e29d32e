"""Pacing: the subscriber never takes more than its share of AWS's fixed quotas.

- `CallPacer`: every API quota the subscriber draws on, at most its share of the quota's calls
  per second (`CallPacer.share`: FILTER_API_QUOTA_PERCENT of each), so other tools of the
  account keep the rest:
  - DescribeSubscriptionFilters, PutSubscriptionFilter and DeleteSubscriptionFilter: 5
    transactions per second per account and region each, "not adjustable" (CloudWatch Logs
    quotas);
  - DescribeLogGroups 10/s and FilterLogEvents 5/s (CloudWatch Logs quotas, adjustable: the
    share is of the default);
  - Lambda's control plane: "15 requests per second across all APIs" (excludes invocation,
    GetFunction and GetPolicy), "cannot be increased" (Lambda quotas, API requests). It is the
    same budget every deployment tool of the account (CI's UpdateFunctionCode, `pulumi up`)
    spends, so ListFunctions and GetFunctionConfiguration share one pace, `LAMBDA_CONTROL_PLANE`.
- `BytePacer`: at most `rate` backfill bytes per second into one delivery stream (Direct PUT,
  1 MiB/s per stream in most regions, shared with the live traffic).

Both space their events evenly (no burst), and both carry their debt across invocations: the
handler `settle`s them last, before it returns. Both wait on an injectable `Clock`, so tests and
the benchmark run on a virtual one and read the wall time the pacing takes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

FILTER_API_CALLS_PER_SECOND: Final = 5.0
PACED_APIS: Final = frozenset(
    {"DescribeSubscriptionFilters", "PutSubscriptionFilter", "DeleteSubscriptionFilter"}
)
"""The subscription-filter APIs, whose fixed quota is the subscriber's tightest."""
LAMBDA_CONTROL_PLANE: Final = "LambdaControlPlane"
"""The pace shared by the subscriber's Lambda control-plane calls (one account-wide quota)."""
QUOTA_CALLS_PER_SECOND: Final[Mapping[str, float]] = {
    **dict.fromkeys(PACED_APIS, FILTER_API_CALLS_PER_SECOND),
    "DescribeLogGroups": 10.0,
    "FilterLogEvents": 5.0,
    LAMBDA_CONTROL_PLANE: 15.0,
}
"""Each paced quota's calls per second (module docstring for the sources)."""
SHARED_QUOTAS: Final[Mapping[str, str]] = {
    "ListFunctions": LAMBDA_CONTROL_PLANE,
    "GetFunctionConfiguration": LAMBDA_CONTROL_PLANE,
}
"""The APIs that draw on a quota of several APIs: their pace is that quota's."""


def quota_of(api: str) -> str:
    """The key `api`'s calls are paced under: its shared quota's, else its own name."""
    return SHARED_QUOTAS.get(api, api)


@dataclass
class Clock:
    """Monotonic seconds and a sleep; the real ones unless injected."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass
class VirtualClock(Clock):
    """A clock whose sleep only moves it forward: pacing without waiting (tests, benchmark)."""

    elapsed: float = 0.0
    now: Callable[[], float] = field(init=False)
    sleep: Callable[[float], None] = field(init=False)

    def __post_init__(self) -> None:
        self.now = lambda: self.elapsed
        self.sleep = self._advance

    def _advance(self, seconds: float) -> None:
        self.elapsed += max(0.0, seconds)


class CallPacer:
    """One call of each paced API every 1/rate seconds at most: `rates[api]`, else `rate`."""

    def __init__(self, rate: float, clock: Clock, rates: Mapping[str, float] | None = None) -> None:
        for value in (rate, *(rates or {}).values()):
            if value <= 0:
                raise ValueError(f"rate must be positive, got {value}")
        self.rate = rate
        self._rates = dict(rates or {})
        self._clock = clock
        self._next: dict[str, float] = {}
        self.waited_seconds = 0.0

    @classmethod
    def share(cls, percent: int, clock: Clock) -> CallPacer:
        """`percent` of each quota of QUOTA_CALLS_PER_SECOND (5 calls/s of each
        subscription-filter API: 2 at the default 40 %)."""
        rates = {api: quota * percent / 100 for api, quota in QUOTA_CALLS_PER_SECOND.items()}
        return cls(FILTER_API_CALLS_PER_SECOND * percent / 100, clock, rates)

    def rate_of(self, api: str) -> float:
        return self._rates.get(quota_of(api), self.rate)

    def ready_in(self, api: str) -> float:
        """Seconds until `api`'s quota has its next turn (0: now). The quotas are independent,
        so a caller with calls of several to make can take the one free first (the walk's two
        listings: reconcile.py) instead of waiting for each in turn."""
        return max(0.0, self._next.get(quota_of(api), 0.0) - self._clock.now())

    def wait(self, api: str) -> None:
        """Block until `api` may be called again (its quota's turn), then count the call."""
        api = quota_of(api)
        now = self._clock.now()
        due = self._next.get(api, now)
        if due > now:
            self._clock.sleep(due - now)
            self.waited_seconds += due - now
            now = due
        self._next[api] = now + 1 / self.rate_of(api)

    def settle(self, within: float) -> float:
        """Wait until every paced API may be called again (at most `within` seconds); the
        seconds waited. Called last before the handler returns: with reserved concurrency 1 the
        next invocation starts only after this one ended, so its first call, made at once by a
        fresh pacer, is still 1/rate after this one's last: the share holds across invocations."""
        debt = max(self._next.values(), default=0.0) - self._clock.now()
        wait = min(debt, max(0.0, within))
        if wait <= 0:
            return 0.0
        self._clock.sleep(wait)
        self.waited_seconds += wait
        return wait


class BytePacer:
    """At most `rate` bytes per second: each send is paid for by waiting before the next."""

    def __init__(self, rate: float, clock: Clock) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.rate = rate
        self._clock = clock
        self._free_at = clock.now()
        self.sent_bytes = 0

    def debt_seconds(self) -> float:
        """How long until the bytes sent so far fit the budget (0: now)."""
        return max(0.0, self._free_at - self._clock.now())

    def seconds_to_send(self, size: int) -> float:
        """The wall time until `size` more bytes are paid for: the debt, then size / rate (the
        waits before its slices, and the last slice's own share, paid by the next send or by
        `settle`)."""
        return self.debt_seconds() + size / self.rate

    def wait(self) -> None:
        """Block until the bytes sent so far fit the budget."""
        delay = self.debt_seconds()
        if delay > 0:
            self._clock.sleep(delay)

    def settle(self, within: float) -> float:
        """Wait until the bytes sent are paid for (at most `within` seconds); the seconds
        waited. As `CallPacer.settle`: called last before the handler returns, so the next
        invocation's fresh pacer, which sends its first slice at once, is still inside the
        budget (with reserved concurrency 1 it starts only after this one ended)."""
        wait = min(self.debt_seconds(), max(0.0, within))
        if wait <= 0:
            return 0.0
        self._clock.sleep(wait)
        return wait

    def sent(self, size: int) -> None:
        self.sent_bytes += size
        self._free_at = max(self._free_at, self._clock.now()) + size / self.rate

    def chunks(self, records: Sequence[bytes]) -> list[Sequence[bytes]]:
        """Consecutive records of at most one second's budget each (at least one record)."""
        found: list[Sequence[bytes]] = []
        start, size = 0, 0
        for index, record in enumerate(records):
            if index > start and size + len(record) > self.rate:
                found.append(records[start:index])
                start, size = index, 0
            size += len(record)
        if start < len(records):
            found.append(records[start:])
        return found
