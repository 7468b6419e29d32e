"""A hub that deploys its spokes itself (`spokeDeployAccountIds`, docs/organisation.md, "One
pulumi up for the whole organisation"): for every listed account and every spoke region, an AWS
provider assuming `spokeDeployRoleName` in that account, and under it the same `Spoke` a
per-account `pulumi up` builds, configured from the hub's own names and outputs.

AWS facts relied on: an AWS provider's `assume_roles` makes every call of the resources under it
with that role's temporary credentials (STS AssumeRole), and `allowed_account_ids` makes the
provider refuse to act in any other account; AWS Organizations creates
`OrganizationAccountAccessRole` in an account it creates, trusting the management account (a
hub in another account needs that trust extended to its deployer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.deployer import AssumedRole
from infra.deployment_config import DeploymentConfig
from infra.hub_destinations import HubDestinations, destination_arn
from infra.lambda_package import BuiltPackage
from infra.spoke import Spoke, SpokeArgs
from infra.spoke_role_names import hub_backfill_role_arn
from infra.spoke_role_names import role_arn as iam_role_arn
from infra.stack_config import StackConfig
from infra.stack_provider import StackProvider

ROLLOUT_SESSION_NAME: Final = "lambda-logs-spoke-rollout"
"""The provider's AssumeRole session name (CloudTrail shows it in the member account)."""
ACCOUNT_POLICY: Final = "account-policy"
"""`rolledOutSpokes`' value for a spoke in account-policy mode (no subscriber function)."""


@dataclass(frozen=True)
class SpokeRolloutArgs:
    config: StackConfig
    """The hub's."""
    ctx: AwsContext
    """The hub's account, partition and region."""
    hub: HubDestinations
    bucket_name: pulumi.Output[str]
    """The hub's bucket (auto-named: known only as an output)."""
    subscriber_package: BuiltPackage | None
    bucket_policy: pulumi.Resource | None = None
    """The policy admitting the spokes' architecture maps into that bucket: the spoke's first
    reconcile writes its map there, so the spoke waits for it."""
    stack_provider: StackProvider = field(default_factory=StackProvider)
    """The stack's own provider settings the spokes' providers copy (infra/stack_provider.py)."""


def deploy_role_arn(ctx: AwsContext, account: str, role_name: str) -> str:
    return iam_role_arn(ctx.partition, account, role_name)


def spoke_config(hub: StackConfig, ctx: AwsContext, region: str) -> StackConfig:
    """The hub's configuration as a spoke of it in `region`: the hub's destinations there in
    stream order, its streams, its backfill role (every name is the hub's, so every ARN is
    known; the spoke's subscriber role takes the hub's tag from that role's ARN, as a hand-run
    spoke's does: infra/spoke_role_names.py); the bucket is auto-named, so it is given to the
    spoke as an output instead."""
    names = hub.names
    deployment = DeploymentConfig(
        role="spoke",
        hub_destination_arns=tuple(destination_arn(ctx, region, n) for n in names.destinations),
        hub_stream_arns=tuple(ctx.stream_arn(stream) for stream in names.streams),
        hub_backfill_role_arn=hub_backfill_role_arn(ctx.partition, ctx.account_id, names.prefix),
    )
    return replace(hub, region=region, deployment=deployment)


class SpokeRollout(pulumi.ComponentResource):
    rolled_out: dict[str, pulumi.Input[str]]
    """`<account>/<region>` → the subscriber's function name, or `account-policy`."""

    def __init__(
        self, name: str, args: SpokeRolloutArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:hub:SpokeRollout", name, None, opts)
        self.rolled_out = {}
        deployment = args.config.deployment
        for account in deployment.spoke_deploy_account_ids:
            for region in deployment.spoke_regions:
                self._spoke(name, args, account, region)
        self.register_outputs({"rolled_out": self.rolled_out})

    def _account_provider(
        self, name: str, account: str, region: str, role_arn: str, args: SpokeRolloutArgs
    ) -> aws.Provider:
        """Acting in `account` only, as the stack's provider would (its profile, its own role
        chain, its default and ignored tags), then as the account's deploy role."""
        stack = args.stack_provider
        tags, ignored = stack.default_tags, stack.ignore_tags
        return aws.Provider(
            name,
            region=region,
            allowed_account_ids=[account],
            assume_roles=_chain(stack, role_arn),
            profile=stack.deployer.profile,
            default_tags=aws.ProviderDefaultTagsArgs(tags=dict(tags)) if tags else None,
            ignore_tags=aws.ProviderIgnoreTagsArgs(**ignored) if ignored else None,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _spoke(self, name: str, args: SpokeRolloutArgs, account: str, region: str) -> None:
        ctx, deployment = args.ctx, args.config.deployment
        role_arn = deploy_role_arn(ctx, account, deployment.spoke_deploy_role_name)
        provider = self._account_provider(
            f"{name}-{account}-{region}", account, region, role_arn, args
        )
        hub = _hub_resources(args, region)
        spoke = Spoke(
            # Short: its children's auto-names (logical name + 8 random characters) must stay
            # within AWS's 64 characters for rules and roles (`…-subscriber-log-groups`).
            f"{account}-{region}",
            SpokeArgs(
                config=spoke_config(args.config, ctx, region),
                ctx=AwsContext(ctx.partition, region, account),
                subscriber_package=args.subscriber_package,
                deployer=args.stack_provider.deployer,
                hub_bucket_name=args.bucket_name,
                depends_on=hub,
                assume_role_arn=role_arn,
            ),
            pulumi.ResourceOptions(
                parent=self,
                providers=[provider],
                depends_on=list(hub),
            ),
        )
        self.rolled_out[f"{account}/{region}"] = (
            spoke.subscriber_name if spoke.subscriber_name is not None else ACCOUNT_POLICY
        )


def _chain(stack: StackProvider, role_arn: str) -> Any:
    """The stack provider's own roles, then the account's deploy role; a secret when the stack
    has a chain (an external id or a session policy may be in it), as the invocations keep
    theirs: a provider's inputs are stored in the state, and only its own credentials
    (access_key, secret_key, token) are secret there."""
    roles = [
        *map(_provider_role, stack.deployer.roles),
        aws.ProviderAssumeRoleArgs(role_arn=role_arn, session_name=ROLLOUT_SESSION_NAME),
    ]
    return pulumi.Output.secret(roles) if stack.deployer.roles else roles


def _provider_role(role: AssumedRole) -> aws.ProviderAssumeRoleArgs:
    """A role of the stack provider's `aws:assumeRoles`, as a rolled-out provider assumes it."""
    return aws.ProviderAssumeRoleArgs(
        role_arn=role.role_arn,
        session_name=role.session_name,
        external_id=role.external_id,
        duration=f"{role.duration_seconds}s" if role.duration_seconds else None,
        source_identity=role.source_identity,
        policy=role.policy,
        policy_arns=list(role.policy_arns) or None,
        tags=dict(role.tags) or None,
        transitive_tag_keys=list(role.transitive_tag_keys) or None,
    )


def _hub_resources(args: SpokeRolloutArgs, region: str) -> tuple[pulumi.Resource, ...]:
    """The destinations the spoke points at, the policies admitting it, the backfill role it
    assumes and the bucket policy admitting its map: created before the spoke, deleted after it
    (so its filters are removed while they still exist)."""
    hub = args.hub
    resources: Sequence[pulumi.Resource] = [
        *hub.destinations[region],
        *hub.policies[region],
        hub.backfill_role.role,  # the first reconcile may backfill through it
        hub.backfill_role.policy,
        *([args.bucket_policy] if args.bucket_policy is not None else []),
    ]
    return tuple(resources)
