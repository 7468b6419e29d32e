"""The environment variables of the two functions (contracts in docs/interfaces.md)."""

from __future__ import annotations

import pulumi

from infra.config import StackConfig
from lambda_shared.metrics import NAMESPACE as METRICS_NAMESPACE


def transformer_environment(config: StackConfig) -> dict[str, str]:
    return {
        "LABEL_KEYS": ",".join(config.label_keys),
        "TRACE_ID_KEYS": ",".join(config.trace_id_keys),
        "MAX_MESSAGE_BYTES": str(config.max_message_bytes),
        "LOG_GROUP_PREFIXES": ",".join(config.log_group_prefixes),
        "METRICS_NAMESPACE": METRICS_NAMESPACE,
    }


def filter_name(config: StackConfig) -> str:
    """The subscription filter the pipeline owns in every group (fixed per stack)."""
    return config.resource_prefix


def excluded_log_groups(config: StackConfig) -> tuple[str, ...]:
    """User exclusions plus the pipeline's own groups (never subscribed: no loop)."""
    merged = list(config.exclude_log_groups)
    merged += [g for g in config.pipeline_log_groups if g not in merged]
    return tuple(merged)


def subscriber_environment(
    config: StackConfig, stream_arn: pulumi.Input[str], logs_role_arn: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    return {
        "DESTINATION_ARN": stream_arn,
        "ROLE_ARN": logs_role_arn,
        "FILTER_NAME": filter_name(config),
        "FILTER_PATTERN": config.filter_pattern,
        "LOG_GROUP_PREFIXES": ",".join(config.log_group_prefixes),
        "EXCLUDE_LOG_GROUPS": ",".join(excluded_log_groups(config)),
        "PIPELINE_LOG_GROUPS": ",".join(config.pipeline_log_groups),
        "BACKFILL_LOOKBACK_HOURS": str(config.backfill_lookback_hours),
        "METRICS_NAMESPACE": METRICS_NAMESPACE,
    }
