"""Notification channels of the OpenSearch Notifications plugin (2.19) that the monitors' actions
go to: the pipeline's SNS topic, and Slack, Microsoft Teams, Chime, generic webhooks, and PagerDuty
and Opsgenie (webhooks whose actions send those APIs' JSON: `opensearch/incident_bodies.py`).

Config bodies (`POST _plugins/_notifications/configs`, `{"config_id", "config"}`), as
opensearch-project/common-utils 2.19 `notifications/model/` reads them (Slack.kt, Chime.kt,
MicrosoftTeams.kt, Webhook.kt, Sns.kt; also opensearch-api-specification
`notifications._common.yaml`): `{"name", "description", "config_type", "is_enabled",
"<config_type>": {...}}` with `slack`/`chime`/`microsoft_teams` `{"url"}`, `webhook`
`{"url", "header_params", "method"}` (method `POST`, `PUT` or `PATCH`) and `sns`
`{"topic_arn", "role_arn"}`. Ids accept only `[A-Za-z0-9+/_-]` (see `artifacts.CHANNEL_ID_RULE`).

A webhook's URL (and headers, which carry API keys) is a secret: it is never part of
`ContentSettings` (hashed, stored in plain state) but a `ChannelSecret` handed to the applier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

JsonObject = dict[str, Any]

WEBHOOK_TYPES: Final = ("slack", "microsoft_teams", "chime", "webhook")
INCIDENT_TYPES: Final = ("pagerduty", "opsgenie")
"""Sent as Notifications `webhook` configs; their actions' messages are the APIs' JSON bodies."""
CHANNEL_TYPES: Final = (*WEBHOOK_TYPES, *INCIDENT_TYPES)
METHODS: Final = ("POST", "PUT", "PATCH")
CHANNEL_NAME_RULE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TYPE_LABELS: Final = {
    "slack": "Slack",
    "microsoft_teams": "Microsoft Teams",
    "chime": "Amazon Chime",
    "webhook": "webhook",
    "pagerduty": "PagerDuty",
    "opsgenie": "Opsgenie",
}


@dataclass(frozen=True)
class ChannelSpec:
    """A webhook channel as the content sees it: its name (part of its id) and type."""

    name: str
    type: str

    def problems(self) -> list[str]:
        found = []
        if not CHANNEL_NAME_RULE.match(self.name):
            found.append(
                f"channel name {self.name!r} must be 1 to 40 lowercase letters, digits, '-' or "
                "'_', starting with a letter or digit"
            )
        if self.type not in CHANNEL_TYPES:
            found.append(f"channel type {self.type!r} must be one of {', '.join(CHANNEL_TYPES)}")
        return found


@dataclass(frozen=True)
class Destination:
    """Where a monitor action goes: a channel id, its label (the action is `notify <label>`),
    and how its message is sent (`text`, or the JSON body of `pagerduty` / `opsgenie`)."""

    id: str
    label: str
    kind: str = "text"
    name: str = ""


@dataclass(frozen=True)
class ChannelSecret:
    """What a webhook channel needs that must stay secret (a PagerDuty routing key travels as the
    `X-Routing-Key` header, an Opsgenie API key as `Authorization: GenieKey <key>`)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "POST"


def channel_id(base: str, spec: ChannelSpec) -> str:
    """`<prefix>-alarms-<name>`: the SNS channel's id (`base`) and the channel's name."""
    return f"{base}-{spec.name}"


def label(spec: ChannelSpec) -> str:
    return f"{TYPE_LABELS[spec.type]} channel {spec.name}"


def webhook_config(index_prefix: str, spec: ChannelSpec, secret: ChannelSecret) -> JsonObject:
    """The `config` of a Slack, Teams, Chime, generic webhook, PagerDuty or Opsgenie channel (the
    last two are `webhook` configs)."""
    config_type = "webhook" if spec.type in INCIDENT_TYPES else spec.type
    body: JsonObject = {"url": secret.url}
    if config_type == "webhook":
        body = {"url": secret.url, "header_params": dict(secret.headers), "method": secret.method}
    return {
        "name": f"{index_prefix} alarms ({label(spec)})",
        "description": f"Lambda log alerts of {index_prefix}, to the {label(spec)}",
        "config_type": config_type,
        "is_enabled": True,
        config_type: body,
    }


def destination(base: str, spec: ChannelSpec) -> Destination:
    kind = spec.type if spec.type in INCIDENT_TYPES else "text"
    return Destination(channel_id(base, spec), label(spec), kind, spec.name)


def sns_config(index_prefix: str, topic_arn: str, role_arn: str) -> JsonObject:
    return {
        "name": f"{index_prefix} alarms (SNS)",
        "description": "Lambda log alerts of lambda-logs-opensearch, to the pipeline's SNS topic",
        "config_type": "sns",
        "is_enabled": True,
        "sns": {"topic_arn": topic_arn, "role_arn": role_arn},
    }


def redacted(text: str, secrets: Mapping[str, ChannelSecret]) -> str:
    """`text` with every secret URL and header value replaced (for error messages)."""
    for secret in secrets.values():
        for value in (secret.url, *secret.headers.values(), *_key_parts(secret)):
            if value:
                text = text.replace(value, "<secret>")
    return text


def _key_parts(secret: ChannelSecret) -> list[str]:
    """The bare keys inside `GenieKey <key>`-style header values (redacted on their own too)."""
    return [v.split(" ", 1)[1] for v in secret.headers.values() if " " in v]
