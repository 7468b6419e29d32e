"""The sweep's start travels in the continuation token, and a state entry of the wrong shape
makes the state unreadable (a sweep), never a crash."""

from __future__ import annotations

import gzip
import json

import pytest

from subscriptions.continuation import Cursor
from subscriptions.errors import ContinuationError
from subscriptions.group_state import KEY_PREFIX
from tests.subscriptions.fake_account import ENV, Account

STATE_KEY = f"{KEY_PREFIX}{ENV['FILTER_NAME']}.json.gz"


def test_the_sweep_start_round_trips_and_old_tokens_have_none() -> None:
    cursor = Cursor(action="reconcile", sweep=True, sweep_ms=1_764_676_800_000, after="/aws/x")
    assert Cursor.from_token(cursor.to_token()) == cursor
    old = dict(cursor.to_token())
    del old["sweepStartedMs"]
    assert Cursor.from_token(old).sweep_ms is None
    assert Cursor.from_token(old).walked() == cursor.walked()


@pytest.mark.parametrize("value", [-1, "1764676800000", True])
def test_a_malformed_sweep_start_is_refused(value: object) -> None:
    token = {**Cursor(sweep=True).to_token(), "sweepStartedMs": value}
    with pytest.raises(ContinuationError, match="sweepStartedMs"):
        Cursor.from_token(token)


def test_a_fresh_sweep_carries_its_start_into_its_continuation() -> None:
    account = Account(300, timeout_s=90)
    first = account.run({"action": "reconcile"})
    assert first["sweep"] is True and first["continuation"] is not None
    state = json.loads(gzip.decompress(account.s3.objects[STATE_KEY]))
    assert first["continuation"]["sweepStartedMs"] == state["sweepStartedMs"] is not None


@pytest.mark.parametrize(
    "entry", [[1, "tok", "unchanged"], [1, "tok", "unchanged", 2, 3], [1, "tok", "unchanged", "x"]]
)
def test_a_version_2_entry_of_the_wrong_shape_means_a_sweep(entry: list[object]) -> None:
    account = Account(20)
    account.run({"action": "reconcile"})
    document = {"version": 2, "sweepStartedMs": 1, "groups": {"/aws/lambda/fn-00001": entry}}
    account.s3.objects[STATE_KEY] = gzip.compress(json.dumps(document).encode(), mtime=0)

    result = account.run({"action": "reconcile"})

    assert result["sweep"] is True and result["outcomes"] == {"unchanged": 20}
    assert any("group state is unreadable" in line for line in account.emitted)
