"""The two roles around the delivery streams: the one Firehose assumes for every stream
(OpenSearch, S3, the transformer, each stream's error logs) and the one CloudWatch Logs assumes to
put records into any of them: into any stream name the stack could have, so that lowering
`deliveryStreams` never revokes delivery before the filters have moved (docs/scale.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.domain_config import IndexConfig
from infra.policies import (
    firehose_permissions,
    firehose_trust,
    logs_to_firehose_permissions,
    logs_to_firehose_trust,
)
from infra.python_function import policy_json
from infra.stack_names import StackNames
from infra.vpc_config import VpcConfig
from infra.vpc_policies import with_vpc_delivery


@dataclass(frozen=True)
class DeliveryRolesArgs:
    """The stack's names and indices as configured, and the resources the roles reach."""

    ctx: AwsContext
    names: StackNames
    index: IndexConfig
    domain_arn: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    transformer_arn: pulumi.Input[str]
    vpc: VpcConfig | None = None
    """Firehose delivers through this VPC: the role also manages its network interfaces."""


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
        ctx, names = args.ctx, args.names
        extra = len(names.streams) - 1
        stream_name = names.stream + (f" and {extra} more streams" if extra else "")
        self.firehose_role = aws.iam.Role(
            f"{name}-firehose",
            description=f"Firehose delivery of {stream_name} to OpenSearch and S3",
            assume_role_policy=policy_json(firehose_trust(ctx)),
            opts=child,
        )
        policy = pulumi.Output.all(args.domain_arn, args.bucket_arn, args.transformer_arn).apply(
            lambda arns: policy_json(
                with_vpc_delivery(
                    firehose_permissions(
                        ctx,
                        domain_arn=arns[0],
                        bucket_arn=arns[1],
                        transformer_arn=arns[2],
                        log_group_names=names.firehose_log_groups,
                        index_prefix=args.index.prefix,
                    ),
                    ctx,
                    args.vpc,
                )
            )
        )
        self.firehose_policy = aws.iam.RolePolicy(
            f"{name}-firehose", role=self.firehose_role.id, policy=policy, opts=child
        )
        self.logs_role = aws.iam.Role(
            f"{name}-logs",
            description=f"CloudWatch Logs subscriptions into {stream_name}",
            assume_role_policy=policy_json(logs_to_firehose_trust(ctx)),
            opts=child,
        )
        # Every name the stack's streams could have (ten, exact), not only today's: a filter
        # still on a stream being removed delivers until the subscriber re-points it.
        every_stream_arn = [ctx.stream_arn(stream) for stream in names.every_stream]
        self.logs_policy = aws.iam.RolePolicy(
            f"{name}-logs",
            role=self.logs_role.id,
            policy=policy_json(logs_to_firehose_permissions(every_stream_arn)),
            opts=child,
        )
        self.register_outputs(
            {"firehose_role_arn": self.firehose_role.arn, "logs_role_arn": self.logs_role.arn}
        )
