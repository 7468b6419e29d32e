"""IAM documents of the functions that run inside the VPC (issue 14): their network interfaces,
on top of what `infra/policies.py` builds (`allow`, `document`, `own_logs`). Linted with the rest
by tests/infra/test_policy_lint.py."""

from __future__ import annotations

from infra.aws_context import AwsContext
from infra.policies import ES_HTTP_ACTIONS, Policy, allow, document, own_logs
from infra.vpc_config import VpcConfig


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
