"""Spoke mode against the call-counting fake (moto 5.2.5 refuses a logical destination ARN:
it looks it up as a log group): filters to the routed hub destination without a role, the
system fields on every put, old filters re-put once, backfill skipped, AccessDenied explained."""

from __future__ import annotations

import json

import pytest

from lambda_shared.routing import route
from subscriptions.errors import DestinationAccessDeniedError
from tests.subscriptions.fake_account import ACCOUNT_ID, ENV, STREAM_ARN, Account

HUB = "210987654321"
DESTINATIONS = tuple(
    f"arn:aws:logs:eu-west-1:{HUB}:destination:lambda-logs-hub-{i}" for i in range(3)
)
SPOKE_ENV = {"DESTINATION_ARN": ",".join(DESTINATIONS), "ROLE_ARN": "", "AWS_REGION": "eu-west-1"}
RECONCILE = {"action": "reconcile"}
SYSTEM_FIELDS = ["@aws.account", "@aws.region"]
FILTER = ENV["FILTER_NAME"]


def spoke(groups: int) -> Account:
    return Account(groups, events_per_group=3, state=False, timeout_s=None, **SPOKE_ENV)


def test_a_spoke_points_each_group_at_its_routed_destination_without_a_role() -> None:
    # GIVEN a spoke with 30 groups and the hub's three destinations
    account = spoke(30)

    # WHEN it reconciles
    result = account.run(RECONCILE)

    # THEN every group got one filter, to the destination the hub's routing picks, no roleArn,
    # emitting the source account and region
    assert result["outcomes"] == {"created": 30}
    assert len(account.logs.put_params) == 30
    for params in account.logs.put_params:
        group = params["logGroupName"]
        assert params["destinationArn"] == route(group, DESTINATIONS)
        assert "roleArn" not in params
        assert params["emitSystemFields"] == SYSTEM_FIELDS
    assert len({p["destinationArn"] for p in account.logs.put_params}) == 3
    # and a second run finds them all up to date
    account.calls.clear()
    again = account.run(RECONCILE)
    assert again["outcomes"] == {"unchanged": 30}
    assert account.calls.counts["PutSubscriptionFilter"] == 0


def test_a_spoke_skips_backfill_with_one_line_and_a_count() -> None:
    # GIVEN a spoke whose new groups hold earlier events
    account = spoke(5)

    # WHEN it subscribes them
    result = account.run(RECONCILE)

    # THEN nothing is read or sent for a backfill, and the skip is counted and logged once
    assert account.calls.counts["FilterLogEvents"] == 0
    assert account.calls.counts["PutRecordBatch"] == 0
    assert result["backfillSkipped"] == 5
    assert result["backfillFailed"] == [] and result["backfillEvents"] == 0
    skipped = [json.loads(line) for line in account.emitted if "backfill skipped" in line]
    assert len(skipped) == 1
    assert "no BACKFILL_ROLE_ARN is set" in skipped[0]["message"]
    metrics_line = json.loads(account.emitted[-1])
    assert metrics_line["BackfillSkipped"] == 5


def test_a_standalone_filter_emits_the_system_fields_and_keeps_its_role() -> None:
    account = Account(4, state=False)
    account.run(RECONCILE)
    assert len(account.logs.put_params) == 4
    for params in account.logs.put_params:
        assert params["destinationArn"] == STREAM_ARN
        assert params["roleArn"] == ENV["ROLE_ARN"]
        assert params["emitSystemFields"] == SYSTEM_FIELDS


def _old_filters(account: Account) -> None:
    """Each group holds our filter as the previous version put it: no emitSystemFields."""
    for group, filters in account.logs.filters.items():
        filters[FILTER] = {
            "filterName": FILTER,
            "logGroupName": group,
            "filterPattern": ENV["FILTER_PATTERN"],
            "destinationArn": STREAM_ARN,
            "roleArn": ENV["ROLE_ARN"],
            "creationTime": 1,
        }


def test_an_old_filter_without_system_fields_is_put_again_exactly_once() -> None:
    # GIVEN 12 groups holding the previous version's filter
    account = Account(12, state=False)
    _old_filters(account)

    # WHEN two runs reconcile (each a full sweep: no state)
    first = account.run(RECONCILE)
    puts_first = account.calls.counts["PutSubscriptionFilter"]
    account.calls.clear()
    second = account.run(RECONCILE)

    # THEN the first re-puts each one once, with the fields; the second puts nothing
    assert first["outcomes"] == {"updated": 12}
    assert puts_first == 12
    assert all(p["emitSystemFields"] == SYSTEM_FIELDS for p in account.logs.put_params)
    assert second["outcomes"] == {"unchanged": 12}
    assert account.calls.counts["PutSubscriptionFilter"] == 0
    # and no backfill: the groups were subscribed already
    assert first["backfillEvents"] == 0


def test_an_api_that_drops_the_system_fields_costs_at_most_one_put_per_run() -> None:
    # GIVEN an API that accepts emitSystemFields but never returns them (as moto 5.2.5)
    account = Account(12, state=False)
    _old_filters(account)
    account.logs.keeps_system_fields = False

    # WHEN two runs reconcile
    first = account.run(RECONCILE)
    puts_first = account.calls.counts["PutSubscriptionFilter"]
    account.calls.clear()
    second = account.run(RECONCILE)

    # THEN each run re-puts one group, reads it back, learns and stops comparing them
    assert puts_first == 1 and first["outcomes"] == {"updated": 1, "unchanged": 11}
    assert account.calls.counts["PutSubscriptionFilter"] == 1
    assert second["outcomes"] == {"updated": 1, "unchanged": 11}
    assert any("does not return them" in line for line in account.emitted)


def test_access_denied_on_a_destination_names_the_hubs_policy_and_the_account() -> None:
    # GIVEN a hub whose destination policy does not admit this account
    account = spoke(1)
    account.logs.refuse_puts = "AccessDeniedException"

    # WHEN / THEN the run fails saying what to change in the hub
    with pytest.raises(DestinationAccessDeniedError) as raised:
        account.run(RECONCILE)
    message = str(raised.value)
    assert f"does not admit account {ACCOUNT_ID}" in message
    assert "spokeAccountIds or organizationId" in message
    assert "pulumi up in the hub" in message
    assert "ROLE_ARN" not in message
