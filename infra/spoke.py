"""A spoke: only what subscribes this account's log groups to the hub's destinations for this
region — the subscriber (reconciler mode) or the account-level subscription policy
(docs/organisation.md). No domain, stream, bucket, transformer or OpenSearch content."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.account_subscription import AccountSubscription
from infra.account_wide import account_subscription, architecture_publisher, data_protection
from infra.architecture_publisher import ArchitecturePublisher
from infra.aws_context import AwsContext
from infra.data_protection import DataProtection
from infra.deployer import Deployer
from infra.function_environments import spoke_subscriber_environment
from infra.hub_policies import spoke_subscriber_permissions
from infra.lambda_package import BuiltPackage
from infra.packages import SUBSCRIBER_HANDLER
from infra.python_function import PythonFunctionArgs, policy_json
from infra.spoke_role_names import hub_tag, spoke_hub_identity, spoke_subscriber_role_name
from infra.stack_config import StackConfig
from infra.subscriber import Subscriber, SubscriberArgs
from lambda_shared.environment import ARCHITECTURE_BUCKET, ARCHITECTURE_BUCKET_REGION


@dataclass(frozen=True)
class SpokeArgs:
    config: StackConfig
    ctx: AwsContext
    subscriber_package: BuiltPackage | None
    """The subscriber's (account-policy mode: the architecture publisher's); None: neither."""
    deployer: Deployer | None = None
    hub_bucket_name: pulumi.Output[str] | None = None
    """The hub's bucket when it is known only as an output (a spoke the hub deploys itself,
    infra/spoke_rollout.py); None: `config.deployment.hub_bucket_name`."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """What must exist while the filters or the account policy do (the hub's destinations and
    their policies, when the hub deploys the spoke): deleted after them on destroy."""
    assume_role_arn: str | None = None
    """The role the subscriber's deploy/destroy-time invocation runs as (in the spoke's
    account, when the hub deploys it); None: the deployer."""


class Spoke(pulumi.ComponentResource):
    subscriber: Subscriber | None
    account_subscription: AccountSubscription | None
    subscriber_name: pulumi.Output[str] | None
    destination_arns: list[str]
    data_protection: DataProtection | None
    architecture_publisher: ArchitecturePublisher | None

    def __init__(
        self, name: str, args: SpokeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:spoke:Spoke", name, None, opts)
        config = args.config
        bucket: pulumi.Input[str] = (
            args.hub_bucket_name
            if args.hub_bucket_name is not None
            else config.deployment.hub_bucket_name
        )
        self.destination_arns = list(config.deployment.hub_destination_arns)
        self.subscriber, self.account_subscription, self.subscriber_name = None, None, None
        self.architecture_publisher = None
        if config.subscription.mode == "reconciler":
            self.subscriber = self._subscriber(name, args, bucket)
            self.subscriber_name = self.subscriber.function.function.name
        else:
            self.account_subscription = account_subscription(
                name,
                config,
                self,
                destination_arn=self.destination_arns[0],
                role_arn=None,
                wait_for=args.depends_on,
            )
            deployment = config.deployment  # the publisher writes to the hub's bucket
            self.architecture_publisher = architecture_publisher(
                name,
                config,
                args.ctx,
                self,
                args.subscriber_package,
                bucket,
                deployment.hub_region,
            )
        self.data_protection = data_protection(name, config, self, args.ctx.partition)
        self.register_outputs(
            {"subscriber_name": self.subscriber_name, "destination_arns": self.destination_arns}
        )

    def _subscriber(self, name: str, args: SpokeArgs, bucket: pulumi.Input[str]) -> Subscriber:
        config, ctx = args.config, args.ctx
        if args.subscriber_package is None:
            raise ValueError("reconciler mode needs the subscriber package")
        deployment = config.deployment
        environment: dict[str, pulumi.Input[str]] = dict(spoke_subscriber_environment(config))
        if args.hub_bucket_name is not None:  # as spoke_subscriber_environment, from an output
            environment[ARCHITECTURE_BUCKET.name] = args.hub_bucket_name
            environment[ARCHITECTURE_BUCKET_REGION.name] = deployment.hub_region

        def policy(bucket: str) -> str:
            return policy_json(
                spoke_subscriber_permissions(
                    ctx,
                    destination_arns=self.destination_arns,
                    function_name=config.names.subscriber,
                    log_group_name=config.names.subscriber_log_group,
                    hub_bucket_arn=f"arn:{ctx.partition}:s3:::{bucket}" if bucket else "",
                    backfill_role_arn=deployment.hub_backfill_role_arn,
                )
            )

        # named, never auto-named: the hub's backfill role trusts this name (and its hub's tag)
        identity = spoke_hub_identity(
            deployment.hub_backfill_role_arn, deployment.hub_destination_arns
        )
        role_name = spoke_subscriber_role_name(ctx.region, hub_tag(identity))
        return Subscriber(
            f"{name}-subscriber",
            SubscriberArgs(
                function=PythonFunctionArgs(
                    function_name=config.names.subscriber,
                    log_group_name=config.names.subscriber_log_group,
                    handler=SUBSCRIBER_HANDLER,
                    package=args.subscriber_package,
                    shared=config.functions,
                    size=config.functions.subscriber,
                    environment=environment,
                    policy=pulumi.Output.from_input(bucket).apply(policy),
                    description="Subscribes every Lambda log group to the hub's destination",
                    role_name=role_name,
                ),
                schedule=config.subscription.reconcile_schedule,
                region=ctx.region,
                deployer=args.deployer,
                reserved_concurrency=config.functions.subscriber_reserved_concurrency,
                invocation_depends_on=args.depends_on,
                assume_role_arn=args.assume_role_arn,
            ),
            pulumi.ResourceOptions(parent=self),
        )
