"""The subscriber's listings keep to their share of their quotas too (subscriptions/pacing.py):
DescribeLogGroups (10/s) and Lambda's control plane (15/s for the whole account, fixed, the
budget deployments spend), each at FILTER_API_QUOTA_PERCENT, on the call-counting fake."""

from __future__ import annotations

import itertools

import pytest

from subscriptions.pacing import (
    LAMBDA_CONTROL_PLANE,
    QUOTA_CALLS_PER_SECOND,
    CallPacer,
    VirtualClock,
)
from tests.subscriptions.fake_account import Account


def _gaps(account: Account, api: str) -> list[float]:
    times = [at for name, at in account.calls.log if name == api]
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.parametrize("percent", [40, 10])
def test_a_reconcile_lists_groups_and_functions_inside_their_shares(percent: int) -> None:
    # GIVEN an account of 600 functions (12 pages of each listing), already reconciled
    account = Account(600, FILTER_API_QUOTA_PERCENT=str(percent))
    account.run({"action": "reconcile"})
    account.calls.clear()

    # WHEN a steady-state run lists them again
    account.run({"action": "reconcile"})

    # THEN consecutive pages are never closer than 1/share of their quota
    for api, quota in (("DescribeLogGroups", 10.0), ("ListFunctions", 15.0)):
        gaps = _gaps(account, api)
        assert len(gaps) >= 11, api
        assert min(gaps) >= 1 / (quota * percent / 100) - 1e-9, (api, min(gaps))


def test_lambda_calls_share_one_pace_for_the_control_plane() -> None:
    # GIVEN the default share (40 %: 6 control-plane calls a second)
    clock = VirtualClock()
    pacer = CallPacer.share(40, clock)

    # WHEN ListFunctions and GetFunctionConfiguration take turns
    for api in ("ListFunctions", "GetFunctionConfiguration") * 3:
        pacer.wait(api)

    # THEN the six calls span five intervals of 1/6 s, not two interleaved paces
    assert clock.elapsed == pytest.approx(5 / 6)
    assert pacer.rate_of(LAMBDA_CONTROL_PLANE) == pytest.approx(6.0)
    assert pacer.rate_of("ListFunctions") == pytest.approx(6.0)
    assert pacer.rate_of("DescribeSubscriptionFilters") == pytest.approx(2.0)
    assert pacer.rate_of("DescribeLogGroups") == pytest.approx(4.0)
    assert set(QUOTA_CALLS_PER_SECOND) >= {"FilterLogEvents", "PutSubscriptionFilter"}


def test_a_pacer_refuses_a_rate_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="rate must be positive"):
        CallPacer(2.0, VirtualClock(), {"DescribeLogGroups": 0.0})
