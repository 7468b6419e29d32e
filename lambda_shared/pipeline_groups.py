"""The reserved name prefix of every deployment's own log groups (transformer, subscriber, Firehose
error logs, the in-VPC content applier, the architecture publisher), so that no deployment ever
subscribes another's: the recursion guard that holds with any number of stacks in one account
and region (docs/decisions/subscriptions.md).

Every subscriber excludes these groups whatever its configuration; infra names each stack's
pipeline groups with `pipeline_log_group`, and an account policy (which takes exact names only)
excludes each by name (`infra.stack_names.StackNames.pipeline_log_groups`)."""

from __future__ import annotations

from typing import Final

PIPELINE_LOG_GROUP_PREFIX: Final = "/lambda-logs-pipeline/"


def pipeline_log_group(stack: str, component: str) -> str:
    """`/lambda-logs-pipeline/<stack>/<component>`, e.g. (`prod`, `transformer`)."""
    return f"{PIPELINE_LOG_GROUP_PREFIX}{stack}/{component}"


def is_pipeline_log_group(name: str) -> bool:
    """A group of some deployment's pipeline, this one's or any other's."""
    return name.startswith(PIPELINE_LOG_GROUP_PREFIX)
