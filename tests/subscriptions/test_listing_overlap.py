"""The walk's two listings overlap (reconcile.py, `Subscriber.walk`): DescribeLogGroups (10/s)
and ListFunctions (Lambda's control plane, 15/s) draw on independent quotas, so their pages
interleave, each next page the one whose quota is free first. On the call-counting fake and its
virtual clock: a steady-state run takes about the longer walk, not their sum; it makes the same
calls as the walks one after the other; no quota gets more than its share in any second; and a
run cut by its time budget in the middle of both walks resumes to the same filters."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable

import pytest

from subscriptions.continuation import Cursor
from subscriptions.errors import ContinuationError
from subscriptions.functions_api import FUNCTIONS_PAGE_SIZE
from subscriptions.logs_api import GROUPS_PAGE_SIZE
from subscriptions.pacing import (
    LAMBDA_CONTROL_PLANE,
    QUOTA_CALLS_PER_SECOND,
    CallPacer,
    VirtualClock,
    quota_of,
)
from subscriptions.reconcile import Subscriber
from subscriptions.report import RunResult
from tests.subscriptions.fake_account import Account

MARGIN_S = 30.0  # TIME_BUDGET_MARGIN_SECONDS' default
FAST_BACKFILL = "5242880"
"""The highest BACKFILL_BYTES_PER_SECOND: a backfill page then reserves 0.4 s of the budget
(2 MiB at this rate), so a short invocation still backfills."""


def share(quota: str, percent: int) -> float:
    """Calls per second the pacer allows `quota` at FILTER_API_QUOTA_PERCENT=`percent`."""
    return QUOTA_CALLS_PER_SECOND[quota] * percent / 100


def pages(items: int, size: int) -> int:
    return max(1, math.ceil(items / size))


def account(
    groups: int, functions: int, percent: int = 40, *, events_per_group: int = 0, **env: str
) -> Account:
    """`groups` groups under /aws/lambda/ and `functions` functions, the first of each paired
    (the others: groups without a function, functions whose default group does not exist)."""
    paired = min(groups, functions)
    found = Account(paired, events_per_group=events_per_group)
    found.env.update({"FILTER_API_QUOTA_PERCENT": str(percent), **env})
    for index in range(groups - paired):
        found.logs.add(f"/aws/lambda/solo-{index:05d}")
    found.lambda_.functions.extend(f"nolog-{i:05d}" for i in range(functions - paired))
    return found


def sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk as it was: every prefix page first, then every functions page."""
    monkeypatch.setattr(Subscriber, "_groups_turn", lambda _self, c: c.phase == "prefixes")


def timed_run(acct: Account) -> tuple[RunResult, float]:
    """One reconcile on a cleared call log: its result and its wall time on the clock."""
    acct.calls.clear()
    started = acct.clock.elapsed
    result = acct.run({"action": "reconcile"})
    return result, acct.clock.elapsed - started


def busiest_second(log: Iterable[tuple[str, float]]) -> dict[str, int]:
    """Per paced quota, the most calls made in any window of one second [t, t + 1)."""
    times: dict[str, list[float]] = defaultdict(list)
    for api, at in log:
        if quota_of(api) in QUOTA_CALLS_PER_SECOND:
            times[quota_of(api)].append(at)
    return {
        quota: max(bisect.bisect_left(at, t + 1 - 1e-6) - i for i, t in enumerate(at))
        for quota, at in times.items()
    }


WALKS = [(3_000, 1_000, 40), (1_000, 3_000, 40), (2_000, 2_000, 20)]


@pytest.mark.parametrize(("groups", "functions", "percent"), WALKS)
def test_a_steady_state_run_takes_the_longer_walk_not_their_sum(
    groups: int, functions: int, percent: int
) -> None:
    # GIVEN an account already reconciled
    acct = account(groups, functions, percent)
    acct.run({"action": "reconcile"})
    groups_walk = pages(groups, GROUPS_PAGE_SIZE) / share("DescribeLogGroups", percent)
    functions_walk = pages(functions, FUNCTIONS_PAGE_SIZE) / share(LAMBDA_CONTROL_PLANE, percent)

    # WHEN a steady-state run lists both again, nothing new
    result, wall = timed_run(acct)

    # THEN each listing ran at its own pace beside the other: the run took the longer one
    # (its last call, then the settle to that quota's next turn), not the two in turn
    assert result["complete"] is True and result["sweep"] is False
    assert wall == pytest.approx(max(groups_walk, functions_walk), abs=1e-6)
    assert wall < groups_walk + functions_walk - min(groups_walk, functions_walk) / 2


@pytest.mark.parametrize(("groups", "functions", "percent"), WALKS)
def test_the_overlap_makes_the_same_calls_and_no_quota_gets_more_than_its_share(
    groups: int, functions: int, percent: int
) -> None:
    # GIVEN an account already reconciled
    acct = account(groups, functions, percent)
    acct.run({"action": "reconcile"})

    # WHEN a steady-state run lists both again
    timed_run(acct)

    # THEN each listing is read once, page by page, and no capped filter call is made
    calls = acct.calls.counts
    assert calls["DescribeLogGroups"] == pages(groups, GROUPS_PAGE_SIZE)
    assert calls["ListFunctions"] == pages(functions, FUNCTIONS_PAGE_SIZE)
    assert calls["DescribeSubscriptionFilters"] == calls["PutSubscriptionFilter"] == 0
    # AND in no second did a quota get more calls than its share (both listings' included)
    busiest = busiest_second(acct.calls.log)
    assert set(busiest) == {"DescribeLogGroups", LAMBDA_CONTROL_PLANE}
    for quota, most in busiest.items():
        assert most <= share(quota, percent) + 1e-9, (quota, most)


def with_new_work(acct: Account) -> None:
    """New groups spread through the prefix's names and through the functions' pages: 10 new
    /aws/lambda/ groups (the prefixes' walk) and 5 functions moved to custom groups outside the
    prefix (the functions' walk finds and subscribes them)."""
    functions = acct.lambda_.functions
    for index in range(0, len(acct.logs.groups), len(acct.logs.groups) // 10):
        acct.logs.add(f"/aws/lambda/fn-{index:05d}-new")
    for number, index in enumerate(range(90, len(functions), len(functions) // 5)):
        acct.lambda_.custom_groups[functions[index]] = f"/custom/app-{number}"
        acct.logs.add(f"/custom/app-{number}")


def filters_of(acct: Account) -> dict[str, list[tuple[str, str, str]]]:
    """Every group's filters, without their creation times (the order of puts sets those)."""
    return {
        group: sorted((name, f["destinationArn"], f["filterPattern"]) for name, f in held.items())
        for group, held in acct.logs.filters.items()
    }


def test_new_groups_of_both_walks_cost_the_same_calls_as_the_walks_in_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN two identical accounts, reconciled, then new groups in both listings
    overlapped, in_turn = account(2_000, 3_000), account(2_000, 3_000)
    for acct in (overlapped, in_turn):
        acct.run({"action": "reconcile"})
        with_new_work(acct)

    # WHEN one runs the overlapped walk and the other the walks one after the other
    result, overlapped_wall = timed_run(overlapped)
    with monkeypatch.context() as patch:
        sequential(patch)
        in_turn_result, in_turn_wall = timed_run(in_turn)

    # THEN both make exactly the same calls, reach the same outcomes and filters
    assert overlapped.calls.counts == in_turn.calls.counts
    assert overlapped.calls.counts["DescribeLogGroups"] == pages(2_010, GROUPS_PAGE_SIZE) + 5
    assert result["outcomes"] == in_turn_result["outcomes"]
    assert result["outcomes"]["created"] == 15
    assert filters_of(overlapped) == filters_of(in_turn)
    # AND the overlapped one is faster by about the shorter walk (new groups' calls aside)
    functions_walk = pages(3_000, FUNCTIONS_PAGE_SIZE) / share(LAMBDA_CONTROL_PLANE, 40)
    assert in_turn_wall - overlapped_wall > functions_walk / 2
    for acct in (overlapped, in_turn):
        assert all(most <= share(q, 40) for q, most in busiest_second(acct.calls.log).items())


def chain(acct: Account) -> list[RunResult]:
    results = acct.run_chain({"action": "reconcile"})
    assert results[-1]["complete"] is True
    return results


def created(results: list[RunResult]) -> int:
    return sum(r["outcomes"].get("created", 0) for r in results)


def test_a_run_cut_in_the_middle_of_both_walks_resumes_to_the_same_filters() -> None:
    # GIVEN two identical accounts (3,000 groups, 4,000 functions) with new groups in both
    # listings, one given invocations of 8 s beyond the time-budget margin
    cut, whole = (
        account(3_000, 4_000, events_per_group=1, BACKFILL_BYTES_PER_SECOND=FAST_BACKFILL)
        for _ in range(2)
    )
    for acct in (cut, whole):
        acct.run({"action": "reconcile"})
        with_new_work(acct)
    cut.timeout_s = MARGIN_S + 8
    cut.calls.clear()

    # WHEN each reconciles, the short one following its continuations
    cut_results, whole_results = chain(cut), chain(whole)

    # THEN the first invocation stopped with both listings under way
    assert len(whole_results) == 1 and len(cut_results) >= 3
    first = Cursor.from_token(cut_results[0]["continuation"])
    assert cut_results[0]["stopReason"] == "time_budget" and cut_results[0]["selfInvoked"]
    assert first.phase == "prefixes" and first.page_token is not None
    assert first.functions_marker is not None and not first.functions_listed
    # AND the chain ends with the same filters, every new group created and backfilled once
    assert filters_of(cut) == filters_of(whole)
    assert created(cut_results) == created(whole_results) == 15
    assert cut.ours() == whole.ours() == 3_000 + 15
    backfilled = [sum(r["backfillRecords"] for r in rs) for rs in (cut_results, whole_results)]
    assert backfilled[0] == backfilled[1] > 0
    # AND no quota got more than its share in any second of the chain
    assert all(most <= share(q, 40) for q, most in busiest_second(cut.calls.log).items())


def test_a_run_cut_after_the_functions_listing_ended_does_not_list_them_again() -> None:
    # GIVEN 4,000 groups and 500 functions (80 and 10 pages: the functions end first)
    acct = account(4_000, 500)
    acct.run({"action": "reconcile"})
    acct.timeout_s = MARGIN_S + 8
    acct.calls.clear()

    # WHEN a steady-state run is cut and continues
    results = acct.run_chain({"action": "reconcile"})

    # THEN the continuation says the functions are listed, and none lists them again
    first = Cursor.from_token(results[0]["continuation"])
    assert first.phase == "prefixes" and first.functions_listed
    assert first.functions_marker is None and first.functions_done == 0
    assert results[-1]["complete"] is True
    assert acct.calls.counts["ListFunctions"] == pages(500, FUNCTIONS_PAGE_SIZE)
    # (a page fetched past the budget, after its pacing wait, is fetched again by the next)
    listed = acct.calls.counts["DescribeLogGroups"] - pages(4_000, GROUPS_PAGE_SIZE)
    assert len(results) >= 2 and 0 <= listed <= len(results) - 1


def test_the_functions_listed_flag_round_trips_and_old_tokens_read_as_not_listed() -> None:
    cursor = Cursor(action="reconcile", prefix_index=0, page_token="5", functions_listed=True)
    assert Cursor.from_token(cursor.to_token()) == cursor
    old = {k: v for k, v in Cursor().to_token().items() if k != "functionsListed"}
    assert Cursor.from_token(old).functions_listed is False
    with pytest.raises(ContinuationError, match="functionsListed"):
        Cursor.from_token({**old, "functionsListed": 1})


def test_ready_in_is_the_time_to_each_quotas_own_next_turn() -> None:
    # GIVEN the default share: DescribeLogGroups 4/s, the control plane 6/s
    clock = VirtualClock()
    pacer = CallPacer.share(40, clock)
    assert pacer.ready_in("DescribeLogGroups") == pacer.ready_in("ListFunctions") == 0

    # WHEN one call of each is made
    pacer.wait("DescribeLogGroups")
    pacer.wait("ListFunctions")

    # THEN each quota's next turn is 1/its share away, whatever the other's; a shared quota's
    # APIs have the same turn
    assert pacer.ready_in("DescribeLogGroups") == pytest.approx(1 / 4)
    assert pacer.ready_in("ListFunctions") == pytest.approx(1 / 6)
    assert pacer.ready_in("GetFunctionConfiguration") == pytest.approx(1 / 6)
    clock.sleep(0.2)
    assert pacer.ready_in("DescribeLogGroups") == pytest.approx(0.05)
    assert pacer.ready_in("ListFunctions") == 0
