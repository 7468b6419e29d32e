"""The delivery role's statements for Firehose's network interfaces in the VPC (a private
deployment, `vpcSubnetIds`)."""

from __future__ import annotations

from infra.aws_context import AwsContext
from infra.policies import VPC_DESCRIBE_ACTIONS, Policy, Statement, allow, document
from infra.vpc_config import VpcConfig


def firehose_vpc_statements(ctx: AwsContext, vpc: VpcConfig) -> list[Statement]:
    """Firehose's network interfaces in the VPC. AWS, Firehose API reference,
    VpcConfiguration.RoleARN: "make sure that the role trusts the Firehose service principal
    and that it grants the following permissions: ec2:DescribeVpcs, ec2:DescribeVpcAttribute,
    ec2:DescribeSubnets, ec2:DescribeSecurityGroups, ec2:DescribeNetworkInterfaces,
    ec2:CreateNetworkInterface, ec2:CreateNetworkInterfacePermission,
    ec2:DeleteNetworkInterface" ("If you revoke these permissions after you create the Firehose
    stream, Firehose can't scale out by creating more ENIs").

    Scoped as far as the Service Authorization Reference lets: the Describe calls take no
    resource ("*", region by the ec2:Region key); DescribeVpcAttribute takes a VPC (the VPC id
    is not configured: this account's and region's VPCs); CreateNetworkInterface is authorized
    on the new interface, its subnet and its security groups, so only the configured subnets
    and groups; the permission and the deletion act on an interface, only on those in the
    configured subnets (ec2:Subnet, the interface's subnet ARN). AWS's own managed policy for
    OpenSearch's network interfaces (AmazonOpenSearchServiceRolePolicy) scopes
    ec2:CreateNetworkInterface the same way, by `network-interface/*`, `subnet/*` and
    `security-group/*` resources."""
    region = {"StringEquals": {"ec2:Region": ctx.region}}
    interfaces = ctx.arn("ec2", "network-interface/*")
    subnets = [ctx.arn("ec2", f"subnet/{subnet}") for subnet in vpc.subnet_ids]
    groups = [ctx.arn("ec2", f"security-group/{group}") for group in vpc.security_group_ids]
    return [
        allow("DescribeVpcNetwork", VPC_DESCRIBE_ACTIONS, ["*"], Condition=region),
        allow("DescribeVpcAttribute", ["ec2:DescribeVpcAttribute"], [ctx.arn("ec2", "vpc/*")]),
        allow(
            "CreateDeliveryInterfaces",
            ["ec2:CreateNetworkInterface"],
            [interfaces, *subnets, *groups],
        ),
        allow(
            "ManageDeliveryInterfaces",
            ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"],
            [interfaces],
            Condition={"ArnEquals": {"ec2:Subnet": subnets}},
        ),
    ]


def with_vpc_delivery(policy: Policy, ctx: AwsContext, vpc: VpcConfig | None) -> Policy:
    """The Firehose role's `policy`, plus its network interfaces in `vpc` (None: unchanged)."""
    if vpc is None:
        return policy
    return document(*policy["Statement"], *firehose_vpc_statements(ctx, vpc))
