"""The share of the fixed 5 calls/s holds across invocations, not only inside one: with reserved
concurrency 1 invocations run one after another, and each settles its pacing before it returns
(docs/decisions/subscriptions.md, "Pacing across invocations")."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from subscriptions.pacing import PACED_APIS, CallPacer, VirtualClock
from tests.subscriptions.fake_account import Account

EVENT = json.loads(
    (Path(__file__).parent / "events" / "create_log_group.json").read_text(encoding="utf-8")
)


def _created(name: str) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(EVENT)
    event["detail"]["requestParameters"]["logGroupName"] = name
    return event


def _smallest_gaps(account: Account) -> dict[str, float]:
    times: dict[str, list[float]] = {}
    for api, at in account.calls.log:
        if api in PACED_APIS:
            times.setdefault(api, []).append(at)
    return {api: min(b - a for a, b in itertools.pairwise(t)) for api, t in times.items()}


@pytest.mark.parametrize("percent", [40, 10])
def test_back_to_back_new_group_events_stay_inside_the_share(percent: int) -> None:
    # GIVEN a reconciled account, then 30 groups created at once (a deployment of 30 functions):
    # 30 CreateLogGroup events, each its own invocation, run one after another (concurrency 1)
    account = Account(20, FILTER_API_QUOTA_PERCENT=str(percent))
    account.run({"action": "reconcile"})
    account.add_groups(30)
    account.calls.clear()

    # WHEN each event is handled in turn, with no time between the invocations
    results = [account.run(_created(f"/aws/lambda/fn-{i:05d}")) for i in range(20, 50)]

    # THEN every group is subscribed, and the calls of every paced API, across all 30
    # invocations, are never closer than 1/rate: 2 reads per group at 2 calls/s (40 %)
    assert [r["outcomes"] for r in results] == [{"created": 1}] * 30
    assert account.ours() == 50
    assert account.calls.counts["DescribeSubscriptionFilters"] == 60
    rate = 5 * percent / 100
    gaps = _smallest_gaps(account)
    assert set(gaps) == {"DescribeSubscriptionFilters", "PutSubscriptionFilter"}
    for api, gap in gaps.items():
        assert gap >= 1 / rate - 1e-9, (api, gap)


def test_a_run_that_called_no_filter_api_waits_only_for_its_listings() -> None:
    # GIVEN a reconciled account (a steady-state run with nothing new makes no capped call)
    account = Account(30)
    account.run({"action": "reconcile"})

    # WHEN the next scheduled run finds nothing new
    account.calls.clear()
    before = account.clock.elapsed
    result = account.run({"action": "reconcile"})

    # THEN it calls no subscription-filter API, and the only wait is the settle after its
    # last listing page: one interval of DescribeLogGroups' share (10/s x 40 % = 4/s)
    assert result["outcomes"] == {"unchanged": 30}
    assert not PACED_APIS & set(account.calls.counts)
    assert account.calls.counts["DescribeLogGroups"] >= 1
    assert 0 < result["pacedSeconds"] <= 0.25 + 1e-9
    assert account.clock.elapsed - before == pytest.approx(result["pacedSeconds"])


def test_settle_waits_for_the_latest_call_and_at_most_its_limit() -> None:
    clock = VirtualClock()
    pacer = CallPacer(2.0, clock)
    pacer.wait("DescribeSubscriptionFilters")  # t=0: the next one is due at 0.5
    clock.elapsed = 0.2
    pacer.wait("PutSubscriptionFilter")  # t=0.2: the next one is due at 0.7

    assert pacer.settle(within=0.1) == pytest.approx(0.1)  # capped by the time left
    assert clock.elapsed == pytest.approx(0.3)
    assert pacer.settle(within=10) == pytest.approx(0.4)  # until 0.7, the latest due
    assert clock.elapsed == pytest.approx(0.7)
    assert pacer.settle(within=10) == 0.0  # nothing owed any more
    assert pacer.waited_seconds == pytest.approx(0.5)
