"""Which invocations are accepted; anything else is a clear error before any change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from subscriptions.continuation import Cursor
from subscriptions.errors import ContinuationError, UnsupportedEventError
from subscriptions.events import parse_event

EVENTS = Path(__file__).parent / "events"


def _load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


@pytest.mark.parametrize(
    ("event", "kind", "target"),
    [
        (_load("scheduled"), "reconcile", None),
        (_load("create_log_group"), "log_group", "/aws/lambda/new-function"),
        (_load("create_function"), "function", "orders"),
        (_load("update_function_configuration"), "function", "orders"),
        ({"action": "reconcile"}, "reconcile", None),
        ({"action": "remove"}, "remove", None),
        ({"action": "reconcile", "tf": {"action": "create"}}, "reconcile", None),
        ({"action": "reconcile", "tf": {"action": "delete"}}, "remove", None),
    ],
)
def test_recognises_the_supported_events(event: object, kind: str, target: str | None) -> None:
    # GIVEN / WHEN a supported event is parsed
    request = parse_event(event)

    # THEN it becomes the expected request
    assert (request.kind, request.target) == (kind, target)


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ({}, "unrecognised event"),
        ([], "not an object"),
        ("reconcile", "not an object"),
        ({"action": "delete"}, "action='delete' is not supported"),
        ({"action": "reconcile", "groups": ["x"]}, "unknown keys"),
        ({"action": "reconcile", "selfInvoke": "yes"}, "selfInvoke"),
        ({"source": "aws.s3", "detail-type": "Object Created", "detail": {}}, "unrecognised"),
        (
            {
                "detail-type": "AWS API Call via CloudTrail",
                "detail": {"eventSource": "logs.amazonaws.com", "eventName": "DeleteLogGroup"},
            },
            "DeleteLogGroup is not handled",
        ),
        ({"detail-type": "AWS API Call via CloudTrail"}, "no 'detail'"),
        (
            {
                "detail-type": "AWS API Call via CloudTrail",
                "detail": {"eventSource": "logs.amazonaws.com", "eventName": "CreateLogGroup"},
            },
            "without requestParameters.logGroupName",
        ),
    ],
)
def test_rejects_anything_else_with_a_clear_error(event: object, says: str) -> None:
    # GIVEN / WHEN / THEN an unsupported event raises, saying what is accepted
    with pytest.raises(UnsupportedEventError, match=says):
        parse_event(event)


def test_a_continuation_round_trips_and_must_match_its_action() -> None:
    # GIVEN a remove continuation
    token = dict(Cursor(action="remove", prefix_index=1, after="/x", generation=3).to_token())

    # WHEN it comes back with its action, THEN it is restored
    request = parse_event({"action": "remove", "continuation": token})
    assert request.cursor == Cursor(action="remove", prefix_index=1, after="/x", generation=3)

    # WHEN it comes back with another action, THEN it is refused
    with pytest.raises(UnsupportedEventError, match="belongs to a 'remove' run"):
        parse_event({"action": "reconcile", "continuation": token})


@pytest.mark.parametrize(
    "token",
    [
        {"version": 99},
        "opaque",
        {**Cursor().to_token(), "phase": "elsewhere"},
        {**Cursor().to_token(), "prefixIndex": -1},
        {**Cursor().to_token(), "backfill": {"logGroup": ""}},
    ],
)
def test_a_malformed_continuation_is_refused(token: object) -> None:
    with pytest.raises(ContinuationError, match="continuation"):
        parse_event({"action": "reconcile", "continuation": token})


def test_a_sweep_is_asked_for_beside_reconcile_only() -> None:
    assert parse_event({"action": "reconcile", "sweep": True}).sweep is True
    assert parse_event({"action": "reconcile"}).sweep is False
    for bad in ({"action": "remove", "sweep": True}, {"action": "reconcile", "sweep": "yes"}):
        with pytest.raises(UnsupportedEventError, match="sweep must be true or false"):
            parse_event(bad)


def test_a_sweep_continuation_stays_a_sweep_and_old_tokens_are_not_sweeps() -> None:
    cursor = Cursor(action="reconcile", sweep=True, after="/aws/lambda/x", generation=3)
    assert Cursor.from_token(json.loads(json.dumps(cursor.to_token()))) == cursor
    old = {k: v for k, v in Cursor(action="reconcile").to_token().items() if k != "sweep"}
    assert Cursor.from_token(old).sweep is False
    with pytest.raises(ContinuationError, match="sweep"):
        Cursor.from_token({**old, "sweep": 1})
