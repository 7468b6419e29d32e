"""The deploy-time invocation's synchronous loop (infra/lambda_invocation.py): invoke with
`"selfInvoke": false`, pass each answer's `continuation` back while `complete` is false (the
subscriber does at most one invocation's worth of filter calls per call), within a time limit in
total; past it, or when the function stops advancing, fail with the command that finishes by
hand. Two steps use it:

- `remove`, on `pulumi destroy`: nothing Pulumi deletes after the invocation (the streams) is
  deleted while a filter still points at it;
- `re-point`, on a `pulumi up` that removes destinations from the subscriber's DESTINATION_ARN
  (a lower `deliveryStreams`, or a hub's destinations dropped from a spoke): Pulumi deletes the
  removed streams (or destinations) only after this update has returned, so only once every
  filter has moved off them (docs/scale.md, "Going down")."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

InvokeFn = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]
"""(resource properties, payload) → the function's parsed response; raises on function error."""
Step = Literal["remove", "re-point"]


class InvocationError(RuntimeError):
    """The function returned an error; the message carries it."""


DEFAULT_DELETE_TIME_LIMIT_SECONDS: Final = 6 * 3600
"""The loop's total limit (`remove` and `re-point` alike): at the subscriber's default share of
the quota (2 calls/s of DeleteSubscriptionFilter or PutSubscriptionFilter) that is ~43,000
groups; beyond, the step fails with what to do."""
STALLED_ROUNDS: Final = 5
"""Answers in a row with the same continuation (no progress: throttled) before giving up."""
STALLED_WAIT_SECONDS: Final = 30.0


def run_until_complete(
    invoke: InvokeFn,
    props: Mapping[str, Any],
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    base: Mapping[str, Any] | None = None,
    step: Step = "remove",
) -> Mapping[str, Any]:
    """Invoke `base` (by default `delete_payload`) synchronously, passing `continuation` back,
    until `complete`."""
    payload_base = dict(base) if base is not None else json.loads(props["delete_payload"])
    payload_base["selfInvoke"] = False
    limit = float(props.get("delete_time_limit_seconds") or DEFAULT_DELETE_TIME_LIMIT_SECONDS)
    started, rounds, stalled = clock(), 0, 0
    payload: dict[str, Any] = payload_base
    while True:
        result = invoke(props, payload)
        rounds += 1
        refuse_stopped(props, result)
        # An answer without `complete` (not a subscriber run, or a skipped one) is final.
        if result.get("complete", True) is True:
            return result
        continuation = result.get("continuation")
        if not isinstance(continuation, Mapping):
            why = "no continuation"
            raise InvocationError(_unfinished(props, payload, result, why, rounds, step))
        stalled = stalled + 1 if _position(continuation) == _position(payload) else 0
        payload = {**payload_base, "continuation": continuation}
        if stalled >= STALLED_ROUNDS:
            raise InvocationError(_unfinished(props, payload, result, "no progress", rounds, step))
        if clock() - started >= limit:
            why = f"the {limit / 3600:g} h limit was reached"
            raise InvocationError(_unfinished(props, payload, result, why, rounds, step))
        if stalled:
            sleep(STALLED_WAIT_SECONDS)


def refuse_stopped(props: Mapping[str, Any], result: Mapping[str, Any]) -> None:
    """Raise when the subscriber answered that an earlier destroy stopped it (a destroy that
    failed and was left: infra/subscriber_stop.py): it changed nothing, so neither a re-point
    nor a reconcile may be taken as done."""
    if result.get("stopReason") == "stopped":
        function = props["function_name"]
        raise InvocationError(
            f"{function} is stopped by an earlier `pulumi destroy` that did not finish "
            "(SUBSCRIBER_STOPPED_UNTIL in its environment), so it changed nothing: run `pulumi "
            "up --refresh` (the refreshed environment is written again without it), then "
            "`pulumi up`"
        )


def _position(token_or_payload: Mapping[str, Any]) -> object:
    """Where a continuation stands, without its hop count (which grows on every answer)."""
    token = token_or_payload.get("continuation", token_or_payload)
    if not isinstance(token, Mapping):
        return None
    return {k: v for k, v in token.items() if k != "generation"}


_WHAT: Final[dict[Step, tuple[str, str, str]]] = {
    "remove": (
        "removing its subscription filters",
        "The destroy stops here so that the delivery stream is not deleted while filters still "
        "point at it.",
        "(or raise filterApiQuotaPercent, `pulumi up`, and destroy again); then run "
        "`pulumi destroy` again.",
    ),
    "re-point": (
        "re-pointing its subscription filters off the destinations this update removes",
        "The update stops here, before Pulumi deletes the removed delivery streams (or hub "
        "destinations: Pulumi deletes what left the program last, after every update), so that "
        "none is deleted while filters still point at it; they still deliver meanwhile (the "
        "logs role keeps every stream name of the stack).",
        "(or raise filterApiQuotaPercent and run `pulumi up` again); then run `pulumi up` "
        "again: it loops again, over the filters not moved yet.",
    ),
}


def _unfinished(
    props: Mapping[str, Any],
    payload: Mapping[str, Any],
    result: Mapping[str, Any],
    why: str,
    rounds: int,
    step: Step,
) -> str:
    function = props["function_name"]
    doing, stops, again = _WHAT[step]
    return (
        f"{function} did not finish {doing} ({why}; {rounds} "
        f"invocations, last stop: {result.get('stopReason')!r}, outcomes "
        f"{json.dumps(result.get('outcomes', {}), sort_keys=True)}). {stops} Finish by "
        f"hand: run `aws lambda invoke --region {props['region']} --function-name {function} "
        "--cli-binary-format raw-in-base64-out --cli-read-timeout 0 --payload "
        f"'{json.dumps(dict(payload), separators=(',', ':'))}' out.json` and repeat it with "
        f'out.json\'s "continuation" until out.json says "complete": true {again}'
    )
