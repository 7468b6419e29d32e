"""The invocations the subscriber accepts, parsed into a Request before anything is changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from subscriptions.continuation import Cursor
from subscriptions.errors import UnsupportedEventError

RequestKind = Literal["reconcile", "remove", "log_group", "function", "ignored"]

_CLOUDTRAIL: Final = "AWS API Call via CloudTrail"
_FUNCTION_EVENTS: Final = ("CreateFunction", "UpdateFunctionConfiguration")
_ACTION_KEYS: Final = frozenset({"action", "continuation", "selfInvoke", "sweep", "tf"})
ACCEPTED: Final = (
    "accepted events: an EventBridge 'Scheduled Event'; CloudTrail 'CreateLogGroup' "
    "(source aws.logs) or 'CreateFunction*'/'UpdateFunctionConfiguration*' (source aws.lambda) "
    'through EventBridge; {"action": "reconcile"} (with "sweep": true, a full sweep); '
    '{"action": "remove"}'
)


@dataclass(frozen=True)
class Request:
    kind: RequestKind
    target: str | None = None
    cursor: Cursor | None = None
    self_invoke: bool = True
    note: str = ""
    sweep: bool = False
    """Read every group now (`{"action": "reconcile", "sweep": true}`), whatever the state."""


def parse_event(event: object) -> Request:
    """Recognise the event or raise UnsupportedEventError (nothing has been changed yet)."""
    if not isinstance(event, Mapping):
        raise UnsupportedEventError(
            f"the event is a {type(event).__name__}, not an object; {ACCEPTED}"
        )
    if "action" in event:
        return _action(event)
    if event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event":
        return Request("reconcile", note="scheduled")
    if event.get("detail-type") == _CLOUDTRAIL:
        return _cloudtrail(event)
    raise UnsupportedEventError(f"unrecognised event with keys {sorted(event)[:10]}; {ACCEPTED}")


def _action(event: Mapping[str, Any]) -> Request:
    unknown = sorted(set(event) - _ACTION_KEYS)
    if unknown:
        raise UnsupportedEventError(
            f"unknown keys {unknown} beside 'action': only "
            f"{sorted(_ACTION_KEYS - {'action'})} may accompany it"
        )
    action = event["action"]
    if action not in ("reconcile", "remove"):
        raise UnsupportedEventError(f"action={action!r} is not supported; {ACCEPTED}")
    self_invoke = event.get("selfInvoke", True)
    if not isinstance(self_invoke, bool):
        raise UnsupportedEventError("selfInvoke must be true or false")
    # pulumi-aws `lambda.Invocation` with lifecycle scope CRUD adds {"tf": {"action": "delete"}}
    # when the stack is destroyed: that is the moment to remove the filters.
    tf = event.get("tf")
    if isinstance(tf, Mapping) and tf.get("action") == "delete":
        action = "remove"
    sweep = event.get("sweep", False)
    if not isinstance(sweep, bool) or (sweep and action != "reconcile"):
        raise UnsupportedEventError('sweep must be true or false, and only with "reconcile"')
    raw_cursor = event.get("continuation")
    cursor = None if raw_cursor is None else Cursor.from_token(raw_cursor)
    if cursor is not None and cursor.action != action:
        raise UnsupportedEventError(
            f"the continuation belongs to a {cursor.action!r} run, not {action!r}: "
            "pass it back with the action it came from"
        )
    return Request(action, cursor=cursor, self_invoke=self_invoke, sweep=sweep)


def _detail(event: Mapping[str, Any]) -> Mapping[str, Any]:
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise UnsupportedEventError(f"the CloudTrail event has no 'detail' object; {ACCEPTED}")
    return detail


def _string(source: object, key: str) -> str | None:
    if isinstance(source, Mapping):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _cloudtrail(event: Mapping[str, Any]) -> Request:
    detail = _detail(event)
    name = str(detail.get("eventName", ""))
    source = detail.get("eventSource")
    if detail.get("errorCode"):
        return Request("ignored", note=f"{name} failed with {detail.get('errorCode')}")
    if source == "logs.amazonaws.com" and name == "CreateLogGroup":
        group = _string(detail.get("requestParameters"), "logGroupName")
        if group is None:
            raise UnsupportedEventError(
                "CreateLogGroup event without requestParameters.logGroupName"
            )
        return Request("log_group", target=group)
    if source == "lambda.amazonaws.com" and name.startswith(_FUNCTION_EVENTS):
        function = _string(detail.get("responseElements"), "functionName") or _string(
            detail.get("requestParameters"), "functionName"
        )
        if function is None:
            raise UnsupportedEventError(f"{name} event without a functionName")
        return Request("function", target=function)
    raise UnsupportedEventError(f"CloudTrail event {source}:{name} is not handled; {ACCEPTED}")
