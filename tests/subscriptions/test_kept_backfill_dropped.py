"""A kept backfill follows later decisions: an unfinished job has no retry window, so one kept
for a group that is excluded since would go on sending its window run after run. It is dropped
when its group becomes excluded (before a scheduled run resumes it, and when a walk deletes the
group's filter), and every kept job when `remove` completes (no group holds the filter then),
without reading the state: an unreadable one cannot fail a destroy."""

from __future__ import annotations

from tests.subscriptions import windowed_events
from tests.subscriptions.fake_account import Account
from tests.subscriptions.test_backfill_chain_stops import KEY, RECONCILE, _kept, _slow

GROUP = "/aws/lambda/fn-00000"


def _with_a_kept_job() -> tuple[Account, int]:
    """The slow job of test_backfill_chain_stops, cut by a chain of no continuation: kept."""
    account = _slow(1, events=200, message_bytes=1000, MAX_CONTINUATIONS="0")
    account.run_chain(RECONCILE)
    assert [e["job"]["logGroup"] for e in _kept(account)["unfinished"]] == [GROUP]
    sent = sum(windowed_events.sent(account).values())
    assert 0 < sent < 200
    return account, sent


def test_a_scheduled_run_drops_the_kept_job_of_a_group_excluded_since() -> None:
    # GIVEN a kept job, and its group excluded since
    account, sent = _with_a_kept_job()
    account.env["EXCLUDE_LOG_GROUPS"] = GROUP

    # WHEN scheduled runs come
    for _ in range(2):
        account.run_chain(RECONCILE)

    # THEN nothing more was sent, the job is forgotten and our filter deleted
    assert sum(windowed_events.sent(account).values()) == sent
    assert KEY not in account.s3.objects
    assert account.ours() == 0


def test_a_walk_that_deletes_an_excluded_groups_filter_drops_its_kept_job() -> None:
    # GIVEN a kept job, and its group excluded since
    account, sent = _with_a_kept_job()
    account.env["EXCLUDE_LOG_GROUPS"] = GROUP

    # WHEN a deploy-time run walks the groups (it resumes no kept job itself)
    answer = account.run({"action": "reconcile", "selfInvoke": False})

    # THEN deleting the group's filter dropped the job: no later run sends it
    assert answer["outcomes"].get("deleted") == 1
    assert KEY not in account.s3.objects
    assert answer["backfillEvents"] == 0
    assert sum(windowed_events.sent(account).values()) == sent


def test_a_completed_remove_drops_every_kept_job() -> None:
    # GIVEN a kept job
    account, _ = _with_a_kept_job()

    # WHEN `remove` runs to completion
    chain = account.run_chain({"action": "remove"})

    # THEN no filter and no kept job is left
    assert chain[-1]["complete"] and account.ours() == 0
    assert KEY not in account.s3.objects


def test_an_unreadable_kept_state_does_not_fail_a_remove() -> None:
    # GIVEN a kept state no version can read
    account, _ = _with_a_kept_job()
    account.s3.put_object(Bucket="b", Key=KEY, Body=b"{not json")

    # WHEN `remove` runs, THEN it completes and the state is gone
    assert account.run_chain({"action": "remove"})[-1]["complete"]
    assert KEY not in account.s3.objects
