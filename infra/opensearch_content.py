"""`OpenSearchContent`: applies `opensearch/` (index template, ISM policy, Firehose security role
and role mapping, notification channel, saved objects, monitors) to the domain on `pulumi up`.

A Pulumi dynamic resource does the work with opensearch-py (`opensearch.apply`), from the
deployer's machine; with the domain in a VPC, `infra/content_applier.py` applies the same
property bag from a function inside the VPC instead (`content_step` chooses). It re-applies
only when the content hash (rendered artifacts + settings) or the connection changes. Its inputs
are plain strings and numbers; the master user password and the webhook channels' URLs and
headers (`notification_secrets`) stay Pulumi secrets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi.dynamic

from opensearch.apply import ApplyResult, apply_content
from opensearch.artifacts import ContentSettings
from opensearch.content_props import (
    channel_secrets_from,
    channels_from,
    channels_json,
    connection_from,
    content_hash,
    secrets_json,
    settings_from,
)

__all__ = [
    "ContentProvider",
    "OpenSearchContent",
    "OpenSearchContentArgs",
    "channels_json",
    "content_hash",
    "dynamic_props",
    "secrets_json",
]

TYPE_TOKEN: Final = "lambdalogs:opensearch:Content"
CONNECTION_KEYS: Final = ("endpoint", "region", "master_user_name")
SECRET_OUTPUTS: Final = ["master_user_password", "notification_secrets"]
SECRET_KEYS: Final = ("notification_secrets",)  # a change re-applies; never in the hash


@dataclass(kw_only=True)
class OpenSearchContentArgs:
    """Inputs of `OpenSearchContent` (docs/interfaces.md)."""

    endpoint: pulumi.Input[str]
    region: str
    index_prefix: str = "lambda-logs"
    retention_days: int = 30
    shards: int = 1
    replicas: int = 1
    firehose_role_arn: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str] | None = None
    alerting_role_arn: pulumi.Input[str] | None = None
    master_user_name: pulumi.Input[str] | None = None
    master_user_password: pulumi.Input[str] | None = None
    notification_channels: str = ""
    """JSON list of the webhook channels, `[{"name": "ops", "type": "slack"}, ...]`
    (`channels_json`): names and types only, no URL."""
    notification_secrets: pulumi.Input[str] | None = None
    """Secret JSON object, each channel's `{"url", "headers", "method"}` by name
    (`secrets_json`)."""
    test_notification: bool = False


def apply(props: dict[str, Any], previous: dict[str, Any] | None = None) -> ApplyResult:
    """Apply the content of a property bag; `previous` is the state of the last apply."""
    return apply_content(
        connection_from(props),
        settings_from(props),
        channel_secrets=channel_secrets_from(props),
        previous_channel_ids=list((previous or {}).get("channel_ids") or []),
    )


def outputs(props: dict[str, Any], result: ApplyResult) -> dict[str, Any]:
    return {
        **props,
        "content_hash": result.content_hash,
        "monitor_ids": dict(result.monitor_ids),
        "saved_objects": result.saved_objects,
        "security": result.security,
        "channel_id": result.channel_id,
        "channel_ids": list(result.channel_ids),
    }


class ContentProvider(pulumi.dynamic.ResourceProvider):
    """create/update apply everything; diff compares the content hash and the connection."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        result = apply(props)
        return pulumi.dynamic.CreateResult(
            id_=f"{props['index_prefix']}-content", outs=outputs(props, result)
        )

    def diff(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        changed = [
            key
            for key in ("content_hash", *CONNECTION_KEYS, *SECRET_KEYS)
            if (_olds.get(key) or "") != (_news.get(key) or "")
        ]
        return pulumi.dynamic.DiffResult(
            changes=bool(changed), replaces=[], delete_before_replace=False
        )

    def update(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        result = apply(_news, _olds)
        return pulumi.dynamic.UpdateResult(outs=outputs(_news, result))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Leave the content: indices, dashboards and monitors outlive the stack's content
        resource (the domain's own deletion removes them)."""
        return


class ContentResource(pulumi.dynamic.Resource):
    content_hash: pulumi.Output[str]
    monitor_ids: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        full = {
            **props,
            "monitor_ids": None,
            "saved_objects": None,
            "security": None,
            "channel_id": None,
            "channel_ids": None,
        }
        super().__init__(ContentProvider(), name, full, opts)


def _plain(value: pulumi.Input[str] | None) -> pulumi.Input[str]:
    return "" if value is None else value


def dynamic_props(args: OpenSearchContentArgs) -> dict[str, Any]:
    """The dynamic resource's inputs: strings and numbers only; the hash computed from them."""
    static = ContentSettings(  # validates the plain settings at preview time
        index_prefix=args.index_prefix,
        shards=args.shards,
        replicas=args.replicas,
        retention_days=args.retention_days,
        channels=channels_from({"notification_channels": args.notification_channels}),
    )
    props: dict[str, Any] = {
        "endpoint": args.endpoint,
        "region": args.region,
        "index_prefix": static.index_prefix,
        "retention_days": static.retention_days,
        "shards": static.shards,
        "replicas": static.replicas,
        "firehose_role_arn": args.firehose_role_arn,
        "alarm_topic_arn": _plain(args.alarm_topic_arn),
        "alerting_role_arn": _plain(args.alerting_role_arn),
        "master_user_name": _plain(args.master_user_name),
        "master_user_password": pulumi.Output.secret(_plain(args.master_user_password)),
        "notification_channels": args.notification_channels or "[]",
        "notification_secrets": pulumi.Output.secret(_plain(args.notification_secrets)),
        "test_notification": args.test_notification,
    }
    hashed = pulumi.Output.all(
        props["firehose_role_arn"], props["alarm_topic_arn"], props["alerting_role_arn"]
    ).apply(
        lambda arns: content_hash(
            {
                **props,
                "firehose_role_arn": arns[0],
                "alarm_topic_arn": arns[1],
                "alerting_role_arn": arns[2],
            }
        )
    )
    return {**props, "content_hash": hashed}


class OpenSearchContent(pulumi.ComponentResource):
    """The OpenSearch content of the pipeline, applied to the domain at `args.endpoint`."""

    content_hash: pulumi.Output[str]
    monitor_ids: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: OpenSearchContentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.resource = ContentResource(
            f"{name}-apply",
            dynamic_props(args),
            pulumi.ResourceOptions(parent=self, additional_secret_outputs=SECRET_OUTPUTS),
        )
        self.content_hash = self.resource.content_hash
        self.monitor_ids = self.resource.monitor_ids
        self.register_outputs({"content_hash": self.content_hash, "monitor_ids": self.monitor_ids})
