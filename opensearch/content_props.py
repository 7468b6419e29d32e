"""The content's property bag (`infra/opensearch_content.py`'s dynamic resource inputs, and the
in-VPC applier's payload): plain strings and numbers, read back into `ContentSettings`, the
`Connection` and the channels' secrets. One reader for both ways of applying the content, so
both hash and apply the same settings.

Keys: `endpoint`, `region`, `index_prefix`, `shards`, `replicas`, `retention_days`,
`firehose_role_arn`, `alarm_topic_arn`, `alerting_role_arn`, `notification_channels` (JSON list
of `{"name", "type"}`), `test_notification`, `master_user_name`; the secrets
`master_user_password` and `notification_secrets` (JSON object, each channel's `{"url",
"headers", "method"}` by name).
"""

from __future__ import annotations

import json
from typing import Any

from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.channels import ChannelSecret, ChannelSpec
from opensearch.connection import DEPLOYER_FIX, Connection


def channels_json(channels: tuple[ChannelSpec, ...]) -> str:
    return json.dumps([{"name": c.name, "type": c.type} for c in channels])


def secrets_json(secrets: dict[str, ChannelSecret]) -> str:
    return json.dumps(
        {
            name: {"url": s.url, "headers": dict(s.headers), "method": s.method}
            for name, s in sorted(secrets.items())
        }
    )


def channels_from(props: dict[str, Any]) -> tuple[ChannelSpec, ...]:
    raw = json.loads(str(props.get("notification_channels") or "[]"))
    return tuple(ChannelSpec(name=str(c["name"]), type=str(c["type"])) for c in raw)


def channel_secrets_from(props: dict[str, Any]) -> dict[str, ChannelSecret]:
    raw = json.loads(str(props.get("notification_secrets") or "{}"))
    return {
        str(name): ChannelSecret(
            url=str(v["url"]),
            headers={str(k): str(h) for k, h in dict(v.get("headers") or {}).items()},
            method=str(v.get("method") or "POST"),
        )
        for name, v in raw.items()
    }


def settings_from(props: dict[str, Any]) -> ContentSettings:
    """The content settings of a property bag (inputs or state)."""
    return ContentSettings(
        index_prefix=str(props["index_prefix"]),
        shards=int(props["shards"]),
        replicas=int(props["replicas"]),
        retention_days=int(props["retention_days"]),
        firehose_role_arn=str(props.get("firehose_role_arn") or ""),
        alarm_topic_arn=str(props.get("alarm_topic_arn") or ""),
        alerting_role_arn=str(props.get("alerting_role_arn") or ""),
        channels=channels_from(props),
        test_notification=bool(props.get("test_notification") or False),
    )


def connection_from(props: dict[str, Any], unreachable_fix: str = DEPLOYER_FIX) -> Connection:
    return Connection(
        endpoint=str(props["endpoint"]),
        region=str(props["region"]),
        user=str(props.get("master_user_name") or "") or None,
        password=str(props.get("master_user_password") or "") or None,
        unreachable_fix=unreachable_fix,
    )


def content_hash(props: dict[str, Any]) -> str:
    return load_artifacts(settings_from(props)).content_hash()
