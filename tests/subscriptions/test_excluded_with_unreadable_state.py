"""An excluded group's filter is deleted even when the kept-backfill state cannot be read
(dropping its kept job reads it): a deploy-time walk that sends no backfill does not fail on
it, as `remove` does not (PendingBackfills.clear); the scheduled run reports the state."""

from __future__ import annotations

from tests.subscriptions.fake_account import Account
from tests.subscriptions.test_backfill_chain_stops import KEY, RECONCILE

GROUP = "/aws/lambda/fn-00000"


def test_an_unreadable_kept_state_does_not_fail_a_deploy_time_walk_over_an_excluded_group() -> None:
    account = Account(3, events_per_group=0)
    account.run_chain(RECONCILE)
    account.s3.put_object(Bucket="b", Key=KEY, Body=b"{not json")
    account.env["EXCLUDE_LOG_GROUPS"] = GROUP

    answer = account.run({"action": "reconcile", "selfInvoke": False, "sweep": True})

    assert answer["complete"] and answer["outcomes"].get("deleted") == 1
