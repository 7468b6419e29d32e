"""`make bench`: the subscriber's API calls and the wall time they need inside AWS's quotas.

For 1,000 / 10,000 / 50,000 Lambda log groups (each with its function) it runs the real
subscriber against the call-counting fake account of `tests/subscriptions/fake_account.py`
(same request and response shapes as boto3, real page sizes) with a 900 s Lambda timeout and
follows every self-invocation, for: the first run, a steady-state run after 1 % new groups, a
full sweep, and `remove`. It prints the calls per API and two times:
- *paced*: the time the chain took on the virtual clock its pacing waits on (every paced quota
  at FILTER_API_QUOTA_PERCENT: the subscription-filter APIs, DescribeLogGroups, FilterLogEvents,
  Lambda's control plane; the backfill's byte budget), measured as the subscriber runs, so it
  shows how much of each quota's pace overlaps the others' (the walk's two listings do:
  subscriptions/reconcile.py);
- *quota bound*: calls / rate for each quota (the APIs sharing one summed: pacing.SHARED_QUOTAS),
  the paced ones at their share, the largest (the run can be no faster).
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
# The unpaced APIs' quotas in calls/s, for the bound (the paced ones' are
# pacing.QUOTA_CALLS_PER_SECOND): S3's per prefix, Firehose's and Invoke's are not the
# bottleneck at these rates.
QUOTAS = {
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
        """The slowest quota's calls at its rate (the paced ones at their share): seconds, the
        quota (an API's name, or its shared quota's)."""

        def rate(quota: str) -> float:
            paced = QUOTA_CALLS_PER_SECOND.get(quota)
            return paced * percent / 100 if paced else QUOTAS.get(quota, 1_000.0)

        per_quota: Counter[str] = Counter()
        for api, count in self.calls.items():
            per_quota[quota_of(api)] += count
        times = {quota: count / rate(quota) for quota, count in per_quota.items()}
        quota = max(times, key=lambda q: times[q])
        return times[quota], quota


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
