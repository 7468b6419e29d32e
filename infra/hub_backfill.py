"""A hub's `<prefix>-spoke-backfill` role: the spokes' subscribers assume it to put their new
groups' earlier events into the hub's streams (docs/organisation.md). It may do nothing else:
firehose:PutRecordBatch on the hub's streams; only the spokes' subscriber roles may assume it."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.deployment_config import DeploymentConfig
from infra.hub_policies import spoke_backfill_permissions, spoke_backfill_trust
from infra.python_function import policy_json
from infra.spoke_role_names import SPOKE_BACKFILL_ROLE


class SpokeBackfillRole(pulumi.ComponentResource):
    role: aws.iam.Role
    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        ctx: AwsContext,
        prefix: str,
        deployment: DeploymentConfig,
        stream_arns: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("lambdalogs:hub:SpokeBackfillRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trust = spoke_backfill_trust(
            ctx, deployment.spoke_account_ids, deployment.organization_id, prefix=prefix
        )
        self.role = aws.iam.Role(
            name,
            name=f"{prefix}-{SPOKE_BACKFILL_ROLE}",
            assume_role_policy=policy_json(trust),
            description="Spokes' subscribers backfill into the hub's delivery streams",
            max_session_duration=3600,
            opts=child,
        )
        self.policy = aws.iam.RolePolicy(
            name,
            role=self.role.id,
            policy=policy_json(spoke_backfill_permissions(stream_arns)),
            opts=child,
        )
        self.arn = self.role.arn
        self.register_outputs({"arn": self.arn})
