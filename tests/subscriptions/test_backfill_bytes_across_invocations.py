"""The byte budget holds across invocations, as the calls' share does: each invocation waits out
the bytes it sent (`BytePacer.settle`, last before the handler returns), so the next
invocation's fresh pacer, which sends its first slice at once, is still inside the budget."""

from __future__ import annotations

import itertools
from typing import Any

from subscriptions.pacing import BytePacer, VirtualClock
from tests.subscriptions import windowed_events
from tests.subscriptions.fake_account import Account
from tests.subscriptions.test_pacing_across_invocations import _created

RATE = 1024


def _puts(account: Account) -> list[tuple[float, int]]:
    """Every PutRecordBatch: (virtual time, bytes)."""
    found: list[tuple[float, int]] = []
    put = account.firehose.put_record_batch

    def logged(DeliveryStreamName: str, Records: list[Any]) -> dict[str, Any]:
        found.append((account.clock.elapsed, sum(len(r["Data"]) for r in Records)))
        return put(DeliveryStreamName, Records)

    account.firehose.put_record_batch = logged  # type: ignore[method-assign]
    return found


def test_back_to_back_new_groups_never_burst_above_the_byte_budget() -> None:
    # GIVEN a reconciled account, then 6 groups created at once, each with one record of ~1.7 KB
    # to backfill (more than one second's budget: each is one slice, paid for after it is sent)
    account = Account(0, timeout_s=900, BACKFILL_BYTES_PER_SECOND=str(RATE))
    windowed_events.install(account, events=1, per_page=10, message_bytes=3000)
    account.run_chain({"action": "reconcile"})
    puts = _puts(account)
    names = [f"/aws/lambda/new-{i}" for i in range(6)]
    for name in names:
        account.logs.add(name)

    # WHEN each group's CreateLogGroup event runs in its own invocation, one after another
    for name in names:
        account.run_chain(_created(name))

    # THEN every put came only after the bytes before it were paid for, across invocations
    assert len(puts) == len(names)
    assert all(size > RATE for _, size in puts)
    gaps = [(b[0] - a[0]) - a[1] / RATE for a, b in itertools.pairwise(puts)]
    assert min(gaps) >= -1e-6


def test_settle_waits_for_the_bytes_sent_at_most_within() -> None:
    clock = VirtualClock()
    pacer = BytePacer(1000, clock)
    pacer.sent(3000)
    assert pacer.seconds_to_send(1000) == 4.0
    assert pacer.settle(1.0) == 1.0
    assert pacer.debt_seconds() == 2.0
    assert pacer.settle(60.0) == 2.0
    assert clock.elapsed == 3.0
    assert pacer.settle(60.0) == 0.0
