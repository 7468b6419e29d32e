"""A kept backfill that a continuation carries is leased to that chain (subscriptions/pending.py
`carried`): a scheduled run meanwhile (EventBridge fires every 15 minutes whatever the chain
does; with reserved concurrency 1 it can take the slot between two hops) leaves it to the chain,
so its window is sent once; a chain that is lost leaves the job to the first run after the
lease, from where it stood."""

from __future__ import annotations

from subscriptions.pending import CARRY_LEASE_MS
from tests.subscriptions import windowed_events
from tests.subscriptions.test_backfill_chain_stops import RECONCILE, _slow

SYNC = {"action": "reconcile", "selfInvoke": False}


def test_a_kept_job_carried_by_a_chain_is_not_resumed_again_by_the_next_scheduled_run() -> None:
    # GIVEN a first deploy's put-off backfill (several invocations' worth at the floor)
    account = _slow(1, events=200, message_bytes=1000)
    assert account.run(SYNC)["complete"]

    # WHEN a scheduled run resumes it and pauses (its continuation queued), and the next
    # scheduled run takes the slot before that continuation
    first = account.run(RECONCILE)
    assert first["selfInvoked"] and first["backfillEvents"] > 0
    account.run(RECONCILE)
    # ... then every queued continuation, and later scheduled runs, run
    while account.lambda_.invoked:
        account.run(account.lambda_.invoked.pop(0))
    for _ in range(4):
        account.run_chain(RECONCILE)

    # THEN every event was sent, once
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1


def test_scheduled_runs_between_the_hops_of_a_long_kept_job_multiply_it() -> None:
    # GIVEN the put-off job, which takes several invocations at the floor
    account = _slow(1, events=200, message_bytes=1000)
    assert account.run(SYNC)["complete"]

    # WHEN scheduled runs alternate with the queued continuations (reserved concurrency 1:
    # an EventBridge tick waits in Lambda's queue and takes the slot between two hops)
    account.run(RECONCILE)
    for _ in range(40):
        if not account.lambda_.invoked:
            break
        account.run(account.lambda_.invoked.pop(0))
        account.run(RECONCILE)
    while account.lambda_.invoked:
        account.run(account.lambda_.invoked.pop(0))

    # THEN every event was sent once (before the lease, once per scheduled run meanwhile)
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1


def test_a_lost_chain_leaves_its_job_to_the_first_run_after_the_lease() -> None:
    # GIVEN the put-off job resumed by a scheduled run, which paused it into a continuation
    account = _slow(1, events=200, message_bytes=1000)
    assert account.run(SYNC)["complete"]
    assert account.run(RECONCILE)["selfInvoked"]
    # WHEN that continuation is lost (Lambda drops an event older than 6 h), and runs come
    account.lambda_.invoked.clear()
    account.run(RECONCILE)
    assert not account.lambda_.invoked  # within the lease: the job is the chain's
    account.clock.sleep(CARRY_LEASE_MS / 1000)
    for _ in range(8):
        account.run_chain(RECONCILE)
    # THEN the job is resumed from where the chain left it: every event sent, none twice
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1
