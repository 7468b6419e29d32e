"""The environment variables of the two functions (contracts in docs/interfaces.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pulumi

from infra.aws_context import AwsContext
from infra.config_errors import config_error
from infra.stack_config import StackConfig
from lambda_shared.environment import BACKFILL_RETRY_HOURS_DEFAULT
from lambda_shared.metrics import NAMESPACE as METRICS_NAMESPACE

ENVIRONMENT_MAX_BYTES: Final = 4 * 1024
"""Lambda quotas: "Environment variables: 4 KB", the total of every key and value of a
function; a larger environment makes CreateFunction/UpdateFunctionConfiguration fail."""
SOURCES: Final = {
    "LABEL_KEYS": "labelKeys",
    "TRACE_ID_KEYS": "traceIdKeys",
    "LOG_GROUP_PREFIXES": "logGroupPrefixes",
    "EXCLUDE_LOG_GROUPS": "excludeLogGroups",
    "FILTER_PATTERN": "filterPattern",
}
"""The variables whose length a configuration key decides."""
_LONGEST_ARN_PARTITION: Final = "aws-iso-b"
_LONGEST_ROLE_NAME: Final = "r" * 64
"""IAM role names are at most 64 characters."""


def transformer_environment(config: StackConfig) -> dict[str, str]:
    documents = config.documents
    return {
        "LABEL_KEYS": ",".join(documents.label_keys),
        "TRACE_ID_KEYS": ",".join(documents.trace_id_keys),
        "MAX_MESSAGE_BYTES": str(documents.max_message_bytes),
        "LOG_GROUP_PREFIXES": ",".join(config.subscription.log_group_prefixes),
        "METRICS_NAMESPACE": METRICS_NAMESPACE,
    }


def subscriber_environment(
    config: StackConfig,
    stream_arn: pulumi.Input[str],
    logs_role_arn: pulumi.Input[str],
    state_bucket: pulumi.Input[str],
) -> dict[str, pulumi.Input[str]]:
    """The user's exclusions and the pipeline's own groups, each passed once (the subscriber
    never subscribes either)."""
    subscription, names = config.subscription, config.names
    return {
        "DESTINATION_ARN": stream_arn,
        "ROLE_ARN": logs_role_arn,
        "FILTER_NAME": names.filter_name,
        "FILTER_PATTERN": subscription.filter_pattern,
        "LOG_GROUP_PREFIXES": ",".join(subscription.log_group_prefixes),
        "EXCLUDE_LOG_GROUPS": ",".join(subscription.exclude_log_groups),
        "PIPELINE_LOG_GROUPS": ",".join(names.pipeline_log_groups),
        "BACKFILL_LOOKBACK_HOURS": str(subscription.backfill_lookback_hours),
        "METRICS_NAMESPACE": METRICS_NAMESPACE,
        "BACKFILL_STATE_BUCKET": state_bucket,
        "BACKFILL_RETRY_HOURS": str(BACKFILL_RETRY_HOURS_DEFAULT),
    }


def _size(environment: Mapping[str, str]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in environment.items())


def _check_size(function: str, environment: Mapping[str, str]) -> None:
    size = _size(environment)
    if size <= ENVIRONMENT_MAX_BYTES:
        return
    longest = max((v for v in environment if v in SOURCES), key=lambda v: len(environment[v]))
    raise config_error(
        SOURCES[longest],
        f"makes the {function}'s environment {size} bytes, above Lambda's 4 KB "
        f"({ENVIRONMENT_MAX_BYTES} bytes) for all variables: list fewer or shorter items",
        "<shorter list>",
    )


def check_environment_sizes(config: StackConfig) -> None:
    """Raise ConfigError if a function's environment could exceed Lambda's 4 KB (the ARNs,
    unknown before deployment, are counted at their longest)."""
    ctx = AwsContext(_LONGEST_ARN_PARTITION, config.region, "123456789012")
    role_arn = ctx.arn("iam", f"role/{_LONGEST_ROLE_NAME}", regional=False)
    bucket = "b" * 63  # S3 bucket names are at most 63 characters
    subscriber = subscriber_environment(
        config, ctx.stream_arn(config.names.stream), role_arn, bucket
    )
    plain = {name: value for name, value in subscriber.items() if isinstance(value, str)}
    _check_size("transformer", transformer_environment(config))
    if config.subscription.mode == "reconciler":  # no subscriber function otherwise
        _check_size("subscriber", plain)
