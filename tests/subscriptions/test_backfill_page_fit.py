"""A backfill page is sent only while its records fit the time left at the byte budget: a slow
budget sends several pages an invocation when they are small, and a page larger than an
invocation can send is cut between two timestamps, never overrunning the time budget, never
sending an event twice or skipping one (subscriptions/page_fit.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from subscriptions.logs_api import LogEvent
from subscriptions.page_fit import cuts, fitting_prefix, restart_ms
from subscriptions.report import RunResult
from tests.subscriptions import windowed_events
from tests.subscriptions.fake_account import Account

RECONCILE = {"action": "reconcile"}


def _timed(account: Account) -> list[float]:
    """The virtual seconds each invocation took, as they run."""
    durations: list[float] = []
    run = account.run

    def timed(event: object) -> RunResult:
        start = account.clock.elapsed
        try:
            return run(event)
        finally:
            durations.append(account.clock.elapsed - start)

    account.run = timed  # type: ignore[method-assign]
    return durations


def test_at_the_floor_small_pages_go_several_an_invocation() -> None:
    # GIVEN 3 new groups of 4 small pages each (a few hundred bytes of records a page) at the
    # 1,024 bytes/s floor and Lambda's 900 s timeout (the worst case of a page, 2 MiB, would
    # take 2,048 s: longer than any invocation)
    account = Account(3, timeout_s=900, BACKFILL_BYTES_PER_SECOND="1024")
    windowed_events.install(account, events=200, per_page=50)

    # WHEN the subscriber runs
    chain = account.run_chain(RECONCILE)

    # THEN one invocation sent every page of every group
    assert len(chain) == 1 and chain[0]["complete"]
    assert chain[0]["backfillEvents"] == 3 * 200
    assert account.calls.counts["FilterLogEvents"] == 3 * 4


def test_a_page_larger_than_an_invocation_is_cut_between_timestamps() -> None:
    # GIVEN a new group whose one page of 300 events of 1 KB random hex (~150 KB of records,
    # 5 to each millisecond) takes ~150 s at the floor, and invocations of 60 s (30 s margin)
    account = Account(1, timeout_s=60, BACKFILL_BYTES_PER_SECOND="1024")
    windowed_events.install(
        account, events=300, per_page=10_000, message_bytes=1000, per_millisecond=5
    )
    durations = _timed(account)

    # WHEN the subscriber runs its chain
    chain = account.run_chain(RECONCILE)

    # THEN it took several invocations, none past its time budget, and every event was sent
    # exactly once (no millisecond split across invocations)
    assert len(chain) >= 4 and chain[-1]["complete"]
    assert max(durations) <= 60 - 5
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 300)
    assert max(sent.values()) == 1


def _events(timestamps: Sequence[int]) -> list[LogEvent]:
    return [LogEvent(f"{i}", "s", t, t, "m") for i, t in enumerate(timestamps)]


def test_cuts_fall_between_timestamps_only() -> None:
    assert cuts(_events([1, 1, 2, 3, 3, 3])) == [2, 3, 6]
    assert cuts([]) == []


def test_the_longest_prefix_that_fits_and_at_least_the_first_millisecond() -> None:
    events = _events([1, 1, 2, 3, 3, 3, 4])

    def at_most(n: int) -> Any:
        return lambda prefix: len(prefix) <= n

    assert fitting_prefix(events, at_most(7)) == 7
    assert fitting_prefix(events, at_most(5)) == 3
    assert fitting_prefix(events, at_most(2)) == 2
    assert fitting_prefix(events, at_most(0)) == 2  # the first millisecond, whatever it takes
    assert restart_ms(events[3:]) == 3


def test_a_page_put_off_whole_does_not_resend_the_previous_pages_last_millisecond() -> None:
    # GIVEN a new group of 520 events, 5 to each millisecond, in pages of 52 (each page boundary
    # splits a millisecond: FilterLogEvents pages end at 10,000 events or 1 MB, not between
    # milliseconds), ~10 s of records a page at the floor, invocations of 60 s
    account = Account(1, timeout_s=60, BACKFILL_BYTES_PER_SECOND="1024")
    windowed_events.install(account, events=520, per_page=52, message_bytes=400, per_millisecond=5)

    # WHEN the subscriber runs its chain (an invocation that sent a page puts the next one off
    # whole when it does not fit the time left)
    chain = account.run_chain(RECONCILE)

    # THEN every event was sent exactly once
    assert chain[-1]["complete"]
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 520)
    assert sorted(k for k, v in sent.items() if v > 1) == []
