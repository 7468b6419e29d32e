"""The API calls of a 10,000-group account, counted.

moto needs minutes for 10,000 groups, so these tests use the call-counting fake account of
`fake_account.py` (same request and response shapes as boto3, pagination at the real page
sizes), here without a state bucket: every run is a sweep. The figures are in
docs/subscriptions.md (Measured).
"""

from __future__ import annotations

from subscriptions.report import RunResult
from tests.subscriptions.fake_account import Account as FakeAccount

GROUPS = 10_000


class Account:
    """10,000 functions, each logging to its own /aws/lambda/ group; no state bucket."""

    def __init__(self, events_per_group: int = 0) -> None:
        self._account = FakeAccount(GROUPS, events_per_group=events_per_group, state=False)
        self.calls = self._account.calls.counts

    def run(self, action: str) -> RunResult:
        self._account.calls.clear()
        return self._account.run({"action": action})


def test_first_reconcile_of_10000_new_groups() -> None:
    # GIVEN 10,000 functions and their 10,000 unsubscribed, still empty groups
    account = Account()

    # WHEN the subscriber reconciles
    result = account.run("reconcile")

    # THEN per group: read filters, put, read the filter's creation time, one FilterLogEvents
    assert result["outcomes"] == {"created": GROUPS}
    assert account.calls == {
        "DescribeLogGroups": 200,
        "DescribeSubscriptionFilters": 20_000,
        "PutSubscriptionFilter": 10_000,
        "FilterLogEvents": 10_000,
        "ListFunctions": 200,
    }
    assert result["apiCalls"] == sum(account.calls.values()) == 40_400


def test_steady_state_reconcile_of_10000_groups_only_reads() -> None:
    # GIVEN the account, already reconciled
    account = Account()
    account.run("reconcile")

    # WHEN the subscriber reconciles again
    result = account.run("reconcile")

    # THEN one DescribeSubscriptionFilters per group plus the listings, and no write
    assert result["outcomes"] == {"unchanged": GROUPS}
    assert account.calls == {
        "DescribeLogGroups": 200,
        "DescribeSubscriptionFilters": 10_000,
        "ListFunctions": 200,
    }
    assert result["apiCalls"] == 10_400


def test_remove_of_10000_groups() -> None:
    # GIVEN the reconciled account
    account = Account()
    account.run("reconcile")

    # WHEN the subscriber removes its filters
    result = account.run("remove")

    # THEN one read and one delete per group
    assert result["outcomes"] == {"deleted": GROUPS}
    assert account.calls == {
        "DescribeLogGroups": 200,
        "DescribeSubscriptionFilters": 10_000,
        "DeleteSubscriptionFilter": 10_000,
        "ListFunctions": 200,
    }
    assert result["apiCalls"] == 20_400


def test_first_reconcile_of_10000_groups_that_already_hold_events() -> None:
    # GIVEN 10,000 new groups holding 3 events each
    account = Account(events_per_group=3)

    # WHEN the subscriber reconciles
    result = account.run("reconcile")

    # THEN each group's backfill adds one PutRecordBatch call
    assert result["backfillEvents"] == 3 * GROUPS
    assert account.calls["PutRecordBatch"] == GROUPS
    assert result["apiCalls"] == 50_400
