"""IAM statements for what runs in the VPC (a private deployment, `vpcSubnetIds`, issue 14):
Firehose's network interfaces on the delivery role, and the in-VPC content applier's role. Built
with `infra/policies.py`'s helpers and linted with the rest by tests/infra/test_policy_lint.py."""

from __future__ import annotations

from infra.aws_context import AwsContext
from infra.policies import (
    ES_HTTP_ACTIONS,
    VPC_DESCRIBE_ACTIONS,
    Policy,
    Statement,
    allow,
    document,
    own_logs,
)
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


def content_applier_permissions(
    ctx: AwsContext,
    log_group_name: str,
    vpc: VpcConfig,
    domain_arn: str,
    signs_requests: bool,
) -> Policy:
    """The in-VPC content applier (infra/content_applier.py): its network interfaces in the VPC,
    its own logs, and, when it signs its requests (no master user), HTTP on the domain.

    The ENI actions are AWSLambdaVPCAccessExecutionRole's (AWS managed policy v3: "Provides
    minimum permissions for a Lambda function to execute while accessing a resource within a
    VPC", its `ec2:` actions on `*`), narrowed where AWS allows it. The Lambda Developer Guide
    (configuration-vpc): "ec2:DescribeNetworkInterfaces – This action only works if it's allowed
    on all resources ("Resource": "*")", and for DeleteNetworkInterface "Either specify a unique
    resource ID, or include all resource IDs": every network interface of this account and
    region. Creating one is scoped to the configured subnets and security groups (the resource
    types EC2 authorizes CreateNetworkInterface on). Lambda, not the code, uses them, to create
    the function's (Hyperplane) network interfaces."""
    interfaces = ctx.arn("ec2", "network-interface/*")
    statements = [
        # EC2 Describe* actions have no resource-level permissions: `*` is the narrowest.
        allow("VpcDescribe", ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], ["*"]),
        allow(
            "VpcCreateInterfaces",
            ["ec2:CreateNetworkInterface"],
            [
                interfaces,
                *(ctx.arn("ec2", f"subnet/{subnet}") for subnet in vpc.subnet_ids),
                *(ctx.arn("ec2", f"security-group/{group}") for group in vpc.security_group_ids),
            ],
        ),
        allow(
            "VpcManageInterfaces",
            [
                "ec2:AssignPrivateIpAddresses",
                "ec2:DeleteNetworkInterface",
                "ec2:UnassignPrivateIpAddresses",
            ],
            [interfaces],
        ),
        own_logs(ctx, log_group_name),
    ]
    if signs_requests:  # SigV4 as the function's role (map it in fine-grained access control)
        statements.append(allow("ApplyContent", ES_HTTP_ACTIONS, [domain_arn, f"{domain_arn}/*"]))
    return document(*statements)
