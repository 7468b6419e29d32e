"""The group state never grows without bound: a completed sweep prunes the groups it did not see
(deleted ones), and above MAX_GROUPS the groups it cannot hold are read on every run, said so in
a WARN line and in the run's result."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from subscriptions import group_state
from subscriptions.group_state import KEY_PREFIX, STATE_VERSION
from tests.subscriptions.fake_account import CREATED_MS, ENV, Account

STATE_KEY = f"{KEY_PREFIX}{ENV['FILTER_NAME']}.json.gz"


def _state(account: Account) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(gzip.decompress(account.s3.objects[STATE_KEY]))
    return document


def _delete_groups(account: Account, names: list[str]) -> None:
    for name in names:
        del account.logs.groups[name]
        del account.logs.filters[name]
    account.logs._sorted = None  # the fake's sorted listing, rebuilt on the next describe


def _names(first: int, last: int) -> list[str]:
    return [f"/aws/lambda/fn-{i:05d}" for i in range(first, last)]


def test_a_completed_sweep_prunes_the_deleted_groups_and_only_it() -> None:
    # GIVEN 100 reconciled groups, 7 of which are then deleted
    account = Account(100)
    account.run({"action": "reconcile"})
    assert len(_state(account)["groups"]) == 100
    _delete_groups(account, _names(40, 47))

    # WHEN a steady-state run comes, THEN it keeps them (it reads nothing it remembers)
    steady = account.run({"action": "reconcile"})
    assert steady["outcomes"] == {"unchanged": 93}
    assert steady["statePruned"] == 0
    assert len(_state(account)["groups"]) == 100

    # WHEN a full sweep completes, THEN exactly the 7 deleted groups are forgotten
    sweep = account.run({"action": "reconcile", "sweep": True})
    assert sweep["complete"] is True and sweep["outcomes"] == {"unchanged": 93}
    assert sweep["statePruned"] == 7
    state = _state(account)
    assert state["version"] == STATE_VERSION == 2
    assert sorted(state["groups"]) == sorted(set(_names(0, 100)) - set(_names(40, 47)))
    assert {entry[3] for entry in state["groups"].values()} == {state["sweepStartedMs"]}


def test_a_sweep_over_several_invocations_keeps_what_runs_in_between_saw() -> None:
    # GIVEN 300 reconciled groups, and a Lambda timeout that fits ~120 groups of a sweep
    account = Account(300, timeout_s=90)
    account.run_chain({"action": "reconcile"})
    assert len(_state(account)["groups"]) == 300
    _delete_groups(account, _names(250, 255))

    # WHEN a sweep starts and stops at its time budget, and a group created meanwhile before
    # the sweep's position is subscribed by the scheduled run in between
    first = account.run({"action": "reconcile", "sweep": True})
    assert first["stopReason"] == "time_budget" and len(account.lambda_.invoked) == 1
    account.logs.add("/aws/lambda/aaa-new", created_ms=CREATED_MS)
    between = account.run({"action": "reconcile"})
    assert between["sweep"] is False and between["outcomes"]["created"] == 1
    rest = [account.run(account.lambda_.invoked.pop(0))]
    while account.lambda_.invoked:
        rest.append(account.run(account.lambda_.invoked.pop(0)))

    # THEN the sweep completes, prunes exactly the 5 deleted groups, and keeps the new one
    assert rest[-1]["complete"] is True and rest[-1]["sweep"] is True
    assert sum(r["statePruned"] for r in [first, between, *rest]) == 5
    groups = _state(account)["groups"]
    assert len(groups) == 300 - 5 + 1
    assert "/aws/lambda/aaa-new" in groups
    assert not set(_names(250, 255)) & set(groups)


def test_a_version_1_state_is_read_and_pruned_by_the_next_sweep() -> None:
    # GIVEN 50 reconciled groups, and a state written by the previous version (no sweep marks)
    # that also remembers 2 groups deleted since
    account = Account(50)
    account.run({"action": "reconcile"})
    old = _state(account)
    v1_groups = {name: entry[:3] for name, entry in old["groups"].items()}
    v1_groups |= {f"/aws/lambda/gone-{i}": [CREATED_MS, "0" * 16, "unchanged"] for i in (1, 2)}
    v1 = {"version": 1, "sweepStartedMs": old["sweepStartedMs"], "groups": v1_groups}
    account.s3.objects[STATE_KEY] = gzip.compress(json.dumps(v1).encode(), mtime=0)

    # WHEN a steady-state run comes, THEN it trusts it (no capped read)
    account.calls.clear()
    steady = account.run({"action": "reconcile"})
    assert steady["outcomes"] == {"unchanged": 50}
    assert account.calls.counts["DescribeSubscriptionFilters"] == 0

    # WHEN a sweep completes, THEN the 2 deleted groups are pruned and the state is version 2
    sweep = account.run({"action": "reconcile", "sweep": True})
    assert sweep["statePruned"] == 2
    state = _state(account)
    assert state["version"] == 2 and len(state["groups"]) == 50


def test_above_its_maximum_the_state_reads_the_rest_every_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a state that holds at most 40 groups, and 50 groups
    monkeypatch.setattr(group_state, "MAX_GROUPS", 40)
    account = Account(50)

    # WHEN the first run reconciles them, THEN it remembers 40 and says so for the other 10
    first = account.run({"action": "reconcile"})
    assert first["outcomes"] == {"created": 50}
    assert first["stateNotRemembered"] == 10
    assert len(_state(account)["groups"]) == 40
    warnings = [json.loads(line) for line in account.emitted if '"notRemembered"' in line]
    assert [w["notRemembered"] for w in warnings] == [10]
    assert "account-policy" in warnings[0]["message"]

    # WHEN the next scheduled run comes, THEN it reads exactly those 10 again
    account.calls.clear()
    steady = account.run({"action": "reconcile"})
    assert steady["outcomes"] == {"unchanged": 50}
    assert account.calls.counts["DescribeSubscriptionFilters"] == 10
    assert steady["stateNotRemembered"] == 10

    # WHEN 15 remembered groups are deleted and a sweep prunes them, THEN the room they leave
    # takes the 10 the state could not hold, and the next runs read nothing
    _delete_groups(account, _names(0, 15))
    sweep = account.run({"action": "reconcile", "sweep": True})
    assert sweep["statePruned"] == 15
    account.calls.clear()
    after = account.run({"action": "reconcile"})
    assert after["stateNotRemembered"] == 0
    assert account.calls.counts["DescribeSubscriptionFilters"] == 10
    assert len(_state(account)["groups"]) == 35
    account.calls.clear()
    account.run({"action": "reconcile"})
    assert account.calls.counts["DescribeSubscriptionFilters"] == 0


def _finish(account: Account, event: dict[str, Any]) -> list[Any]:
    results = [account.run(event)]
    while account.lambda_.invoked:
        results.append(account.run(account.lambda_.invoked.pop(0)))
    return results


def test_an_older_sweep_completing_after_a_newer_one_began_prunes_nothing() -> None:
    # GIVEN 300 reconciled groups (sweeps due hourly), 5 of which are then deleted
    account = Account(300, timeout_s=90, SWEEP_INTERVAL_HOURS="1")
    account.run_chain({"action": "reconcile"})
    _delete_groups(account, _names(250, 255))

    # WHEN sweep A stops at its time budget, and sweep B begins before A's chain resumes
    a_first = account.run({"action": "reconcile", "sweep": True})
    (a_next,) = account.lambda_.invoked
    account.lambda_.invoked.clear()
    account.clock.elapsed += 3_700
    b_first = account.run({"action": "reconcile"})
    assert b_first["sweep"] is True and b_first["stopReason"] == "time_budget"
    (b_next,) = account.lambda_.invoked
    account.lambda_.invoked.clear()
    a_rest = _finish(account, a_next)

    # THEN A completes without pruning (its marks are no longer the state's), and B, once it
    # completes, prunes exactly the 5 deleted groups
    assert a_rest[-1]["complete"] is True and a_rest[-1]["sweep"] is True
    assert sum(r["statePruned"] for r in [a_first, b_first, *a_rest]) == 0
    assert len(_state(account)["groups"]) == 300
    b_rest = _finish(account, b_next)
    assert b_rest[-1]["complete"] is True
    assert sum(r["statePruned"] for r in b_rest) == 5
    assert len(_state(account)["groups"]) == 295
