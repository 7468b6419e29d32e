"""A deploy-time Lambda invocation with a delete step: `create_payload` runs on create (and when
`triggers` change), `delete_payload` runs on `pulumi destroy` (or replacement), so the subscriber
removes its filters before the stream they point at is deleted.

The delete step runs until the function says it is done: it invokes synchronously with
`"selfInvoke": false` and passes each answer's `continuation` back while `complete` is false
(the subscriber removes at most one invocation's worth of filters per call), within
`delete_time_limit_seconds` in total. Past that, or when the function stops advancing, it fails
the destroy with the command that finishes by hand: nothing it deletes after this resource (the
stream) is deleted while a filter still points at it. Before a `remove`, it stops the function
(infra/subscriber_stop.py): a reconcile continuation still in Lambda's queue would otherwise put
filters back after the remove had passed their groups.

An update runs the create payload once, asynchronously continued by the function itself, but for
one that removes destinations (`destination_arns`, the subscriber's DESTINATION_ARN: a lower
`deliveryStreams`, or a hub's destinations dropped from a spoke): that one loops synchronously
the same way (infra/invocation_loop.py) until the reconcile is complete, so that every filter has
moved off the removed streams before Pulumi deletes them. Pulumi deletes what left the program
only after every create and update: its engine generates the deletes once the program has
ended ("At the end the program execution, if a particular resource R is never registered, the
engine will make a delete request to the resource provider", Pulumi, How Pulumi works; "the
delete step is generated \"later\" on, after all creates/updates finish", pulumi/pulumi
pkg/resource/deploy/step_generator.go), and the program ends only once each registration, this
update included, has returned. A failed update stops the `pulumi up` before the deletes (not so
under `--continue-on-error`: never lower the count with it).

For the in-VPC content applier (infra/content_applier.py): `delete_payload=None` (nothing to
undo on destroy), `secret_payload` (a JSON object merged into the create payload when invoking,
kept a Pulumi secret in the state and left out of every error message) and
`pass_previous_result` (an update sends the last answer as `previous_result`)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

import pulumi
import pulumi.dynamic

from infra.aws_context import deployer_client
from infra.deployer import Deployer
from infra.invocation_loop import (
    DEFAULT_DELETE_TIME_LIMIT_SECONDS,
    STALLED_ROUNDS,
    STALLED_WAIT_SECONDS,
    InvocationError,
    InvokeFn,
    refuse_stopped,
    run_until_complete,
)
from infra.subscriber_stop import stop_subscriber, stop_warning
from lambda_shared.environment import DESTINATION_ARN

__all__ = [
    "DEFAULT_DELETE_TIME_LIMIT_SECONDS",
    "STALLED_ROUNDS",
    "STALLED_WAIT_SECONDS",
    "InvocationError",
    "LambdaInvocation",
    "LambdaInvocationArgs",
    "LambdaInvocationProvider",
    "boto3_invoke",
]


BUSY_RETRY_SECONDS: Final = 5.0


NOT_READY_CODES: Final = frozenset(
    {"ResourceNotReadyException", "ENINotReadyException", "ResourceConflictException"}
)
"""A function not ready to run yet. AWS, Lambda function states: "A function becomes inactive
when it has been idle long enough for Lambda to reclaim the external resources that were
configured for it ... When you try to invoke a function that is inactive, the invocation fails
and Lambda sets the function to pending state until the function resources are recreated" — the
in-VPC applier, invoked only when the content changes, is idle for weeks. Waited for, as busy."""
NOT_READY_WAIT_SECONDS: Final = 15 * 60
"""How long a function may take to become active again (its VPC network interfaces included)."""


EXPIRED_CODES: Final = frozenset({"ExpiredToken", "ExpiredTokenException"})
"""The temporary credentials ran out while waiting (a role of the chain assumed for 15 min)."""
MAX_RENEWALS: Final = 3


def _invoke_when_ready(
    client: Any,
    props: Mapping[str, Any],
    payload: Mapping[str, Any],
    sleep: Callable[[float], None],
    renew: Callable[[], Any] | None = None,
) -> Mapping[str, Any] | None:
    """The Invoke answer, after waiting out a busy or not-yet-active function; None when the
    function is gone and `payload` is its delete step. `renew`: a new client, when the
    credentials expire during the wait (the roles assumed again)."""
    waited, renewals = 0.0, 0
    while True:
        try:
            response: Mapping[str, Any] = client.invoke(
                FunctionName=props["function_name"],
                InvocationType="RequestResponse",
                Payload=json.dumps(payload).encode("utf-8"),
            )
            return response
        except client.exceptions.TooManyRequestsException:
            if waited > int(props["timeout_seconds"]) + 60:
                raise InvocationError(
                    f"{props['function_name']} stayed busy for {waited:.0f} s (another run holds "
                    "its single concurrency slot); run `pulumi up` again in a few minutes"
                ) from None
        except client.exceptions.ResourceNotFoundException:
            delete = json.loads(props["delete_payload"] or "null")
            if isinstance(delete, dict) and payload.get("action") == delete.get("action"):
                return None
            raise
        except Exception as error:  # only the not-ready codes are waited for
            if _error_code(error) in EXPIRED_CODES and renew and renewals < MAX_RENEWALS:
                client, renewals = renew(), renewals + 1
                continue
            if _error_code(error) not in NOT_READY_CODES:
                raise
            if waited > NOT_READY_WAIT_SECONDS:
                raise InvocationError(
                    f"{props['function_name']} did not become active in {waited:.0f} s "
                    f"({_error_code(error)}: Lambda is recreating its resources, such as its VPC "
                    "network interfaces); run `pulumi up` again in a few minutes"
                ) from error
        sleep(BUSY_RETRY_SECONDS)
        waited += BUSY_RETRY_SECONDS


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return str(code or type(error).__name__)


def _lambda_client(props: Mapping[str, Any]) -> Any:
    """A Lambda client acting as the invocation's deployer (its roles assumed now)."""
    from botocore.config import Config

    deployer = Deployer.from_props(props).then(props.get("assume_role_arn"))
    timeouts = Config(read_timeout=int(props["timeout_seconds"]) + 30, retries={"max_attempts": 0})
    return deployer_client("lambda", props["region"], deployer, config=timeouts)


def boto3_invoke(
    props: Mapping[str, Any],
    payload: Mapping[str, Any],
    client: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Mapping[str, Any]:
    """Invoke synchronously as the deployer (`profile`, then `deployer_roles`, then
    `assume_role_arn` when set: infra/deployer.py) in the stack's region. The subscriber runs
    one at a time (reserved concurrency 1): while a scheduled run holds the slot, wait."""
    renew = None
    if client is None:
        renew = partial(_lambda_client, props)
        client = renew()
    response = _invoke_when_ready(client, props, payload, sleep, renew)
    if response is None:
        return {"skipped": "function not found"}
    body = response["Payload"].read().decode("utf-8") or "null"
    if response.get("FunctionError"):
        raise InvocationError(
            f"{props['function_name']} failed on {json.dumps(shown(props, payload))}: {body[:2000]}"
        )
    result = json.loads(body)
    return result if isinstance(result, dict) else {"result": result}


def secret_keys(props: Mapping[str, Any]) -> set[str]:
    secrets = json.loads(str(props.get("secret_payload") or "{}"))
    return set(secrets) if isinstance(secrets, dict) else set()


def shown(props: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """`payload` as an error message may show it: without the secret payload's keys."""
    hidden = secret_keys(props)
    return {k: ("<secret>" if k in hidden else v) for k, v in payload.items()}


CREDENTIAL_PROPS: Final = ("profile", "deployer_roles", "assume_role_arn")
"""Who invokes (infra/deployer.py): a change to these alone is kept for the next step (the
delete, or the next create payload) without invoking again."""
WATCHED_PROPS: Final = (
    *("function_name", "region", "create_payload", "delete_payload", "triggers"),
    "secret_payload",
    "destination_arns",
    *CREDENTIAL_PROPS,  # so that the delete step runs as now configured
)
"""What a change of makes an update (`diff`); of those, all but LATER_STEP_PROPS invoke the
create payload again (`update`)."""
LATER_STEP_PROPS: Final = frozenset({*CREDENTIAL_PROPS, "delete_payload"})
"""Kept for the later steps (the delete payload is used only at destroy): a change to these
alone invokes nothing."""


def _changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> set[str]:
    """The WATCHED_PROPS whose value differs."""
    return {name for name in WATCHED_PROPS if olds.get(name) != news.get(name)}


def _create_payload(props: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """The create payload, with the secret payload and, if asked, the previous result."""
    payload: dict[str, Any] = json.loads(props["create_payload"])
    payload.update(json.loads(str(props.get("secret_payload") or "{}")))
    if previous is not None and props.get("pass_previous_result"):
        payload["previous_result"] = previous.get("result") or ""
    return payload


def removed_destinations(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[str, ...]:
    """The destinations the old properties list and the new ones do not, in the old order."""
    kept = set(_destinations(news))
    return tuple(arn for arn in _destinations(olds) if arn not in kept)


def _destinations(props: Mapping[str, Any]) -> tuple[str, ...]:
    """`destination_arns`, comma-separated; in a state written before that property, the
    subscriber's DESTINATION_ARN as its triggers hold it (infra/subscriber.py: the environment
    under "env"), so the first scale-down after an upgrade loops too."""
    value = props.get("destination_arns")
    if value is None:
        try:
            value = json.loads(str(props.get("triggers") or ""))["env"][DESTINATION_ARN.name]
        except (ValueError, TypeError, KeyError):
            return ()
    return tuple(arn.strip() for arn in str(value).split(",") if arn.strip())


def stop_before_remove(props: Mapping[str, Any]) -> None:
    """SUBSCRIBER_STOPPED_UNTIL written as the deployer (infra/subscriber_stop.py) for the delete
    step's time limit; what prevents it is said on stderr (a dynamic provider has no engine to
    log to: its output is the CLI's) and the remove runs all the same."""
    limit = float(props.get("delete_time_limit_seconds") or DEFAULT_DELETE_TIME_LIMIT_SECONDS)
    why = stop_subscriber(_lambda_client(props), str(props["function_name"]), limit)
    if why is not None:
        print(f"warning: {stop_warning(str(props['function_name']), why)}", file=sys.stderr)


class LambdaInvocationProvider(pulumi.dynamic.ResourceProvider):
    """Invokes on create/update/delete; `invoke`, `clock` and `sleep` are injectable for tests
    (None: the real ones, resolved when called, so the provider pickles)."""

    def __init__(
        self,
        invoke: InvokeFn | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        stop: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> None:
        super().__init__()
        self._invoke = invoke
        self._clock = clock
        self._sleep = sleep
        self._stop = stop

    def _call(
        self, props: Mapping[str, Any], previous: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any]:
        """Invoke the create payload once."""
        result = (self._invoke or boto3_invoke)(props, _create_payload(props, previous))
        refuse_stopped(props, result)
        return result

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        result = self._call(props)
        outs = {**props, "result": json.dumps(result, sort_keys=True, default=str)[:4000]}
        return pulumi.dynamic.CreateResult(id_=str(props["function_name"]), outs=outs)

    def diff(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        changed = _changed(_olds, _news)
        return pulumi.dynamic.DiffResult(
            changes=bool(changed),
            replaces=["function_name"] if "function_name" in changed else [],
            delete_before_replace=True,
        )

    def update(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        if _changed(_olds, _news) <= LATER_STEP_PROPS:  # only the later steps changed
            return pulumi.dynamic.UpdateResult(outs={**_news, "result": _olds.get("result")})
        if removed_destinations(_olds, _news):
            result = self._re_point(_news, _olds)
        else:
            result = self._call(_news, _olds)
        outs = {**_news, "result": json.dumps(result, sort_keys=True, default=str)[:4000]}
        return pulumi.dynamic.UpdateResult(outs=outs)

    def _re_point(self, news: Mapping[str, Any], olds: Mapping[str, Any]) -> Mapping[str, Any]:
        """The create payload, looped synchronously until complete: the filters on the removed
        destinations have moved (or the update fails with what to do) before Pulumi deletes
        them. At the default filterApiQuotaPercent (40: 2 PutSubscriptionFilter calls/s) about
        2 groups move per second: ~28 min for the ~3,300 of 10,000 groups that going from 3
        streams to 2 moves (docs/scale.md); within `delete_time_limit_seconds` (6 h)."""
        return run_until_complete(
            self._invoke or boto3_invoke,
            news,
            clock=self._clock or time.monotonic,
            sleep=self._sleep or time.sleep,
            base=_create_payload(news, olds),
            step="re-point",
        )

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        delete = json.loads(_props["delete_payload"])
        if delete is None:
            return  # nothing to undo (the content applier: the content outlives the stack)
        if delete.get("action") == "remove":  # the subscriber: no queued run may put one back
            (self._stop or stop_before_remove)(_props)
        invoke = self._invoke or boto3_invoke
        run_until_complete(
            invoke, _props, clock=self._clock or time.monotonic, sleep=self._sleep or time.sleep
        )


@dataclass(frozen=True)
class LambdaInvocationArgs:
    function_name: pulumi.Input[str]
    region: str
    timeout_seconds: int
    create_payload: pulumi.Input[Mapping[str, Any]]
    """Plain values (it is stored in the state as is); may hold outputs."""
    delete_payload: Mapping[str, Any] | None
    """None: destroy invokes nothing."""
    triggers: pulumi.Input[str]
    """Any change re-runs `create_payload` (e.g. the package hash and the environment)."""
    deployer: Deployer | None = None
    """Who invokes (infra/deployer.py); None: the default credential chain."""
    delete_time_limit_seconds: int = DEFAULT_DELETE_TIME_LIMIT_SECONDS
    """How long the delete step may loop over the function's continuations in total."""
    secret_payload: pulumi.Input[str] | None = None
    """A JSON object merged into the create payload: a Pulumi secret, never in messages."""
    pass_previous_result: bool = False
    """An update sends the last answer (`result`, a JSON string) as `previous_result`."""
    assume_role_arn: str | None = None
    """Invoke with this role's credentials (the function is in its account: a spoke the hub
    deploys, infra/spoke_rollout.py); None: the deployer's own."""
    destination_arns: pulumi.Input[str] | None = None
    """The destinations the function's filters point at, comma-separated (the subscriber's
    DESTINATION_ARN): an update that removes any loops until its reconcile is complete."""


class LambdaInvocation(pulumi.dynamic.Resource, module="lambdalogs", name="LambdaInvocation"):
    result: pulumi.Output[str]

    def __init__(
        self, name: str, args: LambdaInvocationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {
            "function_name": args.function_name,
            "region": args.region,
            "timeout_seconds": args.timeout_seconds,
            "create_payload": pulumi.Output.from_input(args.create_payload).apply(
                lambda payload: json.dumps(dict(payload), sort_keys=True)
            ),
            "delete_payload": json.dumps(
                None if args.delete_payload is None else dict(args.delete_payload), sort_keys=True
            ),
            "triggers": args.triggers,
            **(args.deployer or Deployer()).as_props(),  # profile, and any deployer_roles
            "delete_time_limit_seconds": args.delete_time_limit_seconds,
            "result": None,
        }
        if args.pass_previous_result:
            props["pass_previous_result"] = True
        if args.assume_role_arn:  # only then: other invocations' state stays as it was
            props["assume_role_arn"] = args.assume_role_arn
        if args.destination_arns is not None:  # the subscriber's only
            props["destination_arns"] = args.destination_arns
        secret = []
        if args.secret_payload is not None:
            props["secret_payload"] = pulumi.Output.secret(args.secret_payload)
            secret.append("secret_payload")
        if "deployer_roles" in props:  # external ids, session policies: kept as secrets
            props["deployer_roles"] = pulumi.Output.secret(props["deployer_roles"])
            secret.append("deployer_roles")
        if secret:
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=secret)
            )
        super().__init__(LambdaInvocationProvider(), name, props, opts)
