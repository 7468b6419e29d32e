"""A subscriber the destroy has stopped (SUBSCRIBER_STOPPED_UNTIL, set by infra/subscriber_stop.py
before the `remove` loop): a reconcile continuation still in Lambda's asynchronous queue, a
scheduled run or a CloudTrail event's run change nothing, so no filter is put back on a group
the destroy has passed (it would point at the stream Pulumi deletes next); `remove` runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.subscriptions.fake_account import Account

EVENTS = Path(__file__).parent / "events"


def _stopped_for(account: Account, seconds: int) -> None:
    """What the destroy step writes into the function's environment."""
    account.env["SUBSCRIBER_STOPPED_UNTIL"] = str(account.now_ms() // 1000 + seconds)


def test_a_continuation_queued_before_the_remove_puts_no_filter_back() -> None:
    # GIVEN 400 groups and a reconcile that stopped early and queued its continuation
    account = Account(400, timeout_s=60)
    first = account.run({"action": "reconcile"})
    assert first["complete"] is False and account.lambda_.invoked
    queued = account.lambda_.invoked.pop(0)
    assert account.ours() > 0
    # WHEN the destroy stops the function, removes every filter, and the queued run gets its turn
    _stopped_for(account, 6 * 3600)
    account.timeout_s = None
    removed = account.run({"action": "remove", "selfInvoke": False})
    assert removed["complete"] is True and account.ours() == 0
    calls_before = sum(account.calls.counts.values())
    late = account.run(queued)
    # THEN it puts nothing back, calls nothing and starts no other run
    assert account.ours() == 0
    assert sum(account.calls.counts.values()) == calls_before
    assert late["stopReason"] == "stopped" and late["complete"] is False  # never taken for done
    assert late["selfInvoked"] is False
    assert late["continuation"] is None and not account.lambda_.invoked
    (said,) = [json.loads(line) for line in account.emitted[-2:] if '"WARN"' in line]
    assert "SUBSCRIBER_STOPPED_UNTIL" in said["message"] and "--refresh" in said["message"]


@pytest.mark.parametrize("event", ["scheduled.json", "create_log_group.json"])
def test_scheduled_and_event_runs_change_nothing_while_stopped(event: str) -> None:
    account = Account(3)
    _stopped_for(account, 60)
    account.logs.add("/aws/lambda/new-function")
    result = account.run(json.loads((EVENTS / event).read_text()))
    assert account.ours() == 0 and sum(account.calls.counts.values()) == 0
    assert result["stopReason"] == "stopped" and result["selfInvoked"] is False


def test_a_stop_that_has_expired_is_ignored() -> None:
    """A destroy that failed and was left: the subscriber runs again once the stop has passed
    (the destroy step sets it to its own time limit and a margin)."""
    account = Account(3)
    _stopped_for(account, -1)
    result = account.run({"action": "reconcile"})
    assert result["complete"] is True and account.ours() == 3


def test_a_malformed_stop_is_refused_by_name() -> None:
    from subscriptions.errors import SettingsError

    account = Account(1, SUBSCRIBER_STOPPED_UNTIL="soon")
    with pytest.raises(SettingsError, match="SUBSCRIBER_STOPPED_UNTIL='soon' is not"):
        account.run({"action": "reconcile"})
