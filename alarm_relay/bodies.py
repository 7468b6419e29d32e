"""What each channel receives for one alarm: the text, and the request in the channel's format.

- Slack incoming webhook: `{"text": ...}`, with `&`, `<`, `>` escaped as Slack asks ("you must
  escape &, <, >"), so an alarm name can never be read as `<!channel>` or a link.
- Microsoft Teams: an Adaptive Card in a `message` envelope (`{"type": "message", "attachments":
  [{"contentType": "application/vnd.microsoft.card.adaptive", "content": {...}}]}`): the one
  format both the old incoming-webhook connectors and the Workflows "Post to a channel when a
  webhook request is received" template accept; Microsoft's "Create and send messages" page:
  "Workflows support Adaptive Cards only. It doesn't support the older message card format".
- Amazon Chime: `{"Content": ...}`.
- generic webhook: the alarm's fields as JSON (`Alarm.fields`), with the channel's method and
  headers.
- PagerDuty Events API v2: `trigger` on ALARM and `resolve` on OK, both with `dedup_key` the
  alarm's ARN (at most 255 characters), so the recovery resolves the incident it opened.
- Opsgenie Alert API: create (`POST /v2/alerts`, `alias` the alarm name) on ALARM, close
  (`POST /v2/alerts/{alias}/close?identifierType=alias`) on OK.
PagerDuty and Opsgenie get nothing for INSUFFICIENT_DATA (neither a problem nor a recovery), and
no channel hears of INSUFFICIENT_DATA → OK: every new alarm makes that transition on its first
evaluation, and its OK actions run, so a first `pulumi up` would post an "OK" per alarm."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

from alarm_relay.alarm import Alarm
from alarm_relay.channels import Channel

SOURCE: Final = "lambda-logs-opensearch"
"""As `opensearch.incident_bodies.SOURCE` (a test keeps the two equal)."""
JSON_CONTENT: Final = {"Content-Type": "application/json"}
PAGERDUTY_DEDUP_MAX: Final = 255
OPSGENIE_MESSAGE_MAX: Final = 130
OPSGENIE_DESCRIPTION_MAX: Final = 15000
PAGERDUTY_SUMMARY_MAX: Final = 1024
ADAPTIVE_CARD: Final = "application/vnd.microsoft.card.adaptive"


@dataclass(frozen=True)
class Request:
    channel: str
    """The channel's name (what the logs show; never the URL)."""
    method: str
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def title(alarm: Alarm) -> str:
    return f"CloudWatch alarm {alarm.state}: {alarm.name}"


def text(alarm: Alarm) -> str:
    """The readable message: title, description, reason, metric, where and when."""
    lines = [title(alarm), ""]
    if alarm.description:
        lines.append(alarm.description)
    if alarm.reason:
        lines.append(f"Reason: {alarm.reason}")
    if alarm.metric:
        dims = ", ".join(f"{name}={value}" for name, value in alarm.dimensions)
        lines.append(f"Metric: {alarm.metric}" + (f" ({dims})" if dims else ""))
    where = ", ".join(p for p in (alarm.account and f"account {alarm.account}",
                                  alarm.region_code or alarm.region) if p)  # fmt: skip
    changed = f"{alarm.old_state} → {alarm.state}" if alarm.old_state else alarm.state
    lines.append(f"State: {changed}" + (f" at {alarm.time}" if alarm.time else ""))
    if where:
        lines.append(f"In {where}")
    return "\n".join(lines)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def slack_escaped(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_card(alarm: Alarm) -> dict[str, Any]:
    body = text(alarm).split("\n", 2)[-1]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": [
            {"type": "TextBlock", "text": title(alarm), "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": body.replace("\n", "\n\n"), "wrap": True},
        ],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


def dedup_key(alarm: Alarm) -> str:
    """The alarm's ARN (its name when there is none), hashed down when over 255 characters."""
    key = alarm.arn or alarm.name
    if len(key) <= PAGERDUTY_DEDUP_MAX:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{key[: PAGERDUTY_DEDUP_MAX - 17]}#{digest}"


def pagerduty_event(alarm: Alarm, routing_key: str) -> dict[str, Any] | None:
    if alarm.state == "OK":
        return {
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": dedup_key(alarm),
        }
    if alarm.state != "ALARM":
        return None
    summary = title(alarm) + (f": {alarm.reason}" if alarm.reason else "")
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key(alarm),
        "client": SOURCE,
        "payload": {
            "summary": summary[:PAGERDUTY_SUMMARY_MAX],
            "source": f"cloudwatch {alarm.account} {alarm.region_code}".strip(),
            "severity": "error",
            "component": alarm.metric or alarm.name,
            "class": "CloudWatch alarm",
            "custom_details": alarm.fields(),
        },
    }


def opsgenie_alert(alarm: Alarm) -> dict[str, Any]:
    return {
        "message": title(alarm)[:OPSGENIE_MESSAGE_MAX],
        "alias": alarm.name,
        "description": text(alarm)[:OPSGENIE_DESCRIPTION_MAX],
        "priority": "P2",
        "source": SOURCE,
        "entity": alarm.metric or alarm.name,
        "tags": ["lambda-logs", "cloudwatch"],
        "details": {k: v for k, v in alarm.fields().items() if isinstance(v, str) and v},
    }


def _headers(channel: Channel) -> dict[str, str]:
    """The channel's headers, with `Content-Type: application/json` unless it sets one."""
    given = dict(channel.headers)
    if any(name.lower() == "content-type" for name in given):
        return given
    return {**JSON_CONTENT, **given}


def _incident(alarm: Alarm, channel: Channel) -> Request | None:
    headers = _headers(channel)
    if channel.type == "pagerduty":
        event = pagerduty_event(alarm, channel.headers.get("X-Routing-Key", ""))
        return (
            None
            if event is None
            else Request(channel.name, "POST", channel.url, _json(event), headers)
        )
    if alarm.state == "ALARM":
        return Request(channel.name, "POST", channel.url, _json(opsgenie_alert(alarm)), headers)
    if alarm.state != "OK":
        return None
    close = f"{channel.url.rstrip('/')}/{quote(alarm.name, safe='')}/close?identifierType=alias"
    note = {"source": SOURCE, "note": (alarm.reason or title(alarm))[:OPSGENIE_DESCRIPTION_MAX]}
    return Request(channel.name, "POST", close, _json(note), headers)


def request_for(alarm: Alarm, channel: Channel) -> Request | None:
    """The request that tells `channel` about `alarm` (None: nothing to tell it)."""
    if channel.type in ("pagerduty", "opsgenie"):
        # every OK resolves, after INSUFFICIENT_DATA too: an alarm whose metric went missing
        # (a domain that stopped publishing) recovers ALARM → INSUFFICIENT_DATA → OK, and its
        # incident must close; resolving an incident that was never opened changes nothing
        return _incident(alarm, channel)
    if alarm.state == "OK" and alarm.old_state == "INSUFFICIENT_DATA":
        return None  # a new alarm's first evaluation (OK actions run then too): no news
    body: Any
    if channel.type == "slack":
        body = {"text": slack_escaped(text(alarm))}
    elif channel.type == "microsoft_teams":
        body = teams_card(alarm)
    elif channel.type == "chime":
        body = {"Content": text(alarm)}
    else:
        body = alarm.fields()
    headers = _headers(channel)
    method = channel.method if channel.type == "webhook" else "POST"
    return Request(channel.name, method, channel.url, _json(body), headers)
