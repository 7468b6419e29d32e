"""The environment variables of the two functions (contracts in docs/interfaces.md)."""

from __future__ import annotations

from typing import Final

import pulumi

from infra.stack_config import StackConfig

METRICS_NAMESPACE: Final = "LambdaLogs"


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
    config: StackConfig, stream_arn: pulumi.Input[str], logs_role_arn: pulumi.Input[str]
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
    }
