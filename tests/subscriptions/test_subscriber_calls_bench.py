"""`python -m bench.subscriber_calls` counts one ListFunctions walk per run, architecture map
included (the deployed subscriber publishes it: ARCHITECTURE_BUCKET is set), measures the
listings' overlap on its virtual clock, and bounds each quota by all the APIs drawing on it."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.subscriber_calls import Measured, measure
from subscriptions.pacing import LAMBDA_CONTROL_PLANE, QUOTA_CALLS_PER_SECOND


@pytest.fixture(scope="module")
def runs() -> list[Measured]:
    return measure(1_000, 40)


def test_every_run_of_the_bench_walks_list_functions_once(runs: list[Measured]) -> None:
    # 1,000 functions, then 1,010 after the 1 % new: 20 then 21 pages of 50
    assert [m.calls["ListFunctions"] for m in runs] == [20, 21, 21, 21]
    assert all(m.complete for m in runs)
    assert runs[0].calls["PutObject"] >= 1  # the map was published (with the group state)


def test_the_steady_state_figure_measures_the_functions_listing_inside_the_groups_one(
    runs: list[Measured],
) -> None:
    # GIVEN the steady-state run (its new groups sort last: their filter reads follow the
    # groups' listing, bench docstring)
    steady = runs[1]

    def walk(api: str, quota: str) -> float:
        return steady.calls[api] / (QUOTA_CALLS_PER_SECOND[quota] * 40 / 100)

    groups_walk = walk("DescribeLogGroups", "DescribeLogGroups")
    reads = walk("DescribeSubscriptionFilters", "DescribeSubscriptionFilters")
    functions_walk = walk("ListFunctions", LAMBDA_CONTROL_PLANE)
    # THEN its wall time is the groups' listing and the reads, the functions' listing inside it
    assert steady.paced_s <= groups_walk + reads
    assert steady.paced_s > groups_walk + reads - functions_walk


def test_the_bound_sums_the_apis_of_a_shared_quota() -> None:
    # GIVEN 600 ListFunctions and 600 GetFunctionConfiguration (one control-plane quota, 6/s at
    # 40 %) and 400 DescribeLogGroups (4/s)
    calls = Counter(ListFunctions=600, GetFunctionConfiguration=600, DescribeLogGroups=400)
    # WHEN the bound is computed, THEN it is the control plane's 1,200 calls at 6/s
    seconds, quota = Measured("run", calls, 1, 0.0, True).bound(40)
    assert quota == LAMBDA_CONTROL_PLANE
    assert seconds == pytest.approx(200.0)
