"""The payload `pulumi up` invokes the in-VPC applier with, for the handler and package tests."""

from __future__ import annotations

from typing import Any

from opensearch.channels import ChannelSecret, ChannelSpec
from opensearch.content_props import channels_json, content_hash, secrets_json

PASSWORD = "Secret-1"
SLACK = "https://hooks.slack.com/services/T0/B0/applier-secret"
TEAMS = "https://example.webhook.office.com/webhookb2/x/IncomingWebhook/teams-secret"
CHANNELS = (ChannelSpec("ops", "slack"), ChannelSpec("teams", "microsoft_teams"))


def payload(url: str, channels: tuple[ChannelSpec, ...] = CHANNELS, **extra: Any) -> dict[str, Any]:
    """What `pulumi up` invokes the applier with: the content property bag and its hash."""
    props: dict[str, Any] = {
        "endpoint": url,
        "region": "eu-west-1",
        "index_prefix": "lambda-logs",
        "retention_days": 30,
        "shards": 2,
        "replicas": 1,
        "firehose_role_arn": "arn:aws:iam::123456789012:role/lambda-logs-firehose",
        "alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:lambda-logs-alarms",
        "alerting_role_arn": "arn:aws:iam::123456789012:role/lambda-logs-alerting",
        "master_user_name": "admin",
        "master_user_password": PASSWORD,
        "notification_channels": channels_json(channels),
        "notification_secrets": secrets_json(
            {"ops": ChannelSecret(SLACK), "teams": ChannelSecret(TEAMS)}
        ),
        "test_notification": False,
        **extra,
    }
    props["content_hash"] = content_hash(props)
    return props
