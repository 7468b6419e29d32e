"""A hub's CloudWatch Logs destinations: in every spoke region, one per delivery stream, each
wrapping that stream (in the hub's region: a destination may point at a Firehose stream in
another region, while a sender's log groups must be in the destination's region), with one role
per region that CloudWatch Logs assumes and a policy admitting the spokes (docs/organisation.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.deployment_config import DeploymentConfig
from infra.hub_backfill import SpokeBackfillRole
from infra.hub_policies import destination_access_policy, destination_trust
from infra.policies import logs_to_firehose_permissions
from infra.python_function import policy_json
from infra.stack_names import StackNames


@dataclass(frozen=True)
class HubDestinationsArgs:
    ctx: AwsContext
    names: StackNames
    deployment: DeploymentConfig
    streams: Sequence[aws.kinesis.FirehoseDeliveryStream]
    """The hub's streams, in the order of `names.streams`."""


def destination_arn(ctx: AwsContext, region: str, name: str) -> str:
    return f"arn:{ctx.partition}:logs:{region}:{ctx.account_id}:destination:{name}"


class HubDestinations(pulumi.ComponentResource):
    destinations: dict[str, list[aws.cloudwatch.LogDestination]]
    policies: dict[str, list[aws.cloudwatch.LogDestinationPolicy]]
    arns: dict[str, str]
    """region → the destinations' ARNs comma-joined in stream order (a spoke's
    `hubDestinationArn`)."""
    backfill_role: SpokeBackfillRole
    """The role the spokes' backfill assumes (a spoke's `hubBackfillRoleArn`)."""

    def __init__(
        self, name: str, args: HubDestinationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:hub:Destinations", name, None, opts)
        self.destinations, self.policies, self.arns = {}, {}, {}
        for region in args.deployment.spoke_regions:
            self._region(name, region, args)
        self.backfill_role = SpokeBackfillRole(
            f"{name}-spoke-backfill",
            ctx=args.ctx,
            prefix=args.names.prefix,
            deployment=args.deployment,
            stream_arns=[args.ctx.stream_arn(stream) for stream in args.names.streams],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"arns": self.arns, "backfill_role_arn": self.backfill_role.arn})

    def _region(self, name: str, region: str, args: HubDestinationsArgs) -> None:
        ctx, deployment = args.ctx, args.deployment
        trust = destination_trust(
            ctx, region, deployment.spoke_account_ids, deployment.organization_id is not None
        )
        role = aws.iam.Role(
            f"{name}-{region}-role",
            assume_role_policy=policy_json(trust),
            description=f"CloudWatch Logs in {region} into the hub's delivery streams",
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Every name the hub's streams could have (ten, exact), not only today's: lowering
        # `deliveryStreams` must not stop a destination still in use before it is deleted.
        every_stream_arn = [ctx.stream_arn(stream) for stream in args.names.every_stream]
        role_policy = aws.iam.RolePolicy(
            f"{name}-{region}-role",
            role=role.id,
            policy=policy_json(logs_to_firehose_permissions(every_stream_arn)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        in_region = pulumi.ResourceOptions(parent=self)  # `region=` on each resource: the
        # stack's own AWS provider (its credentials, assumed roles, allowed accounts) in `region`
        destinations, policies = [], []
        for destination_name, stream in zip(args.names.destinations, args.streams, strict=True):
            destination = aws.cloudwatch.LogDestination(
                f"{name}-{region}-{destination_name}",
                name=destination_name,
                region=region,
                role_arn=role.arn,
                target_arn=stream.arn,
                opts=pulumi.ResourceOptions.merge(
                    in_region,
                    pulumi.ResourceOptions(
                        depends_on=[role_policy, stream], protect=not deployment.hub_destroyable
                    ),
                ),
            )
            access = destination_access_policy(
                destination_arn(ctx, region, destination_name),
                deployment.spoke_account_ids,
                deployment.organization_id,
            )
            policies.append(
                aws.cloudwatch.LogDestinationPolicy(
                    f"{name}-{region}-{destination_name}",
                    destination_name=destination.name,
                    region=region,
                    access_policy=policy_json(access),
                    opts=in_region,
                )
            )
            destinations.append(destination)
        self.destinations[region] = destinations
        self.policies[region] = policies
        self.arns[region] = ",".join(
            destination_arn(ctx, region, n) for n in args.names.destinations
        )
