"""Reconciler mode: the subscriber function, the EventBridge rules that wake it, and the
deploy-time invocation that reconciles on `pulumi up` and removes every filter on destroy (looping
over the subscriber's continuations until it is done, or failing the destroy: see
infra/lambda_invocation.py). The full sweep needs no rule of its own: the subscriber starts one
on a scheduled run once `fullSweepIntervalHours` have passed (docs/decisions/subscriptions.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from infra.deployer import Deployer
from infra.event_patterns import CREATE_LOG_GROUP, FUNCTION_CHANGES, RECONCILE, REMOVE
from infra.lambda_invocation import (
    DEFAULT_DELETE_TIME_LIMIT_SECONDS,
    LambdaInvocation,
    LambdaInvocationArgs,
)
from infra.python_function import PythonFunction, PythonFunctionArgs
from lambda_shared.environment import DESTINATION_ARN

DEFAULT_RESERVED_CONCURRENCY: Final = 1
# Every event reaches the subscriber asynchronously (EventBridge, the self-invocations). AWS,
# "How Lambda handles errors and retries with asynchronous invocation": "For throttling errors
# (429) and system errors (500-series), Lambda returns the event to the queue and attempts to run
# the function again for up to 6 hours by default. The retry interval increases exponentially
# from 1 second after the first attempt to a maximum of 5 minutes." So an event that arrives
# while the single slot is busy waits, it is not lost; one that is dropped anyway costs latency
# only: the next scheduled run lists every group and subscribes (and backfills) what is new
# (docs/decisions/subscriptions.md, "Pacing across invocations").
ASYNC_MAX_EVENT_AGE_SECONDS: Final = 6 * 3600
"""The longest Lambda keeps an event in the function's queue (its maximum, and its default)."""
ASYNC_RETRY_ATTEMPTS: Final = 2
"""Retries after a function error (Lambda's maximum and default): a failed run is run again."""
# AWS, "How EventBridge retries delivering events": "By default, EventBridge retries sending the
# event for 24 hours and up to 185 times with an exponential back off and jitter". This covers
# only a failed hand-over to Lambda (the Invoke call); throttling happens later, in Lambda's
# queue, under the settings above.
TARGET_MAX_EVENT_AGE_SECONDS: Final = 24 * 3600
TARGET_RETRY_ATTEMPTS: Final = 185


@dataclass(frozen=True)
class SubscriberArgs:
    function: PythonFunctionArgs
    schedule: str
    region: str
    invocation_depends_on: tuple[pulumi.Resource, ...] = ()
    """What must exist while the filters do (the stream, the logs role and its policy)."""
    deployer: Deployer | None = None
    reserved_concurrency: int = DEFAULT_RESERVED_CONCURRENCY
    """`subscriberReservedConcurrency`: 1 (default) runs one reconcile at a time; 0 reserves
    nothing (accounts whose concurrency quota is below 101, see infra/concurrency_check.py);
    overlapping runs are safe but may backfill a new group twice (docs/subscriptions.md)."""
    remove_time_limit_seconds: int = DEFAULT_DELETE_TIME_LIMIT_SECONDS
    """How long `pulumi destroy` waits for `remove` to delete every filter before it fails."""
    assume_role_arn: str | None = None
    """The deploy/destroy-time invocation runs as this role (a spoke the hub deploys into
    another account); None: as the deployer."""


def function_args(args: SubscriberArgs) -> PythonFunctionArgs:
    """The function's arguments with the reservation applied (0 → the unreserved pool)."""
    reserved = args.reserved_concurrency if args.reserved_concurrency > 0 else None
    return replace(args.function, reserved_concurrency=reserved)


@dataclass(frozen=True)
class _RuleSpec:
    suffix: str
    description: str
    schedule: str | None = None
    pattern: Mapping[str, Any] | None = None


def _triggers(args: PythonFunctionArgs) -> pulumi.Output[str]:
    """Changes to the code or the environment re-run the reconcile."""
    return pulumi.Output.from_input(dict(args.environment)).apply(
        lambda env: json.dumps({"code": args.package.sha256, "env": env}, sort_keys=True)
    )


class Subscriber(pulumi.ComponentResource):
    function: PythonFunction
    invocation: LambdaInvocation
    async_config: aws.lambda_.FunctionEventInvokeConfig
    rules: dict[str, aws.cloudwatch.EventRule]
    targets: dict[str, aws.cloudwatch.EventTarget]
    permissions: dict[str, aws.lambda_.Permission]

    def __init__(
        self, name: str, args: SubscriberArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:subscriptions:Subscriber", name, None, opts)
        self.function = PythonFunction(
            name, function_args(args), pulumi.ResourceOptions(parent=self)
        )
        fn = self.function.function
        # Created after the function, its policy, the stream and the logs role; deleted before
        # them. The rules depend on it, so `pulumi destroy` deletes them first: once `remove`
        # has run, nothing wakes the subscriber to put a filter back.
        self.invocation = LambdaInvocation(
            f"{name}-lifecycle",
            LambdaInvocationArgs(
                function_name=fn.name,
                region=args.region,
                timeout_seconds=args.function.size.timeout_seconds,
                create_payload=RECONCILE,
                delete_payload=REMOVE,
                triggers=_triggers(args.function),
                deployer=args.deployer,
                delete_time_limit_seconds=args.remove_time_limit_seconds,
                assume_role_arn=args.assume_role_arn,
                # a scale-down loops until every filter moved (infra/lambda_invocation.py)
                destination_arns=args.function.environment.get(DESTINATION_ARN.name),
            ),
            pulumi.ResourceOptions(
                parent=self,
                depends_on=[fn, self.function.role_policy, *args.invocation_depends_on],
            ),
        )
        specs = (
            _RuleSpec("schedule", "Full reconcile of log group subscriptions", args.schedule),
            _RuleSpec("log-groups", "New log group (CloudTrail)", pattern=CREATE_LOG_GROUP),
            _RuleSpec("functions", "New or changed function (CloudTrail)", None, FUNCTION_CHANGES),
        )
        self.async_config = aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async",
            function_name=fn.name,
            maximum_event_age_in_seconds=ASYNC_MAX_EVENT_AGE_SECONDS,
            maximum_retry_attempts=ASYNC_RETRY_ATTEMPTS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.rules, self.targets, self.permissions = {}, {}, {}
        for spec in specs:
            self._rule(name, spec, fn)
        self.register_outputs({"function_name": fn.name})

    def _rule(self, name: str, spec: _RuleSpec, fn: aws.lambda_.Function) -> None:
        # Rules depend on the invocation: on destroy they go first, then `remove` runs.
        after_invocation = pulumi.ResourceOptions(parent=self, depends_on=[self.invocation])
        rule = aws.cloudwatch.EventRule(
            f"{name}-{spec.suffix}",
            description=spec.description,
            schedule_expression=spec.schedule,
            event_pattern=json.dumps(spec.pattern) if spec.pattern is not None else None,
            opts=after_invocation,
        )
        permission = aws.lambda_.Permission(
            f"{name}-{spec.suffix}",
            action="lambda:InvokeFunction",
            function=fn.name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=after_invocation,
        )
        target = aws.cloudwatch.EventTarget(
            f"{name}-{spec.suffix}",
            rule=rule.name,
            arn=fn.arn,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_event_age_in_seconds=TARGET_MAX_EVENT_AGE_SECONDS,
                maximum_retry_attempts=TARGET_RETRY_ATTEMPTS,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission, self.invocation]),
        )
        self.rules[spec.suffix] = rule
        self.permissions[spec.suffix] = permission
        self.targets[spec.suffix] = target
