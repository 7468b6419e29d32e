"""Two stacks in one account: neither subscribes the other's pipeline groups (no loop)."""

from __future__ import annotations

import boto3

from lambda_shared.pipeline_groups import pipeline_log_group
from tests.subscriptions.conftest import REGION, Aws
from tests.subscriptions.helpers import with_logging_config

RECONCILE = {"action": "reconcile"}
STACKS = ("prod", "staging")


def _stack_settings(aws: Aws, stack: str) -> dict[str, str]:
    """A stack of its own: its stream, filter name, and only its own pipeline groups listed."""
    stream = boto3.client("firehose", region_name=REGION).create_delivery_stream(
        DeliveryStreamName=f"logs-{stack}",
        ExtendedS3DestinationConfiguration={
            "RoleARN": aws.role_arn,
            "BucketARN": "arn:aws:s3:::lambda-logs-backup",
        },
    )["DeliveryStreamARN"]
    own = [pipeline_log_group(stack, part) for part in ("transformer", "subscriber", "firehose")]
    return {
        "DESTINATION_ARN": stream,
        "FILTER_NAME": f"logs-{stack}",
        "LOG_GROUP_PREFIXES": "",  # every group of the account, the widest selection
        "PIPELINE_LOG_GROUPS": ",".join(own),
        "AWS_LAMBDA_LOG_GROUP_NAME": own[1],
        "BACKFILL_LOOKBACK_HOURS": "0",
    }


def test_two_stacks_never_subscribe_each_others_pipeline_groups(aws: Aws) -> None:
    # GIVEN two stacks whose pipeline functions log to custom groups under the reserved prefix
    # (found by both subscribers through LoggingConfig), and an application group
    groups: dict[str, str] = {}
    for stack in STACKS:
        for part in ("transformer", "subscriber"):
            aws.function(f"{stack}-{part}")
            groups[f"{stack}-{part}"] = pipeline_log_group(stack, part)
        aws.group(pipeline_log_group(stack, "firehose"))
    for name in groups.values():
        aws.group(name)
    aws.group("/aws/lambda/checkout")
    aws.hooks.append(("after-call.lambda.ListFunctions", with_logging_config(groups)))
    settings = {stack: _stack_settings(aws, stack) for stack in STACKS}

    # WHEN each stack's subscriber reconciles, twice, in turn
    for _ in range(2):
        for stack in STACKS:
            aws.run(RECONCILE, settings=aws.settings(**settings[stack]))

    # THEN no pipeline group of either stack holds any filter; the application group both
    pipeline = [pipeline_log_group(s, p) for s in STACKS for p in ("transformer", "subscriber")]
    pipeline += [pipeline_log_group(s, "firehose") for s in STACKS]
    assert {name: aws.filters(name) for name in pipeline} == {name: {} for name in pipeline}
    assert set(aws.filters("/aws/lambda/checkout")) == {"logs-prod", "logs-staging"}
