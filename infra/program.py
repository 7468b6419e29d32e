"""The Pulumi program: configuration → packages → pipeline → stack outputs."""

from __future__ import annotations

from typing import NamedTuple

import pulumi
import pulumi_aws as aws

from infra.account_checks import AccountReaders, account_problems, raise_problems
from infra.alarm_relay import relays_alarms
from infra.aws_context import AwsContext
from infra.backfill_share import shared_backfill
from infra.deployment_config import check_rollout_accounts
from infra.function_environments import check_environment_sizes
from infra.hub_destinations import HubDestinations, HubDestinationsArgs
from infra.lambda_package import BuiltPackage
from infra.packages import PackageOptions, build_alarm_relay, build_subscriber, build_transformer
from infra.pipeline import Pipeline, PipelineArgs
from infra.rollout_checks import own_credentials_problem, rollout_problems
from infra.spoke import Spoke, SpokeArgs
from infra.spoke_rollout import SpokeRollout, SpokeRolloutArgs
from infra.stack_config import StackConfig, load_stack_config
from infra.stack_provider import StackProvider, stack_provider


def aws_context(config: StackConfig) -> AwsContext:
    caller = aws.get_caller_identity()
    return AwsContext.from_caller_arn(caller.arn, caller.account_id, config.region)


class _Built(NamedTuple):
    """What every part of the program shares: the packages' options, the caller's account and
    region, and the subscriber's package."""

    packages: PackageOptions
    ctx: AwsContext
    subscriber: BuiltPackage


def create_pipeline(config: StackConfig, built: _Built, stack: StackProvider) -> Pipeline:
    """Everything the stack deploys, under one component named after the prefix."""
    packages, ctx, subscriber = built
    return Pipeline(
        "lambda-logs",
        PipelineArgs(
            config=config,
            ctx=ctx,
            transformer_package=build_transformer(packages, config.functions.architecture),
            subscriber_package=subscriber,
            deployer=stack.deployer,
            relay_package=build_alarm_relay(packages) if relays_alarms(config.alarms) else None,
        ),
    )


def create_hub_destinations(
    config: StackConfig, ctx: AwsContext, pipeline: Pipeline
) -> HubDestinations:
    """A hub's destinations in every spoke region, wrapping the pipeline's streams."""
    return HubDestinations(
        "lambda-logs-hub",
        HubDestinationsArgs(
            ctx=ctx,
            names=config.names,
            deployment=config.deployment,
            streams=[delivery.stream for delivery in pipeline.deliveries],
        ),
        pulumi.ResourceOptions(parent=pipeline),
    )


def create_spoke(config: StackConfig, built: _Built, stack: StackProvider) -> Spoke:
    """Only what subscribes, pointed at the hub's destinations for this region."""
    _, ctx, subscriber = built
    return Spoke(
        "lambda-logs-spoke",
        SpokeArgs(
            config=config,
            ctx=ctx,
            subscriber_package=subscriber,
            deployer=stack.deployer,
        ),
    )


def roll_out_spokes(
    config: StackConfig,
    built: _Built,
    pipeline: Pipeline,
    hub: HubDestinations,
    stack: StackProvider,
) -> SpokeRollout | None:
    """`spokeDeployAccountIds`: the hub deploys a spoke into each account and spoke region."""
    if not config.deployment.spoke_deploy_account_ids:
        return None
    _, ctx, subscriber = built
    return SpokeRollout(
        "lambda-logs-rollout",
        SpokeRolloutArgs(
            config=config,
            ctx=ctx,
            hub=hub,
            bucket_name=pipeline.bucket_name,
            bucket_policy=pipeline.backup.policy,
            subscriber_package=subscriber,
            stack_provider=stack,
        ),
        pulumi.ResourceOptions(parent=pipeline),
    )


def export_spoke_outputs(spoke: Spoke) -> None:
    """Only what a spoke has: no domain, stream or bucket outputs."""
    if spoke.subscriber_name is not None:
        pulumi.export("subscriberFunctionName", spoke.subscriber_name)
    pulumi.export("hubDestinationArns", spoke.destination_arns)


def export_outputs(pipeline: Pipeline) -> None:
    pulumi.export("dashboardsUrl", pipeline.dashboards_url)
    pulumi.export("domainEndpoint", pipeline.domain_endpoint)
    pulumi.export("streamName", pipeline.stream_name)
    pulumi.export("streamArn", pipeline.stream_arn)
    pulumi.export("streamNames", pipeline.stream_names)
    pulumi.export("streamArns", pipeline.stream_arns)
    pulumi.export("bucketName", pipeline.bucket_name)
    pulumi.export("transformerFunctionName", pipeline.transformer_name)
    pulumi.export("subscriberFunctionName", pipeline.subscriber_name)
    pulumi.export("alarmTopicArn", pipeline.alarm_topic_arn)
    if pipeline.sso is not None:  # what the identity provider's administrator enters
        pulumi.export("samlServiceProviderEntityId", pipeline.sso.service_provider_entity_id)
        pulumi.export("samlAcsUrl", pipeline.sso.acs_url)
        pulumi.export("samlIdpInitiatedAcsUrl", pipeline.sso.idp_initiated_acs_url)


def check_before_anything(
    config: StackConfig, stack: StackProvider, readers: AccountReaders | None
) -> None:
    """The account checks (the hub's own, then every rolled-out member's), every problem listed
    at once; what they could not read is a Pulumi warning, said even when a problem stops the
    run."""
    read = readers or AccountReaders()
    warned: list[str] = []
    try:
        rolling_out = bool(config.deployment.spoke_deploy_account_ids)
        own = own_credentials_problem(stack, config.region, read) if rolling_out else None
        if own is not None:  # before the provider is asked anything (aws_context)
            raise_problems([own])
        problems = account_problems(config, stack.deployer, read, warned=warned)
        if rolling_out:
            ctx = aws_context(config)
            check_rollout_accounts(config.deployment, ctx.account_id)
            problems += rollout_problems(config, ctx, stack, read, warned)
        raise_problems(problems)
    finally:
        for warning in warned:
            pulumi.log.warn(warning)


def main(
    packages: PackageOptions | None = None, readers: AccountReaders | None = None
) -> Pipeline | Spoke:
    """`readers`: how the account's limits are read (AWS by default; offline under mocks)."""
    config, backfill_warning = shared_backfill(load_stack_config())  # a roll-out's share
    if backfill_warning:
        pulumi.log.warn(backfill_warning)
    check_environment_sizes(config)
    stack = stack_provider()  # aws:profile, aws:assumeRoles, tags: the program's own calls too
    for warning in stack.warnings():
        pulumi.log.warn(warning)
    check_before_anything(config, stack, readers)
    options = packages or PackageOptions.for_repository(config.functions.bundle_orjson)
    # the caller's account once, after its checks; the subscriber's zip once (account-policy
    # mode: the architecture publisher's), for the pipeline and every rolled-out spoke
    built = _Built(options, aws_context(config), build_subscriber(options))
    if not config.deployment.creates_pipeline:
        spoke = create_spoke(config, built, stack)
        export_spoke_outputs(spoke)
        return spoke
    pipeline = create_pipeline(config, built, stack)
    export_outputs(pipeline)
    if config.deployment.role == "hub":
        hub = create_hub_destinations(config, built.ctx, pipeline)
        pulumi.export("hubDestinations", hub.arns)
        pulumi.export("hubBackfillRoleArn", hub.backfill_role.arn)
        rollout = roll_out_spokes(config, built, pipeline, hub, stack)
        if rollout is not None:
            pulumi.export("rolledOutSpokes", rollout.rolled_out)
    return pipeline
