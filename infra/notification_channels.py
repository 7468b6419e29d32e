"""The `notificationChannels` configuration: the channels (Slack, Microsoft Teams, Chime, generic
webhooks, PagerDuty, Opsgenie) every monitor notifies besides the SNS topic.

The value is a JSON list, stored as a Pulumi secret (a webhook URL is a credential: whoever has
it can post to the channel):

    [{"name": "ops", "type": "slack", "url": "https://hooks.slack.com/services/..."},
     {"name": "pager", "type": "webhook", "url": "https://...", "headers": {"X-Key": "..."}}]

    [{"name": "oncall", "type": "pagerduty", "routingKey": "<Events API v2 integration key>"},
     {"name": "genie", "type": "opsgenie", "apiKey": "<API integration key>", "region": "eu"}]

`name` (default: the type) is part of the channel id `<prefix>-alarms-<name>`; `headers` and
`method` (`POST`, `PUT`, `PATCH`) are for `webhook` only. `pagerduty` and `opsgenie` take no URL:
they post to the Events API v2 (`https://events.pagerduty.com/v2/enqueue`, the routing key in the
body and as `X-Routing-Key`) and to the Alert API (`https://api.opsgenie.com/v2/alerts`, with
`region` `eu`: `https://api.eu.opsgenie.com/v2/alerts`; `Authorization: GenieKey <apiKey>`), as
`opensearch/incident_bodies.py` describes. Errors never repeat a URL, header or key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from infra.config_errors import ConfigError, config_error
from opensearch.channels import (
    CHANNEL_NAME_RULE,
    CHANNEL_TYPES,
    INCIDENT_TYPES,
    METHODS,
    ChannelSecret,
    ChannelSpec,
)

KEY: Final = "notificationChannels"
EXAMPLE: Final = '\'[{"type": "slack", "url": "https://hooks.slack.com/services/..."}]\''
_KEYS: Final = frozenset({"name", "type", "url", "headers", "method"})
_INCIDENT_KEYS: Final = {
    "pagerduty": frozenset({"name", "type", "routingKey"}),
    "opsgenie": frozenset({"name", "type", "apiKey", "region"}),
}
PAGERDUTY_URL: Final = "https://events.pagerduty.com/v2/enqueue"
OPSGENIE_URLS: Final = {
    "us": "https://api.opsgenie.com/v2/alerts",
    "eu": "https://api.eu.opsgenie.com/v2/alerts",
}
# Safe inside a JSON string and a Mustache template as they are (PagerDuty integration keys are
# 32 letters and digits, Opsgenie API keys UUIDs).
_KEY_RULE: Final = re.compile(r"^[A-Za-z0-9-]{16,128}$")
JSON_CONTENT: Final = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class NotificationChannels:
    """The channels (plain: names and types) and their secrets (URLs, headers) by name."""

    specs: tuple[ChannelSpec, ...] = ()
    secrets: tuple[tuple[str, ChannelSecret], ...] = ()

    def secret_map(self) -> dict[str, ChannelSecret]:
        return dict(self.secrets)


def _error(problem: str) -> ConfigError:
    return config_error(KEY, problem, EXAMPLE, secret=True)


def _headers(entry: dict[str, Any], where: str) -> dict[str, str]:
    headers = entry.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise _error(f"{where}: headers must be an object of text values")
    if headers and entry["type"] != "webhook":
        raise _error(f"{where}: headers are for type webhook only")
    return headers


def _method(entry: dict[str, Any], where: str) -> str:
    method = entry.get("method", "POST")
    if method not in METHODS:
        raise _error(f"{where}: method must be one of {', '.join(METHODS)}")
    if method != "POST" and entry["type"] != "webhook":
        raise _error(f"{where}: method is for type webhook only")
    return str(method)


def _key(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not _KEY_RULE.match(value):
        raise _error(
            f"{where}: {key} must be the integration's key (16 to 128 letters, digits, '-')"
        )
    return value


def _incident_secret(entry: dict[str, Any], kind: str, where: str) -> ChannelSecret:
    """The webhook of a PagerDuty or Opsgenie channel: the API's URL and its key as a header."""
    if kind == "pagerduty":
        key = _key(entry, "routingKey", where)
        return ChannelSecret(PAGERDUTY_URL, {**JSON_CONTENT, "X-Routing-Key": key})
    region = entry.get("region", "us")
    if region not in OPSGENIE_URLS:
        raise _error(f"{where}: region must be us or eu (where the Opsgenie account is)")
    key = _key(entry, "apiKey", where)
    return ChannelSecret(
        OPSGENIE_URLS[region], {**JSON_CONTENT, "Authorization": f"GenieKey {key}"}
    )


def _known(entry: dict[str, Any], kind: Any, where: str) -> None:
    known = _INCIDENT_KEYS.get(str(kind), _KEYS)
    unknown = sorted(set(entry) - known)
    if unknown:
        raise _error(
            f"{where}: unknown keys {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )


def _channel(entry: Any, index: int) -> tuple[ChannelSpec, ChannelSecret]:
    where = f"channel {index + 1}"
    if not isinstance(entry, dict):
        raise _error(f"{where} must be a JSON object")
    kind = entry.get("type")
    _known(entry, kind, where)
    if kind not in CHANNEL_TYPES:
        raise _error(f"{where}: type must be one of {', '.join(CHANNEL_TYPES)}")
    name = entry.get("name", str(kind).replace("_", "-"))
    if not isinstance(name, str) or not CHANNEL_NAME_RULE.match(name):
        raise _error(
            f"{where}: name must be 1 to 40 lowercase letters, digits, '-' or '_' (it is part "
            "of the channel id)"
        )
    if kind in INCIDENT_TYPES:
        return ChannelSpec(name=name, type=str(kind)), _incident_secret(entry, str(kind), where)
    url = entry.get("url")
    if not isinstance(url, str) or not url.startswith("https://") or len(url) <= len("https://"):
        raise _error(f"{where} ({name}): url must be an https:// URL (the webhook's address)")
    secret = ChannelSecret(url=url, headers=_headers(entry, where), method=_method(entry, where))
    return ChannelSpec(name=name, type=str(kind)), secret


def read_notification_channels(text: str) -> NotificationChannels:
    """The channels of the configuration value `text` (empty = none)."""
    if not text.strip():
        return NotificationChannels()
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(f"is not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(entries, list):
        raise _error("must be a JSON list of channels")
    channels = [_channel(entry, index) for index, entry in enumerate(entries)]
    names = [spec.name for spec, _ in channels]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _error(f"names {', '.join(twice)} are used twice: give each channel its own name")
    return NotificationChannels(
        specs=tuple(spec for spec, _ in channels),
        secrets=tuple((spec.name, secret) for spec, secret in channels),
    )
