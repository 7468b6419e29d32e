"""A CreateLogGroup event outside the prefixes costs no listing of every function when the group
state knows the groups functions log to (each walk lists every function and records them)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.subscriptions.fake_account import CREATED_MS, ENV, Account

EVENT = json.loads(
    (Path(__file__).parent / "events" / "create_log_group.json").read_text(encoding="utf-8")
)
FILTER = ENV["FILTER_NAME"]


def _created(name: str) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(EVENT)
    event["detail"]["requestParameters"]["logGroupName"] = name
    return event


def _account(*, state: bool = True) -> Account:
    """2,000 functions (40 ListFunctions pages); fn-00007 logs to /app/orders, which exists,
    and fn-00009 to /app/later, which does not exist yet."""
    account = Account(2_000, state=state)
    account.lambda_.custom_groups |= {"fn-00007": "/app/orders", "fn-00009": "/app/later"}
    account.logs.add("/app/orders", created_ms=CREATED_MS)
    account.run({"action": "reconcile"})
    assert FILTER in account.logs.filters["/app/orders"]
    return account


def test_an_unrelated_group_costs_no_listing() -> None:
    account = _account()
    account.logs.add("/ecs/billing", created_ms=CREATED_MS)
    account.calls.clear()

    result = account.run(_created("/ecs/billing"))

    assert result["outcomes"] == {"not_selected": 1}
    assert account.calls.counts["ListFunctions"] == 0
    assert account.logs.filters["/ecs/billing"] == {}


def test_a_group_a_function_named_before_it_existed_is_subscribed_on_its_event() -> None:
    # GIVEN the walk found fn-00009's group absent (expected), WHEN Lambda creates it
    account = _account()
    account.logs.add("/app/later", created_ms=CREATED_MS + 5)
    account.calls.clear()

    result = account.run(_created("/app/later"))

    # THEN it is subscribed at once, without listing the functions
    assert result["outcomes"] == {"created": 1}
    assert FILTER in account.logs.filters["/app/later"]
    assert account.calls.counts["ListFunctions"] == 0


def test_a_known_custom_group_created_again_is_subscribed_again() -> None:
    account = _account()
    account.logs.add("/app/orders", created_ms=CREATED_MS + 9)  # deleted, created again
    account.calls.clear()

    result = account.run(_created("/app/orders"))

    assert result["outcomes"] == {"created": 1}
    assert FILTER in account.logs.filters["/app/orders"]
    assert account.calls.counts["ListFunctions"] == 0


def test_without_a_state_it_lists_every_function() -> None:
    account = _account(state=False)
    account.logs.add("/app/later", created_ms=CREATED_MS + 5)
    account.logs.add("/ecs/billing", created_ms=CREATED_MS)
    account.calls.clear()

    later = account.run(_created("/app/later"))
    assert later["outcomes"] == {"created": 1}
    listed = account.calls.counts["ListFunctions"]
    assert listed == 1  # fn-00009 is on the first page
    unrelated = account.run(_created("/ecs/billing"))
    assert unrelated["outcomes"] == {"not_selected": 1}
    assert account.calls.counts["ListFunctions"] - listed == 40  # every page


def test_an_expected_group_no_function_names_any_more_is_pruned_by_a_sweep() -> None:
    account = _account()
    del account.lambda_.custom_groups["fn-00009"]  # now logs to /aws/lambda/fn-00009
    sweep = account.run({"action": "reconcile", "sweep": True})
    assert sweep["complete"] is True and sweep["statePruned"] == 1

    account.logs.add("/app/later", created_ms=CREATED_MS + 5)
    result = account.run(_created("/app/later"))
    assert result["outcomes"] == {"not_selected": 1}
