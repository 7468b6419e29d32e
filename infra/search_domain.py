"""The OpenSearch domain: encrypted, HTTPS only, fine-grained access control; public (behind
`allowedCidrs`) or, with `vpcSubnetIds`, inside the VPC with no public endpoint.

A VPC domain needs the service-linked role AWSServiceRoleForAmazonOpenSearchService. It is not
created here: AWS, "Using service-linked roles to create VPC domains": "OpenSearch Service
automatically creates a new OpenSearch service-linked role the first time you create an
OpenSearch domain. [...] In order for this automatic creation to succeed, you must have
permissions for the iam:CreateServiceLinkedRole action." (a role created by the stack would fail
in every account that has one already, and deleting it with the stack would break the account's
other VPC domains): docs/deploy.md."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.domain_config import DomainConfig
from infra.policies import domain_access_policy
from infra.vpc_config import VpcConfig

TLS_POLICY: Final = "Policy-Min-TLS-1-2-PFS-2023-10"


@dataclass(frozen=True)
class SearchDomainArgs:
    ctx: AwsContext
    domain: DomainConfig
    master_user_password: pulumi.Input[str]
    """The domain's master user password (required: the stack creates this domain)."""


class SearchDomain(pulumi.ComponentResource):
    """One OpenSearch domain. `endpoint` is the host name; Dashboards are under `/_dashboards`."""

    domain: aws.opensearch.Domain
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(
        self, name: str, args: SearchDomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:search:Domain", name, None, opts)
        config = args.domain
        domain_arn = args.ctx.domain_arn(config.name)
        access_policy = domain_access_policy(
            args.ctx, domain_arn, config.allowed_cidrs, private=config.vpc is not None
        )
        zone_config = (
            aws.opensearch.DomainClusterConfigZoneAwarenessConfigArgs(
                availability_zone_count=config.availability_zone_count
            )
            if config.zone_awareness
            else None
        )
        self.domain = aws.opensearch.Domain(
            name,
            domain_name=config.name,
            engine_version=config.engine_version,
            cluster_config=aws.opensearch.DomainClusterConfigArgs(
                instance_type=config.instance_type,
                instance_count=config.instance_count,
                zone_awareness_enabled=config.zone_awareness,
                zone_awareness_config=zone_config,
            ),
            ebs_options=aws.opensearch.DomainEbsOptionsArgs(
                ebs_enabled=True, volume_type="gp3", volume_size=config.volume_size_gb
            ),
            encrypt_at_rest=aws.opensearch.DomainEncryptAtRestArgs(enabled=True),
            node_to_node_encryption=aws.opensearch.DomainNodeToNodeEncryptionArgs(enabled=True),
            domain_endpoint_options=aws.opensearch.DomainDomainEndpointOptionsArgs(
                enforce_https=True, tls_security_policy=TLS_POLICY
            ),
            advanced_security_options=aws.opensearch.DomainAdvancedSecurityOptionsArgs(
                enabled=True,
                anonymous_auth_enabled=False,
                internal_user_database_enabled=True,
                master_user_options=aws.opensearch.DomainAdvancedSecurityOptionsMasterUserOptionsArgs(
                    master_user_name=config.master_user_name,
                    master_user_password=pulumi.Output.secret(args.master_user_password),
                ),
            ),
            access_policies=json.dumps(access_policy),
            vpc_options=_vpc_options(config.vpc),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.domain.arn
        self.endpoint = self.domain.endpoint
        self.register_outputs({"arn": self.arn, "endpoint": self.endpoint})


def _vpc_options(vpc: VpcConfig | None) -> aws.opensearch.DomainVpcOptionsArgs | None:
    """The domain's endpoint in the subnets (one per zone: infra/vpc_config.py), behind the
    security groups; None: a public endpoint. Changing between the two replaces the domain
    (AWS: "If you launch a new domain within a VPC, you can't later switch it to use a public
    endpoint. The reverse is also true")."""
    if vpc is None:
        return None
    return aws.opensearch.DomainVpcOptionsArgs(
        subnet_ids=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
    )
