"""`make bench`: the subscriber's API calls and the wall time they need inside AWS's quotas.

For 1,000 / 10,000 / 50,000 Lambda log groups (each with its function) it runs the real
subscriber against the call-counting fake account of `tests/subscriptions/fake_account.py`
(same request and response shapes as boto3, real page sizes) with a 900 s Lambda timeout and
follows every self-invocation, for: the first run, a steady-state run after 1 % new groups, a
full sweep, and `remove`. It prints the calls per API and two times:
- *paced*: the time the run's own pacing waited on a virtual clock (Describe/Put/Delete
  SubscriptionFilter at FILTER_API_QUOTA_PERCENT of 5 calls/s each, the backfill's byte budget);
- *quota bound*: calls / rate for each API at its quota, the largest (the run can be no faster).
Nothing sleeps: a full run takes about a minute. Then the group state's size and CPU at 1,000 to
100,000 groups (bench/state_size.py).

    python -m bench.subscriber_calls [--groups 1000,10000] [--percent 40] [--no-state]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench import state_size
from subscriptions.pacing import QUOTA_CALLS_PER_SECOND, quota_of
from tests.subscriptions.fake_account import BUCKET, Account

SIZES = (1_000, 10_000, 50_000)
LAMBDA_TIMEOUT_S = 900.0
# Per-account, per-region quotas in calls/s (docs/subscriptions.md has the sources):
# DescribeLogGroups 10 (adjustable); FilterLogEvents 5 in the smallest regions (10 in most,
# 25 in us-east-1); the Lambda control plane (ListFunctions) 15, shared; S3 and Invoke are not
# the bottleneck at these rates.
QUOTAS = {
    "DescribeLogGroups": 10.0,
    "FilterLogEvents": 5.0,
    "ListFunctions": 15.0,
    "PutRecordBatch": 1_000.0,
    "GetObject": 5_500.0,
    "PutObject": 3_500.0,
    "DeleteObject": 3_500.0,
    "Invoke": 1_000.0,
}
OPERATIONS = (
    "DescribeLogGroups",
    "DescribeSubscriptionFilters",
    "PutSubscriptionFilter",
    "DeleteSubscriptionFilter",
    "FilterLogEvents",
    "PutRecordBatch",
    "ListFunctions",
    "GetObject",
    "PutObject",
    "DeleteObject",
    "Invoke",
)


@dataclass(frozen=True)
class Measured:
    run: str
    calls: Counter[str]
    invocations: int
    paced_s: float
    complete: bool

    def bound(self, percent: int) -> tuple[float, str]:
        """The slowest API at its quota (the paced ones at their share): seconds, API."""

        def rate(api: str) -> float:
            paced = QUOTA_CALLS_PER_SECOND.get(quota_of(api))
            return paced * percent / 100 if paced else QUOTAS.get(api, 1_000.0)

        times = {api: count / rate(api) for api, count in self.calls.items()}
        api = max(times, key=lambda a: times[a])
        return times[api], api


def _measure(account: Account, run: str, event: dict[str, object]) -> Measured:
    account.calls.clear()
    started = account.clock.elapsed
    results = account.run_chain(event)
    return Measured(
        run,
        Counter(account.calls.counts),
        len(results),
        account.clock.elapsed - started,
        bool(results[-1]["complete"]),
    )


def measure(groups: int, percent: int) -> list[Measured]:
    """The four runs on an account of `groups` groups, in order."""
    # The deployed subscriber publishes the architecture map to its bucket (ARCHITECTURE_BUCKET).
    account = Account(
        groups,
        timeout_s=LAMBDA_TIMEOUT_S,
        FILTER_API_QUOTA_PERCENT=str(percent),
        ARCHITECTURE_BUCKET=BUCKET,
    )
    found = [_measure(account, "first run", {"action": "reconcile"})]
    account.add_groups(max(1, groups // 100))
    found.append(_measure(account, "steady state, 1 % new", {"action": "reconcile"}))
    found.append(_measure(account, "full sweep", {"action": "reconcile", "sweep": True}))
    found.append(_measure(account, "remove", {"action": "remove"}))
    return found


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:,.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:,.0f} min"
    return f"{seconds / 3600:,.1f} h"


def table(groups: int, percent: int, runs: Sequence[Measured]) -> list[str]:
    used = [op for op in OPERATIONS if any(m.calls[op] for m in runs)]
    header = ["run", *used, "total", "invocations", "paced", "quota bound (by)"]
    lines = [
        f"{groups:,} groups, filter APIs at {percent} % of 5 calls/s",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for m in runs:
        seconds, api = m.bound(percent)
        cells = [
            m.run + ("" if m.complete else " (incomplete)"),
            *(f"{m.calls[op]:,}" for op in used),
            f"{sum(m.calls.values()):,}",
            str(m.invocations),
            _duration(m.paced_s),
            f"{_duration(seconds)} ({api})",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default=",".join(str(n) for n in SIZES))
    parser.add_argument("--percent", type=int, default=40, help="FILTER_API_QUOTA_PERCENT")
    parser.add_argument("--no-state", action="store_true", help="skip the group state's figures")
    args = parser.parse_args(argv)
    for groups in (int(n) for n in args.groups.split(",")):
        for line in table(groups, args.percent, measure(groups, args.percent)):
            out(line)
        out("")
    if not args.no_state:
        for line in state_size.table([state_size.measure(n) for n in state_size.SIZES]):
            out(line)


if __name__ == "__main__":
    main()
