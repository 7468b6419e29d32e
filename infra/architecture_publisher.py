"""Account-policy mode's architecture publisher: `subscriptions.publish_only.handler` (the
subscriber's package, its publish code only) as its own function, run every hour by an
EventBridge schedule, so the transformer prices this account's functions at their own
architecture although no subscriber exists (docs/decisions/architecture-map.md).

A standalone stack or a hub writes to its own bucket; a spoke to the hub's (`hubBucketName`, in
the hub's region), as the spoke's subscriber does. A spoke without `hubBucketName` has nowhere to
write and gets no publisher (its functions are priced at the hub's default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.config_sections import FunctionSize
from infra.lambda_package import BuiltPackage
from infra.publisher_policies import architecture_publisher_permissions
from infra.python_function import PythonFunction, PythonFunctionArgs, policy_json
from infra.stack_config import StackConfig
from lambda_shared.environment import (
    ARCHITECTURE_BUCKET,
    ARCHITECTURE_BUCKET_REGION,
    FILTER_API_QUOTA_PERCENT,
)

TYPE_TOKEN: Final = "lambdalogs:architectures:ArchitecturePublisher"
HANDLER: Final = "subscriptions.publish_only.handler"
SCHEDULE: Final = "rate(1 hour)"
"""A new function is priced at the default for at most an hour (plus the transformer's 15
minutes); a walk of 50,000 functions is 1,000 ListFunctions calls an hour."""
PUBLISHER_SIZE: Final = FunctionSize(memory_mb=128, timeout_seconds=900)
"""ListFunctions paced at `filterApiQuotaPercent` of the control plane's 15 calls/s (6 at the
default 40 %): the 810 s the walk may take of Lambda's longest timeout, 900 s
(subscriptions/publish_only.py keeps a 90 s margin), list ~4,860 pages, 243,000 functions (at
1 %, ~6,000); the function mostly waits, 128 MB, an hour apart. The map's JSON is ~40 bytes a
function. A walk that runs out of time is a WARN naming the pages it read."""


@dataclass(frozen=True)
class PublisherArgs:
    config: StackConfig
    ctx: AwsContext
    package: BuiltPackage
    """The subscriber's package (`infra.packages.build_subscriber`)."""
    bucket_name: pulumi.Input[str]
    bucket_region: str = ""
    """"" = the function's own (a spoke: the hub's, that of `hubStreamArns`)."""


def _environment(args: PublisherArgs) -> dict[str, pulumi.Input[str]]:
    environment: dict[str, pulumi.Input[str]] = {ARCHITECTURE_BUCKET.name: args.bucket_name}
    share = args.config.variables.get(FILTER_API_QUOTA_PERCENT.name)
    if share is not None:  # its ListFunctions walk takes that share of Lambda's quota
        environment[FILTER_API_QUOTA_PERCENT.name] = share
    if args.bucket_region:
        environment[ARCHITECTURE_BUCKET_REGION.name] = args.bucket_region
    return environment


def _policy(args: PublisherArgs) -> pulumi.Output[str]:
    names, ctx = args.config.names, args.ctx
    return pulumi.Output.from_input(args.bucket_name).apply(
        lambda bucket: policy_json(
            architecture_publisher_permissions(
                ctx, names.architecture_publisher_log_group, f"arn:{ctx.partition}:s3:::{bucket}"
            )
        )
    )


class ArchitecturePublisher(pulumi.ComponentResource):
    """The function, its hourly rule, the rule's permission to invoke it, the target."""

    function: PythonFunction
    rule: aws.cloudwatch.EventRule
    permission: aws.lambda_.Permission
    target: aws.cloudwatch.EventTarget

    def __init__(
        self, name: str, args: PublisherArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        names = args.config.names
        self.function = PythonFunction(
            name,
            PythonFunctionArgs(
                function_name=names.architecture_publisher,
                log_group_name=names.architecture_publisher_log_group,
                handler=HANDLER,
                package=args.package,
                shared=args.config.functions,
                size=PUBLISHER_SIZE,
                environment=_environment(args),
                policy=_policy(args),
                description="Publishes the account's function architectures for the cost figure",
            ),
            pulumi.ResourceOptions(parent=self),
        )
        fn = self.function.function
        child = pulumi.ResourceOptions(parent=self)
        self.rule = aws.cloudwatch.EventRule(
            f"{name}-schedule",
            description="Publish the architecture map (account-policy mode)",
            schedule_expression=SCHEDULE,
            opts=child,
        )
        self.permission = aws.lambda_.Permission(
            f"{name}-schedule",
            action="lambda:InvokeFunction",
            function=fn.name,
            principal="events.amazonaws.com",
            source_arn=self.rule.arn,
            opts=child,
        )
        self.target = aws.cloudwatch.EventTarget(
            f"{name}-schedule",
            rule=self.rule.name,
            arn=fn.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.permission]),
        )
        self.register_outputs({"function_name": fn.name})
