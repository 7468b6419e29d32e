"""A deploy-time Lambda invocation with a delete step: `create_payload` runs on create (and when
`triggers` change), `delete_payload` runs on `pulumi destroy` (or replacement), so the subscriber
removes its filters before the stream they point at is deleted.

The delete step runs until the function says it is done: it invokes synchronously with
`"selfInvoke": false` and passes each answer's `continuation` back while `complete` is false
(the subscriber removes at most one invocation's worth of filters per call), within
`delete_time_limit_seconds` in total. Past that, or when the function stops advancing, it fails
the destroy with the command that finishes by hand: nothing it deletes after this resource (the
stream) is deleted while a filter still points at it.

For the in-VPC content applier (infra/content_applier.py): `delete_payload=None` (nothing to
undo on destroy), `secret_payload` (a JSON object merged into the create payload when invoking,
kept a Pulumi secret in the state and left out of every error message) and
`pass_previous_result` (an update sends the last answer as `previous_result`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

import pulumi
import pulumi.dynamic

from infra.aws_context import deployer_client
from infra.deployer import Deployer

InvokeFn = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]
"""(resource properties, payload) → the function's parsed response; raises on function error."""


class InvocationError(RuntimeError):
    """The function returned an error; the message carries it."""


BUSY_RETRY_SECONDS: Final = 5.0
DEFAULT_DELETE_TIME_LIMIT_SECONDS: Final = 6 * 3600
"""The delete step's total limit: at the subscriber's default share of the quota (2 calls/s of
DeleteSubscriptionFilter) that is ~43,000 groups; beyond, the destroy fails with what to do."""
STALLED_ROUNDS: Final = 5
"""Answers in a row with the same continuation (no progress: throttled) before giving up."""
STALLED_WAIT_SECONDS: Final = 30.0


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


class LambdaInvocationProvider(pulumi.dynamic.ResourceProvider):
    """Invokes on create/update/delete; `invoke`, `clock` and `sleep` are injectable for tests
    (None: the real ones, resolved when called, so the provider pickles)."""

    def __init__(
        self,
        invoke: InvokeFn | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__()
        self._invoke = invoke
        self._clock = clock
        self._sleep = sleep

    def _call(
        self, props: Mapping[str, Any], previous: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any]:
        """The create payload, with the secret payload and, if asked, the previous result."""
        invoke = self._invoke or boto3_invoke
        payload = json.loads(props["create_payload"])
        payload.update(json.loads(str(props.get("secret_payload") or "{}")))
        if previous is not None and props.get("pass_previous_result"):
            payload["previous_result"] = previous.get("result") or ""
        return invoke(props, payload)

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
        if _changed(_olds, _news) <= {
            *CREDENTIAL_PROPS,
            "delete_payload",
        }:  # only the later steps changed
            return pulumi.dynamic.UpdateResult(outs={**_news, "result": _olds.get("result")})
        result = self._call(_news, _olds)
        outs = {**_news, "result": json.dumps(result, sort_keys=True, default=str)[:4000]}
        return pulumi.dynamic.UpdateResult(outs=outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        if json.loads(_props["delete_payload"]) is None:
            return  # nothing to undo (the content applier: the content outlives the stack)
        invoke = self._invoke or boto3_invoke
        run_until_complete(
            invoke, _props, clock=self._clock or time.monotonic, sleep=self._sleep or time.sleep
        )


def run_until_complete(
    invoke: InvokeFn,
    props: Mapping[str, Any],
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> Mapping[str, Any]:
    """Invoke `delete_payload` synchronously, passing `continuation` back, until `complete`."""
    base = {**json.loads(props["delete_payload"]), "selfInvoke": False}
    limit = float(props.get("delete_time_limit_seconds") or DEFAULT_DELETE_TIME_LIMIT_SECONDS)
    started, rounds, stalled = clock(), 0, 0
    payload: dict[str, Any] = base
    while True:
        result = invoke(props, payload)
        rounds += 1
        # An answer without `complete` (not a subscriber run, or a skipped one) is final.
        if result.get("complete", True) is True:
            return result
        continuation = result.get("continuation")
        if not isinstance(continuation, Mapping):
            raise InvocationError(_unfinished(props, payload, result, "no continuation", rounds))
        stalled = stalled + 1 if _position(continuation) == _position(payload) else 0
        payload = {**base, "continuation": continuation}
        if stalled >= STALLED_ROUNDS:
            raise InvocationError(_unfinished(props, payload, result, "no progress", rounds))
        if clock() - started >= limit:
            why = f"the {limit / 3600:g} h limit was reached"
            raise InvocationError(_unfinished(props, payload, result, why, rounds))
        if stalled:
            sleep(STALLED_WAIT_SECONDS)


def _position(token_or_payload: Mapping[str, Any]) -> object:
    """Where a continuation stands, without its hop count (which grows on every answer)."""
    token = token_or_payload.get("continuation", token_or_payload)
    if not isinstance(token, Mapping):
        return None
    return {k: v for k, v in token.items() if k != "generation"}


def _unfinished(
    props: Mapping[str, Any],
    payload: Mapping[str, Any],
    result: Mapping[str, Any],
    why: str,
    rounds: int,
) -> str:
    function = props["function_name"]
    return (
        f"{function} did not finish removing its subscription filters ({why}; {rounds} "
        f"invocations, last stop: {result.get('stopReason')!r}, outcomes "
        f"{json.dumps(result.get('outcomes', {}), sort_keys=True)}). The destroy stops here so "
        "that the delivery stream is not deleted while filters still point at it. Finish by "
        f"hand: run `aws lambda invoke --region {props['region']} --function-name {function} "
        "--cli-binary-format raw-in-base64-out --cli-read-timeout 0 --payload "
        f"'{json.dumps(dict(payload), separators=(',', ':'))}' out.json` and repeat it with "
        'out.json\'s "continuation" until out.json says "complete": true (or raise '
        "filterApiQuotaPercent, `pulumi up`, and destroy again); then run `pulumi destroy` "
        "again."
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
