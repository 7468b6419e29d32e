"""The JSON bodies a monitor action sends to a PagerDuty or Opsgenie channel, as Mustache templates.

Both channels are Notifications `webhook` configs. For a webhook, Notifications 2.19 sends the
action's rendered message as the request body, verbatim, and no subject:
opensearch-project/notifications 2.19.0.0
`core/src/main/kotlin/org/opensearch/notifications/core/client/DestinationHttpClient.kt`,
`buildRequestBody`: "Customer webhook allows input as json or plain text, so we just return the
message as it is" (`is CustomWebhookDestination -> return message.textDescription`); Slack,
Chime and Teams get `{"text"|"Content": "<subject>\n\n<message>"}` instead. The same file sets
`Content-type: application/json` only when the channel has no `header_params` ("set default
header"); with headers, only those are sent, so these channels always carry their own
`Content-Type`.

So the message template of such an action must render to valid JSON whatever the data. Alerting
2.19 compiles it with OpenSearch's `lang-mustache` and no content-type option
(`MonitorRunnerService.compileTemplate`), which selects `CustomMustacheFactory`'s default MIME
type `application/json` and its `JsonEscapeEncoder`: every `{{tag}}` value is written through
Jackson's `JsonStringEncoder.quoteAsString` (quotes, backslashes and control characters escaped),
not HTML-escaped. A value is therefore safe inside a JSON string literal; the literal text of the
template is escaped here. Triple mustaches (`{{{x}}}`, `{{&x}}`) would write values raw, so they
are refused.

PagerDuty Events API v2 (`https://events.pagerduty.com/v2/enqueue`): `{"routing_key",
"event_action": "trigger", "dedup_key", "payload": {"summary", "source", "severity"}}`, severity
`critical`, `error`, `warning` or `info`, dedup_key at most 255 characters. Opsgenie Alert API
(`https://api.opsgenie.com/v2/alerts`, EU `https://api.eu.opsgenie.com/v2/alerts`, header
`Authorization: GenieKey <key>`): `{"message"` (at most 130 characters), `"alias"` (the
deduplication key, at most 512), `"description"` (at most 15,000), `"priority"` (`P1`-`P5`)`}`.
The dedup key and alias are the monitor id, the trigger id and the alert's bucket keys: the same
alert of the same monitor (NEW, then DEDUPED while it lasts) is one incident.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from opensearch.channels import Destination

JsonObject = dict[str, Any]

TAG: Final = re.compile(r"\{\{.*?\}\}", re.DOTALL)
RAW_TAG: Final = re.compile(r"\{\{\s*[{&]")
# Alert.asTemplateArg: bucket_keys of the alert; a per-alert action holds one alert in one list.
ALERT_KEYS: Final = "".join(
    f"{{{{#ctx.{category}}}}}{{{{bucket_keys}}}}{{{{/ctx.{category}}}}}"
    for category in ("newAlerts", "dedupedAlerts", "completedAlerts")
)
PAGERDUTY_SEVERITY: Final = {
    "1": "critical",
    "2": "error",
    "3": "warning",
    "4": "info",
    "5": "info",
}
SOURCE: Final = "lambda-logs-opensearch"


class IncidentTemplateError(ValueError):
    """A template that could not render to valid JSON."""


def routing_key_marker(channel_name: str) -> str:
    """What stands for a PagerDuty channel's routing key in the content (which is hashed and kept
    in plain state); the applier puts the secret in its place (`channel_steps`)."""
    return f"@@routing-key:{channel_name}@@"


def json_string(template: str) -> str:
    """A JSON string literal, quotes included, that renders to the Mustache `template`'s text:
    the literal text is escaped here, the tags are kept for OpenSearch to fill in (escaped)."""
    if RAW_TAG.search(template):
        raise IncidentTemplateError(f"unescaped Mustache tag in {template[:80]!r}")
    parts: list[str] = []
    position = 0
    for tag in TAG.finditer(template):
        parts += [_escaped(template[position : tag.start()]), tag.group(0)]
        position = tag.end()
    parts.append(_escaped(template[position:]))
    return '"' + "".join(parts) + '"'


def _escaped(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def json_object(fields: list[tuple[str, str]]) -> str:
    """`{"key": <fragment>, ...}` of JSON fragments (string literals or nested objects)."""
    return "{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in fields) + "}"


def dedup_template(monitor: JsonObject) -> str:
    """`<monitor id>/<trigger id>` and, for a bucket-level monitor, `/<the alert's bucket keys>`."""
    base = "{{ctx.monitor._id}}/{{ctx.trigger.id}}"
    if monitor.get("monitor_type") == "bucket_level_monitor":
        return f"{base}/{ALERT_KEYS}"
    return base


def _source(action: JsonObject, key: str) -> str:
    template = action.get(key)
    return str(template["source"]) if isinstance(template, dict) else ""


def pagerduty_body(monitor: JsonObject, severity: str, action: JsonObject, channel: str) -> str:
    """The Events API v2 trigger event of `action` (its title, subject and message)."""
    payload = json_object(
        [
            ("summary", json_string(_source(action, "subject_template"))),
            ("source", json_string("{{ctx.monitor.name}}")),
            ("severity", json.dumps(PAGERDUTY_SEVERITY.get(severity, "error"))),
            ("class", json_string("{{ctx.trigger.name}}")),
            (
                "custom_details",
                json_object([("message", json_string(_source(action, "message_template")))]),
            ),
        ]
    )
    return json_object(
        [
            ("routing_key", json.dumps(routing_key_marker(channel))),
            ("event_action", '"trigger"'),
            ("dedup_key", json_string(dedup_template(monitor))),
            ("client", json.dumps(SOURCE)),
            ("payload", payload),
        ]
    )


def opsgenie_body(monitor: JsonObject, severity: str, action: JsonObject) -> str:
    """The Alert API create-alert request of `action` (its short `incident_title` as the message:
    Opsgenie keeps 130 characters)."""
    title = _source(action, "incident_title") or _source(action, "subject_template")
    priority = f"P{severity}" if severity in PAGERDUTY_SEVERITY else "P3"
    return json_object(
        [
            ("message", json_string(title)),
            ("alias", json_string(dedup_template(monitor))),
            ("description", json_string(_source(action, "message_template"))),
            ("priority", json.dumps(priority)),
            ("source", json.dumps(SOURCE)),
            ("entity", json_string("{{ctx.monitor.name}}")),
            ("tags", json.dumps(["lambda-logs"])),
        ]
    )


def routed_action(
    monitor: JsonObject, trigger: JsonObject, action: JsonObject, where: Destination
) -> JsonObject:
    """`action` sent to `where`: named `notify <label>`, and with the JSON body of a PagerDuty or
    Opsgenie channel; `incident_title` (the artifact's short title) is not an Alerting field."""
    routed = {k: v for k, v in action.items() if k != "incident_title"}
    routed.update(name=f"notify {where.label}", destination_id=where.id)
    if where.kind == "pagerduty":
        body = pagerduty_body(monitor, str(trigger.get("severity")), action, where.name)
    elif where.kind == "opsgenie":
        body = opsgenie_body(monitor, str(trigger.get("severity")), action)
    else:
        return routed
    return {**routed, "message_template": {"source": body, "lang": "mustache"}}
