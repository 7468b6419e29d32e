"""`deliveryStreams`: what `pulumi up` refuses, and the names and variables N streams give."""

from __future__ import annotations

import pytest

from infra.config_errors import ConfigError
from infra.function_environments import subscriber_environment, transformer_environment
from infra.stack_config import StackConfig
from infra.stack_names import MAX_DELIVERY_STREAMS
from tests.infra.harness import base_config

REGION = "eu-west-1"


def _config(**values: str) -> StackConfig:
    return StackConfig.from_values({**base_config(), **values}, stack="dev", region=REGION)


@pytest.mark.parametrize("count", ["0", "-1", "two", "1.5", ""])
def test_a_count_that_is_not_a_whole_number_from_1_is_refused_with_the_fix(count: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _config(deliveryStreams=count)
    message = str(raised.value)
    assert "deliveryStreams" in message
    assert "pulumi config set deliveryStreams 1" in message


def test_more_streams_than_a_stack_runs_says_to_raise_the_quota_instead() -> None:
    with pytest.raises(ConfigError) as raised:
        _config(deliveryStreams=str(MAX_DELIVERY_STREAMS + 1))
    message = str(raised.value)
    assert f"above the {MAX_DELIVERY_STREAMS} delivery streams" in message
    assert "quota" in message
    assert f"pulumi config set deliveryStreams {MAX_DELIVERY_STREAMS}" in message


def test_the_streams_and_their_error_groups_are_named_from_the_prefix() -> None:
    names = _config(deliveryStreams="3", resourcePrefix="logs-prod").names
    assert names.streams == ("logs-prod", "logs-prod-2", "logs-prod-3")
    assert names.firehose_log_groups == (
        "/lambda-logs-pipeline/logs-prod/firehose",
        "/lambda-logs-pipeline/logs-prod/firehose-2",
        "/lambda-logs-pipeline/logs-prod/firehose-3",
    )
    assert names.pipeline_log_groups == (
        "/lambda-logs-pipeline/logs-prod/transformer",
        "/lambda-logs-pipeline/logs-prod/subscriber",
        *names.firehose_log_groups,
        "/lambda-logs-pipeline/logs-prod/content-applier",
        "/lambda-logs-pipeline/logs-prod/architectures",
        "/lambda-logs-pipeline/logs-prod/alarm-relay",
    )


def test_account_policy_exclusions_are_checked_with_every_streams_error_group() -> None:
    # GIVEN exclusions that fit the policy's 25 KB with 1 stream's groups but not with 7
    config = _config(deliveryStreams="1", subscriptionMode="account-policy")
    room = 25 * 1024 - len(f"LogGroupName NOT IN {list(config.names.pipeline_log_groups)}")
    width = 500
    padding = ",".join(f"/aws/lambda/{'x' * (width - 14)}{i:03d}" for i in range(room // width))
    _config(deliveryStreams="1", subscriptionMode="account-policy", excludeLogGroups=padding)
    # WHEN the stack runs 7 streams THEN their groups count too, and the key is blamed
    with pytest.raises(ConfigError) as raised:
        _config(
            deliveryStreams=str(MAX_DELIVERY_STREAMS),
            subscriptionMode="account-policy",
            excludeLogGroups=padding,
        )
    assert "excludeLogGroups" in str(raised.value)


def test_stream_variables_are_in_routing_order() -> None:
    config = _config(deliveryStreams="3")
    arns = [
        f"arn:aws:firehose:{REGION}:123456789012:deliverystream/{n}" for n in config.names.streams
    ]
    subscriber = subscriber_environment(config, arns, "arn:aws:iam::123456789012:role/r", "b")
    assert subscriber["DESTINATION_ARN"] == ",".join(arns)
    transformer = transformer_environment(config)
    assert (
        transformer["DELIVERY_STREAM_NAMES"]
        == "lambda-logs-dev,lambda-logs-dev-2,lambda-logs-dev-3"
    )
