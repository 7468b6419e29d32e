"""The channels the relay posts to, as the stack stores them in its Secrets Manager secret: a
JSON list of `{"name", "type", "url", "headers", "method"}` (infra/alarm_relay.py writes it from
`notificationChannels`; a PagerDuty routing key is the `X-Routing-Key` header, an Opsgenie key
`Authorization: GenieKey <key>`, as the OpenSearch channels carry them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

CHANNEL_TYPES: Final = ("slack", "microsoft_teams", "chime", "webhook", "pagerduty", "opsgenie")
"""As `opensearch.channels.CHANNEL_TYPES` (a test keeps the two equal)."""


class ChannelsError(ValueError):
    """The secret does not hold the channels list; the message never repeats its content."""


@dataclass(frozen=True)
class Channel:
    name: str
    type: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "POST"


def read_channels(text: str) -> tuple[Channel, ...]:
    """The channels of the secret's JSON text."""
    try:
        entries = json.loads(text)
    except ValueError:
        raise ChannelsError("the channels secret is not JSON: run pulumi up again") from None
    if not isinstance(entries, list):
        raise ChannelsError("the channels secret must be a JSON list: run pulumi up again")
    channels = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("type") not in CHANNEL_TYPES:
            raise ChannelsError(f"channel {index + 1} of the secret has no known type")
        if not isinstance(entry.get("url"), str) or not isinstance(entry.get("name"), str):
            raise ChannelsError(f"channel {index + 1} of the secret has no name or url")
        headers = entry.get("headers") or {}
        channels.append(
            Channel(
                name=entry["name"],
                type=entry["type"],
                url=entry["url"],
                headers={str(k): str(v) for k, v in dict(headers).items()},
                method=str(entry.get("method") or "POST"),
            )
        )
    return tuple(channels)
