"""Lowering `deliveryStreams`: a filter of ours on a removed stream (a sibling of the first
stream no longer in DESTINATION_ARN) is still ours: reconcile re-points it, in a sweep and in a
steady-state run, and `remove` deletes it; a filter of our name on any other destination stays
another deployment's (review of issue #12)."""

from __future__ import annotations

import pytest

from lambda_shared.routing import route
from tests.subscriptions.fake_account import ACCOUNT_ID, ENV, REGION, STREAM_ARN, Account

# The stack's real names (lambda_shared.stream_names): `lambda-logs`, `lambda-logs-2`, …
ARNS = (STREAM_ARN, f"{STREAM_ARN}-2", f"{STREAM_ARN}-3")
FILTER = ENV["FILTER_NAME"]
RECONCILE = {"action": "reconcile"}


def _destination(account: Account, group: str) -> str:
    return str(account.logs.filters[group][FILTER]["destinationArn"])


def _on_three_then_two(groups: int) -> tuple[Account, list[str]]:
    """Groups reconciled on three streams, then the third removed (`pulumi up`, 2 streams)."""
    account = Account(groups, DESTINATION_ARN=",".join(ARNS))
    account.run(RECONCILE)
    on_third = [g for g in account.logs.groups if _destination(account, g) == ARNS[2]]
    assert on_third
    account.env["DESTINATION_ARN"] = ",".join(ARNS[:2])
    account.calls.clear()
    return account, on_third


def test_a_sweep_after_going_from_three_to_two_streams_re_points_the_removed_streams_groups() -> (
    None
):
    # GIVEN 300 groups on three streams, the third just removed
    account, on_third = _on_three_then_two(300)

    # WHEN a sweep runs
    result = account.run({**RECONCILE, "sweep": True})

    # THEN every group points at its routed stream among the two left, nothing is foreign
    assert all(_destination(account, g) == route(g, ARNS[:2]) for g in account.logs.groups)
    assert result["outcomes"] == {"updated": len(on_third), "unchanged": 300 - len(on_third)}
    assert not [line for line in account.emitted if "another deployment" in line]


def test_a_steady_state_run_re_reads_and_re_points_exactly_the_removed_streams_groups() -> None:
    # GIVEN 300 groups on three streams, remembered by the group state, the third removed
    account, on_third = _on_three_then_two(300)

    # WHEN the next (steady-state) run reconciles
    result = account.run(RECONCILE)

    # THEN the state's tokens (which hold the destination) differ for exactly those groups:
    # they are read and re-pointed, the others are taken from the state
    assert result["sweep"] is False
    assert result["outcomes"] == {"updated": len(on_third), "unchanged": 300 - len(on_third)}
    assert account.calls.counts["DescribeSubscriptionFilters"] == len(on_third)
    assert account.calls.counts["PutSubscriptionFilter"] == len(on_third)
    assert account.calls.counts["FilterLogEvents"] == 0  # a re-point is no new subscription
    assert all(_destination(account, g) == route(g, ARNS[:2]) for g in account.logs.groups)
    # AND the run after finds everything up to date without reading a filter
    account.calls.clear()
    assert account.run(RECONCILE)["outcomes"] == {"unchanged": 300}
    assert account.calls.counts["DescribeSubscriptionFilters"] == 0


def test_going_from_ten_streams_to_one_re_points_every_group() -> None:
    every = (STREAM_ARN, *(f"{STREAM_ARN}-{i}" for i in range(2, 11)))
    account = Account(200, DESTINATION_ARN=",".join(every))
    account.run(RECONCILE)
    account.env["DESTINATION_ARN"] = STREAM_ARN

    result = account.run(RECONCILE)

    assert "not_ours" not in result["outcomes"]
    assert all(_destination(account, g) == STREAM_ARN for g in account.logs.groups)


def test_remove_after_lowering_the_count_deletes_every_filter_of_ours() -> None:
    # GIVEN filters on three streams, the third then removed from DESTINATION_ARN
    account, _ = _on_three_then_two(90)

    # WHEN the subscriber removes its filters (pulumi destroy)
    result = account.run({"action": "remove"})

    # THEN those on the removed stream are deleted too
    assert result["outcomes"] == {"deleted": 90}
    assert account.ours() == 0
    assert not any(FILTER in filters for filters in account.logs.filters.values())


FOREIGN = [
    pytest.param(f"{STREAM_ARN}-other-stack", id="another-name"),
    pytest.param(f"{STREAM_ARN}-11", id="past-the-tenth-sibling"),
    pytest.param(f"{STREAM_ARN}-1", id="no-such-position"),
    pytest.param(f"{STREAM_ARN}-2-2", id="a-siblings-sibling"),
    pytest.param(STREAM_ARN.replace(ACCOUNT_ID, "210987654321") + "-3", id="another-account"),
    pytest.param(STREAM_ARN.replace(REGION, "us-east-1") + "-3", id="another-region"),
]


@pytest.mark.parametrize("foreign_arn", FOREIGN)
def test_our_name_on_a_destination_that_is_no_sibling_stays_foreign(foreign_arn: str) -> None:
    # GIVEN groups on two streams, one of which holds our name pointing elsewhere
    account = Account(30, DESTINATION_ARN=",".join(ARNS[:2]))
    account.run(RECONCILE)
    foreign = "/aws/lambda/fn-00001"
    account.logs.filters[foreign][FILTER]["destinationArn"] = foreign_arn

    # WHEN a sweep reconciles, then the subscriber removes its filters
    swept = account.run({**RECONCILE, "sweep": True})
    warned = [line for line in account.emitted if "another deployment" in line]
    removed = account.run({"action": "remove"})

    # THEN the foreign filter is reported, never re-pointed nor deleted
    assert swept["outcomes"] == {"not_ours": 1, "unchanged": 29}
    assert len(warned) == 1 and foreign_arn in warned[0]
    assert removed["outcomes"] == {"deleted": 29, "not_ours": 1}
    assert _destination(account, foreign) == foreign_arn


def test_a_stack_whose_prefix_is_ours_with_a_suffix_keeps_its_filters() -> None:
    # GIVEN another stack whose resource prefix is ours + "-2": its filter name (its prefix,
    # infra/stack_names.py) differs from ours, even on its stream 0, a sibling name of ours
    account = Account(20, DESTINATION_ARN=",".join(ARNS[:2]))
    account.run(RECONCILE)
    other = "/aws/lambda/fn-00003"
    spec = {"destinationArn": ARNS[1], "filterPattern": "", "filterName": f"{FILTER}-2"}
    account.logs.filters[other][f"{FILTER}-2"] = {**account.logs.filters[other][FILTER], **spec}

    # WHEN this stack removes its filters
    result = account.run({"action": "remove"})

    # THEN only its own are gone
    assert result["outcomes"] == {"deleted": 20}
    assert list(account.logs.filters[other]) == [f"{FILTER}-2"]


HUB = "210987654321"
DESTINATION = f"arn:aws:logs:{REGION}:{HUB}:destination:lambda-logs-dest"
DESTINATIONS = (DESTINATION, f"{DESTINATION}-2", f"{DESTINATION}-3")


def _spoke(groups: int) -> Account:
    return Account(
        groups,
        events_per_group=0,
        DESTINATION_ARN=",".join(DESTINATIONS),
        ROLE_ARN="",
        AWS_REGION=REGION,
    )


def test_a_spoke_re_points_the_groups_of_a_destination_the_hub_dropped() -> None:
    # GIVEN a spoke on the hub's three destinations, the third then dropped
    account = _spoke(120)
    account.run(RECONCILE)
    account.env["DESTINATION_ARN"] = ",".join(DESTINATIONS[:2])

    # WHEN it reconciles
    result = account.run(RECONCILE)

    # THEN its groups on the dropped one point at the two left
    assert "not_ours" not in result["outcomes"] and result["outcomes"]["updated"] > 0
    assert all(_destination(account, g) == route(g, DESTINATIONS[:2]) for g in account.logs.groups)


def test_a_spoke_removes_its_filters_on_a_destination_the_hub_dropped() -> None:
    account = _spoke(60)
    account.run(RECONCILE)
    account.env["DESTINATION_ARN"] = DESTINATION

    result = account.run({"action": "remove"})

    assert result["outcomes"] == {"deleted": 60}
    assert account.ours() == 0


def test_a_group_excluded_since_loses_our_filter_on_a_removed_stream() -> None:
    # GIVEN a group on the removed stream, excluded in the same change
    account, on_third = _on_three_then_two(60)
    excluded = on_third[0]
    account.env["EXCLUDE_LOG_GROUPS"] = excluded

    # WHEN a sweep reconciles
    account.run({**RECONCILE, "sweep": True})

    # THEN our filter is gone from it, the other groups are on the streams left
    assert FILTER not in account.logs.filters[excluded]
    rest = [g for g in account.logs.groups if g != excluded]
    assert all(_destination(account, g) == route(g, ARNS[:2]) for g in rest)
