"""Wires the OpenSearch content component (`infra/opensearch_content.py`, written separately)
when it exists; the stack still deploys, without content, when it does not."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pulumi

CONTENT_MODULE = "infra.opensearch_content"


def content_module() -> ModuleType | None:
    """The content module, or None when it is not in this checkout."""
    try:
        return importlib.import_module(CONTENT_MODULE)
    except ModuleNotFoundError as error:
        if error.name != CONTENT_MODULE:
            raise
        return None


@dataclass(frozen=True)
class ContentInputs:
    endpoint: pulumi.Input[str]
    region: str
    index_prefix: str
    retention_days: int
    shards: int
    replicas: int
    firehose_role_arn: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str] | None
    alerting_role_arn: pulumi.Input[str] | None
    master_user_name: pulumi.Input[str] | None
    master_user_password: pulumi.Input[str] | None


def create_content(
    name: str, inputs: ContentInputs, opts: pulumi.ResourceOptions
) -> pulumi.ComponentResource | None:
    """`OpenSearchContent(name, OpenSearchContentArgs(...), opts)`, or None without the module."""
    module = content_module()
    if module is None:
        pulumi.log.warn(
            f"{CONTENT_MODULE} is missing: the index template, ISM policy, Firehose role mapping, "
            "dashboards and monitors are not applied"
        )
        return None
    password = (
        pulumi.Output.secret(inputs.master_user_password)
        if inputs.master_user_password is not None
        else None
    )
    args: Any = module.OpenSearchContentArgs(
        endpoint=inputs.endpoint,
        region=inputs.region,
        index_prefix=inputs.index_prefix,
        retention_days=inputs.retention_days,
        shards=inputs.shards,
        replicas=inputs.replicas,
        firehose_role_arn=inputs.firehose_role_arn,
        alarm_topic_arn=inputs.alarm_topic_arn,
        alerting_role_arn=inputs.alerting_role_arn,
        master_user_name=inputs.master_user_name,
        master_user_password=password,
    )
    component: pulumi.ComponentResource = module.OpenSearchContent(name, args, opts)
    return component
