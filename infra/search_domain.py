"""The OpenSearch domain: encrypted, HTTPS only, fine-grained access control."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.policies import domain_access_policy

TLS_POLICY: Final = "Policy-Min-TLS-1-2-PFS-2023-10"


@dataclass(frozen=True)
class SearchDomainArgs:
    ctx: AwsContext
    domain_name: str
    engine_version: str
    instance_type: str
    instance_count: int
    volume_size_gb: int
    zone_awareness: bool
    availability_zone_count: int
    allowed_cidrs: tuple[str, ...]
    master_user_name: str
    master_user_password: pulumi.Input[str]


class SearchDomain(pulumi.ComponentResource):
    """One OpenSearch domain. `endpoint` is the host name; Dashboards are under `/_dashboards`."""

    domain: aws.opensearch.Domain
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(
        self, name: str, args: SearchDomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:search:Domain", name, None, opts)
        domain_arn = args.ctx.domain_arn(args.domain_name)
        access_policy = domain_access_policy(args.ctx, domain_arn, args.allowed_cidrs)
        zone_config = (
            aws.opensearch.DomainClusterConfigZoneAwarenessConfigArgs(
                availability_zone_count=args.availability_zone_count
            )
            if args.zone_awareness
            else None
        )
        self.domain = aws.opensearch.Domain(
            name,
            domain_name=args.domain_name,
            engine_version=args.engine_version,
            cluster_config=aws.opensearch.DomainClusterConfigArgs(
                instance_type=args.instance_type,
                instance_count=args.instance_count,
                zone_awareness_enabled=args.zone_awareness,
                zone_awareness_config=zone_config,
            ),
            ebs_options=aws.opensearch.DomainEbsOptionsArgs(
                ebs_enabled=True, volume_type="gp3", volume_size=args.volume_size_gb
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
                    master_user_name=args.master_user_name,
                    master_user_password=pulumi.Output.secret(args.master_user_password),
                ),
            ),
            access_policies=json.dumps(access_policy),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.domain.arn
        self.endpoint = self.domain.endpoint
        self.register_outputs({"arn": self.arn, "endpoint": self.endpoint})
