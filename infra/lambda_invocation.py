"""A deploy-time Lambda invocation with a delete step: `create_payload` runs on create (and when
`triggers` change), `delete_payload` runs on `pulumi destroy` (or replacement), so the subscriber
removes its filters before the stream they point at is deleted."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi.dynamic

from infra.aws_context import deployer_client

InvokeFn = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]
"""(resource properties, payload) → the function's parsed response; raises on function error."""


class InvocationError(RuntimeError):
    """The function returned an error; the message carries it."""


BUSY_RETRY_SECONDS: Final = 5.0


def boto3_invoke(
    props: Mapping[str, Any],
    payload: Mapping[str, Any],
    client: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Mapping[str, Any]:
    """Invoke synchronously with the deployer's credentials in the stack's region. The subscriber
    runs one at a time (reserved concurrency 1): while a scheduled run holds the slot, wait."""
    if client is None:
        from botocore.config import Config

        client = deployer_client(
            "lambda",
            props["region"],
            props.get("profile"),
            config=Config(
                read_timeout=int(props["timeout_seconds"]) + 30, retries={"max_attempts": 0}
            ),
        )
    waited = 0.0
    while True:
        try:
            response = client.invoke(
                FunctionName=props["function_name"],
                InvocationType="RequestResponse",
                Payload=json.dumps(payload).encode("utf-8"),
            )
            break
        except client.exceptions.TooManyRequestsException:
            if waited > int(props["timeout_seconds"]) + 60:
                raise InvocationError(
                    f"{props['function_name']} stayed busy for {waited:.0f} s (another run holds "
                    "its single concurrency slot); run `pulumi up` again in a few minutes"
                ) from None
            sleep(BUSY_RETRY_SECONDS)
            waited += BUSY_RETRY_SECONDS
        except client.exceptions.ResourceNotFoundException:
            if json.dumps(dict(payload), sort_keys=True) == props.get("delete_payload"):
                return {"skipped": "function not found"}
            raise
    body = response["Payload"].read().decode("utf-8") or "null"
    if response.get("FunctionError"):
        raise InvocationError(
            f"{props['function_name']} failed on {json.dumps(payload)}: {body[:2000]}"
        )
    result = json.loads(body)
    return result if isinstance(result, dict) else {"result": result}


class LambdaInvocationProvider(pulumi.dynamic.ResourceProvider):
    """Invokes on create/update/delete; `invoke` is injectable for tests."""

    def __init__(self, invoke: InvokeFn | None = None) -> None:
        super().__init__()
        self._invoke = invoke

    def _call(self, props: Mapping[str, Any], payload_key: str) -> Mapping[str, Any]:
        invoke = self._invoke or boto3_invoke
        return invoke(props, json.loads(props[payload_key]))

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        result = self._call(props, "create_payload")
        outs = {**props, "result": json.dumps(result, sort_keys=True, default=str)[:4000]}
        return pulumi.dynamic.CreateResult(id_=str(props["function_name"]), outs=outs)

    def diff(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        watched = ("function_name", "region", "create_payload", "delete_payload", "triggers")
        changed = [k for k in watched if _olds.get(k) != _news.get(k)]
        return pulumi.dynamic.DiffResult(
            changes=bool(changed),
            replaces=["function_name"] if "function_name" in changed else [],
            delete_before_replace=True,
        )

    def update(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        result = self._call(_news, "create_payload")
        outs = {**_news, "result": json.dumps(result, sort_keys=True, default=str)[:4000]}
        return pulumi.dynamic.UpdateResult(outs=outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        self._call(_props, "delete_payload")


@dataclass(frozen=True)
class LambdaInvocationArgs:
    function_name: pulumi.Input[str]
    region: str
    timeout_seconds: int
    create_payload: Mapping[str, Any]
    delete_payload: Mapping[str, Any]
    triggers: pulumi.Input[str]
    """Any change re-runs `create_payload` (e.g. the package hash and the environment)."""
    profile: str | None = None


class LambdaInvocation(pulumi.dynamic.Resource, module="lambdalogs", name="LambdaInvocation"):
    result: pulumi.Output[str]

    def __init__(
        self, name: str, args: LambdaInvocationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {
            "function_name": args.function_name,
            "region": args.region,
            "timeout_seconds": args.timeout_seconds,
            "create_payload": json.dumps(dict(args.create_payload), sort_keys=True),
            "delete_payload": json.dumps(dict(args.delete_payload), sort_keys=True),
            "triggers": args.triggers,
            "profile": args.profile or "",
            "result": None,
        }
        super().__init__(LambdaInvocationProvider(), name, props, opts)
