"""The environment variables of the two functions (contracts in docs/interfaces.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, overload

import pulumi

from infra.aws_context import AwsContext
from infra.config_errors import config_error
from infra.config_keys import KEYS
from infra.stack_config import StackConfig
from infra.subscriber_stop import STOP_VALUE_RESERVE
from lambda_shared.environment import (
    ARCHITECTURE_BUCKET,
    ARCHITECTURE_BUCKET_REGION,
    BACKFILL_LOOKBACK_HOURS,
    BACKFILL_RETRY_HOURS_DEFAULT,
    BACKFILL_ROLE_ARN,
    BACKFILL_STREAM_ARNS,
    DELIVERY_STREAM_NAMES,
    SUBSCRIBER_VARIABLES,
    TRANSFORMER_VARIABLES,
    Variable,
)
from lambda_shared.metrics import NAMESPACE as METRICS_NAMESPACE

ENVIRONMENT_MAX_BYTES: Final = 4 * 1024
"""Lambda quotas: "Environment variables: 4 KB", the total of every key and value of a
function; a larger environment makes CreateFunction/UpdateFunctionConfiguration fail."""
SOURCES: Final = {k.variable.name: k.name for k in KEYS if k.variable}
"""The variables a configuration key decides, and that key (`ConfigKey.variable`)."""
_LONGEST_ARN_PARTITION: Final = "aws-iso-b"
_LONGEST_ROLE_NAME: Final = "r" * 64
"""IAM role names are at most 64 characters."""
_LONGEST_BUCKET: Final = "b" * 63
"""S3 bucket names are at most 63 characters."""


def _from_keys(config: StackConfig, variables: tuple[Variable, ...]) -> dict[str, str]:
    """The variables of `variables` that a configuration key decides, as validated."""
    return {v.name: config.variables[v.name] for v in variables if v.name in config.variables}


@overload
def transformer_environment(config: StackConfig, bucket: str = ...) -> dict[str, str]: ...


@overload
def transformer_environment(
    config: StackConfig, bucket: pulumi.Output[str]
) -> dict[str, pulumi.Input[str]]: ...


def transformer_environment(
    config: StackConfig, bucket: pulumi.Input[str] = _LONGEST_BUCKET
) -> dict[str, pulumi.Input[str]] | dict[str, str]:
    """The configuration keys' variables (`ConfigKey.variable`), the streams it re-ingests
    into when there are several (one: the stream each record came from), and the bucket of the
    subscribers' architecture maps."""
    environment: dict[str, pulumi.Input[str]] = {**_from_keys(config, TRANSFORMER_VARIABLES)}
    if config.names.stream_count > 1:
        environment[DELIVERY_STREAM_NAMES.name] = ",".join(config.names.streams)
    environment[ARCHITECTURE_BUCKET.name] = bucket
    return {**environment, "METRICS_NAMESPACE": METRICS_NAMESPACE}


def _joined(values: Sequence[pulumi.Input[str]]) -> pulumi.Input[str]:
    """`values` comma-separated, as text when they all are, else as one Output."""
    texts = [value for value in values if isinstance(value, str)]
    if len(texts) == len(values):
        return ",".join(texts)
    return pulumi.Output.all(*values).apply(lambda resolved: ",".join(resolved))


def subscriber_environment(
    config: StackConfig,
    stream_arns: Sequence[pulumi.Input[str]],
    logs_role_arn: pulumi.Input[str],
    state_bucket: pulumi.Input[str],
) -> dict[str, pulumi.Input[str]]:
    """The keys' variables, and what the stack itself decides: the resources it created (every
    stream's ARN, in the order of `config.names.streams`), its filter's name and its own log
    groups (the subscriber never subscribes them)."""
    names = config.names
    return {
        **_from_keys(config, SUBSCRIBER_VARIABLES),
        "DESTINATION_ARN": _joined(stream_arns),
        "ROLE_ARN": logs_role_arn,
        "FILTER_NAME": names.filter_name,
        "PIPELINE_LOG_GROUPS": ",".join(names.pipeline_log_groups),
        "METRICS_NAMESPACE": METRICS_NAMESPACE,
        "BACKFILL_STATE_BUCKET": state_bucket,
        ARCHITECTURE_BUCKET.name: state_bucket,
        "BACKFILL_RETRY_HOURS": str(BACKFILL_RETRY_HOURS_DEFAULT),
    }


def spoke_subscriber_environment(config: StackConfig) -> dict[str, str]:
    """A spoke's subscriber: filters to the hub's destinations (DESTINATION_ARN, in stream
    order), no ROLE_ARN (a cross-account destination takes none: the variable is omitted), no
    state bucket. With the hub's bucket (`hubBucketName`) it publishes its architecture map
    there, in the hub's region (that of `hubStreamArns`); with the hub's backfill role
    (`hubBackfillRoleArn`) it backfills into the hub's streams, else backfill is off
    (BACKFILL_LOOKBACK_HOURS 0), docs/organisation.md."""
    names, deployment = config.names, config.deployment
    environment = {
        **_from_keys(config, SUBSCRIBER_VARIABLES),
        "DESTINATION_ARN": ",".join(deployment.hub_destination_arns),
        "FILTER_NAME": names.filter_name,
        "PIPELINE_LOG_GROUPS": ",".join(names.pipeline_log_groups),
        "METRICS_NAMESPACE": METRICS_NAMESPACE,
    }
    if deployment.hub_bucket_name:
        environment[ARCHITECTURE_BUCKET.name] = deployment.hub_bucket_name
        environment[ARCHITECTURE_BUCKET_REGION.name] = deployment.hub_region
    if deployment.hub_backfill_role_arn:
        environment[BACKFILL_ROLE_ARN.name] = deployment.hub_backfill_role_arn
        environment[BACKFILL_STREAM_ARNS.name] = ",".join(deployment.hub_stream_arns)
    else:
        environment[BACKFILL_LOOKBACK_HOURS.name] = "0"
    return environment


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
    if not config.deployment.creates_pipeline:
        if config.subscription.mode == "reconciler":
            _check_size(
                "subscriber", {**spoke_subscriber_environment(config), **STOP_VALUE_RESERVE}
            )
        return
    ctx = AwsContext(_LONGEST_ARN_PARTITION, config.region, "123456789012")
    role_arn = ctx.arn("iam", f"role/{_LONGEST_ROLE_NAME}", regional=False)
    bucket = _LONGEST_BUCKET
    stream_arns = [ctx.stream_arn(stream) for stream in config.names.streams]
    subscriber = subscriber_environment(config, stream_arns, role_arn, bucket)
    plain = {name: value for name, value in subscriber.items() if isinstance(value, str)}
    _check_size("transformer", transformer_environment(config))
    if config.subscription.mode == "reconciler":  # no subscriber function otherwise
        _check_size("subscriber", {**plain, **STOP_VALUE_RESERVE})  # what a destroy adds
