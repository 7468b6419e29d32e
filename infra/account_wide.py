"""The account-wide CloudWatch Logs policies a standalone stack, a hub and a spoke build alike:
the subscription policy (account-policy mode), with its architecture publisher (no subscriber
publishes the map in that mode), and the data-protection policy (`maskSensitiveData`). Each
role passes its own destination and role."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from infra.account_checks import policy_name
from infra.account_policy import excluded_log_groups
from infra.account_subscription import AccountSubscription, AccountSubscriptionArgs
from infra.architecture_publisher import ArchitecturePublisher, PublisherArgs
from infra.aws_context import AwsContext
from infra.data_protection import DataProtection, DataProtectionArgs, data_protection_policy_name
from infra.lambda_package import BuiltPackage
from infra.stack_config import StackConfig


def account_subscription(
    name: str,
    config: StackConfig,
    parent: pulumi.Resource,
    *,
    destination_arn: pulumi.Input[str],
    role_arn: pulumi.Input[str] | None,
    wait_for: Sequence[pulumi.Resource] = (),
) -> AccountSubscription:
    """One policy per account and region, so one destination (stream 0, or the hub's first)."""
    return AccountSubscription(
        f"{name}-account-policy",
        AccountSubscriptionArgs(
            policy_name=policy_name(config),
            stream_arn=destination_arn,
            logs_role_arn=role_arn,
            filter_pattern=config.subscription.filter_pattern,
            excluded_log_groups=excluded_log_groups(
                config.subscription.exclude_log_groups, config.names.pipeline_log_groups
            ),
            wait_for=tuple(wait_for),
        ),
        pulumi.ResourceOptions(parent=parent),
    )


def architecture_publisher(
    name: str,
    config: StackConfig,
    ctx: AwsContext,
    parent: pulumi.Resource,
    package: BuiltPackage | None,
    bucket_name: pulumi.Input[str],
    bucket_region: str = "",
) -> ArchitecturePublisher | None:
    """Account-policy mode's hourly map publisher (infra/architecture_publisher.py), into
    `bucket_name` (a spoke: the hub's, in `bucket_region`); None without the subscriber's
    package or a bucket (a spoke without `hubBucketName`)."""
    if package is None or not bucket_name:
        return None
    return ArchitecturePublisher(
        f"{name}-architectures",
        PublisherArgs(config, ctx, package, bucket_name, bucket_region),
        pulumi.ResourceOptions(parent=parent),
    )


def data_protection(
    name: str, config: StackConfig, parent: pulumi.Resource, partition: str
) -> DataProtection | None:
    """The account's data-protection policy, when `maskSensitiveData` asks for one: in a spoke it
    masks before the events leave the account."""
    if not config.subscription.masked_data_identifiers:
        return None
    return DataProtection(
        f"{name}-data-protection",
        DataProtectionArgs(
            policy_name=data_protection_policy_name(config.names.prefix),
            identifiers=config.subscription.masked_data_identifiers,
            partition=partition,
        ),
        pulumi.ResourceOptions(parent=parent),
    )
