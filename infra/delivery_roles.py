"""The two roles around the delivery stream: the one Firehose assumes (OpenSearch, S3, the
transformer, its error logs) and the one CloudWatch Logs assumes to put records into it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.policies import (
    firehose_permissions,
    firehose_trust,
    logs_to_firehose_permissions,
    logs_to_firehose_trust,
)
from infra.python_function import policy_json


@dataclass(frozen=True)
class DeliveryRolesArgs:
    ctx: AwsContext
    stream_name: str
    domain_arn: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    transformer_arn: pulumi.Input[str]
    log_group_name: str
    index_prefix: str


class DeliveryRoles(pulumi.ComponentResource):
    firehose_role: aws.iam.Role
    firehose_policy: aws.iam.RolePolicy
    logs_role: aws.iam.Role
    logs_policy: aws.iam.RolePolicy

    def __init__(
        self, name: str, args: DeliveryRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:delivery:Roles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = args.ctx
        stream_arn = ctx.stream_arn(args.stream_name)
        self.firehose_role = aws.iam.Role(
            f"{name}-firehose",
            description=f"Firehose delivery of {args.stream_name} to OpenSearch and S3",
            assume_role_policy=policy_json(firehose_trust(ctx)),
            opts=child,
        )
        policy = pulumi.Output.all(args.domain_arn, args.bucket_arn, args.transformer_arn).apply(
            lambda arns: policy_json(
                firehose_permissions(
                    ctx,
                    domain_arn=arns[0],
                    bucket_arn=arns[1],
                    transformer_arn=arns[2],
                    log_group_name=args.log_group_name,
                    index_prefix=args.index_prefix,
                )
            )
        )
        self.firehose_policy = aws.iam.RolePolicy(
            f"{name}-firehose", role=self.firehose_role.id, policy=policy, opts=child
        )
        self.logs_role = aws.iam.Role(
            f"{name}-logs",
            description=f"CloudWatch Logs subscriptions into {args.stream_name}",
            assume_role_policy=policy_json(logs_to_firehose_trust(ctx)),
            opts=child,
        )
        self.logs_policy = aws.iam.RolePolicy(
            f"{name}-logs",
            role=self.logs_role.id,
            policy=policy_json(logs_to_firehose_permissions(stream_arn)),
            opts=child,
        )
        self.register_outputs(
            {"firehose_role_arn": self.firehose_role.arn, "logs_role_arn": self.logs_role.arn}
        )
