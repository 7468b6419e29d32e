"""GIVEN an alarm WHEN the relay makes each channel's request THEN the body is valid JSON in that
channel's format (Slack text, a Teams Adaptive Card, Chime content, the webhook's fields,
PagerDuty trigger/resolve on one dedup key, Opsgenie create/close by alias), whatever the alarm
name holds, and the constants agree with the OpenSearch side's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from alarm_relay.alarm import Alarm, parse_alarm
from alarm_relay.bodies import (
    SOURCE,
    Request,
    dedup_key,
    request_for,
    slack_escaped,
    text,
)
from alarm_relay.channels import CHANNEL_TYPES, Channel
from infra.notification_channels import OPSGENIE_URLS, PAGERDUTY_URL
from opensearch import channels as opensearch_channels
from opensearch import incident_bodies
from tests.alarm_relay.notifications import RED, bare, domain_red

HOSTILE = 'a "quoted" \\ name <!channel> & {{x}}\n\ttab/slash?x=1'
ROUTING_KEY = "0123456789abcdef0123456789abcdef"
CHANNELS = {
    "slack": Channel("ops", "slack", "https://hooks.slack.com/services/T/B/X"),
    "microsoft_teams": Channel("teams", "microsoft_teams", "https://contoso.webhook.office.com/x"),
    "chime": Channel("chime", "chime", "https://hooks.chime.aws/incomingwebhooks/x?token=y"),
    "webhook": Channel(
        "relay", "webhook", "https://alerts.example.com/hook", {"Authorization": "Bearer t"}, "PUT"
    ),
    "pagerduty": Channel(
        "oncall",
        "pagerduty",
        PAGERDUTY_URL,
        {"Content-Type": "application/json", "X-Routing-Key": ROUTING_KEY},
    ),
    "opsgenie": Channel(
        "genie",
        "opsgenie",
        OPSGENIE_URLS["eu"],
        {"Content-Type": "application/json", "Authorization": "GenieKey k"},
    ),
}


def _alarm(state: str = "ALARM", name: str = RED) -> Alarm:
    alarm = parse_alarm(json.dumps(domain_red(state, name)))
    assert alarm is not None
    return alarm


def _body(request: Request | None) -> Any:
    assert request is not None
    return json.loads(request.body)


@pytest.mark.parametrize("kind", CHANNEL_TYPES)
@pytest.mark.parametrize("name", [RED, HOSTILE])
def test_every_body_is_json_and_names_the_alarm(kind: str, name: str) -> None:
    alarm = _alarm("ALARM", name)
    request = request_for(alarm, CHANNELS[kind])
    assert request is not None and request.channel == CHANNELS[kind].name
    flat = json.dumps(_body(request), ensure_ascii=False)
    shown = slack_escaped(name) if kind == "slack" else name
    assert json.dumps(shown, ensure_ascii=False)[1:-1] in flat, kind


def test_slack_gets_escaped_text() -> None:
    body = _body(request_for(_alarm("ALARM", HOSTILE), CHANNELS["slack"]))
    assert set(body) == {"text"}
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt; &amp; " in body["text"]
    assert body["text"].startswith(f"CloudWatch alarm ALARM: {slack_escaped(HOSTILE)}")
    assert (
        "Metric: AWS/ES ClusterStatus.red (DomainName=lambda-logs-prod, ClientId=123456789012)"
        in (body["text"])
    )


def test_teams_gets_an_adaptive_card_in_a_message() -> None:
    body = _body(request_for(_alarm("OK"), CHANNELS["microsoft_teams"]))
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.2"
    title, details = card["body"]
    assert title["text"] == f"CloudWatch alarm OK: {RED}"
    assert "State: ALARM → OK at 2025-12-02T09:00:12.345+0000" in details["text"]


def test_chime_gets_content_and_the_webhook_its_method_headers_and_fields() -> None:
    alarm = _alarm()
    chime = _body(request_for(alarm, CHANNELS["chime"]))
    assert chime == {"Content": text(alarm)}
    request = request_for(alarm, CHANNELS["webhook"])
    assert request is not None
    assert (request.method, request.url) == ("PUT", "https://alerts.example.com/hook")
    assert request.headers == {"Content-Type": "application/json", "Authorization": "Bearer t"}
    body = _body(request)
    assert body["alarmName"] == alarm.name and body["state"] == "ALARM"
    assert body["dimensions"] == {"DomainName": "lambda-logs-prod", "ClientId": "123456789012"}
    assert body["region"] == "eu-west-1" and body["source"] == "aws.cloudwatch"


def test_pagerduty_triggers_on_alarm_and_resolves_the_same_key_on_ok() -> None:
    trigger = _body(request_for(_alarm("ALARM"), CHANNELS["pagerduty"]))
    resolve = _body(request_for(_alarm("OK"), CHANNELS["pagerduty"]))
    arn = domain_red()["AlarmArn"]
    assert trigger["event_action"] == "trigger" and resolve["event_action"] == "resolve"
    assert trigger["dedup_key"] == resolve["dedup_key"] == arn
    assert trigger["routing_key"] == resolve["routing_key"] == ROUTING_KEY
    payload = trigger["payload"]
    assert payload["severity"] in incident_bodies.PAGERDUTY_SEVERITY.values()
    assert payload["summary"].startswith(f"CloudWatch alarm ALARM: {RED}")
    assert payload["custom_details"]["alarmArn"] == arn
    assert request_for(_alarm("INSUFFICIENT_DATA"), CHANNELS["pagerduty"]) is None


def test_a_long_arn_is_shortened_to_a_stable_dedup_key() -> None:
    long = _alarm("ALARM", "n" * 255)
    assert len(long.arn) > 255
    key = dedup_key(long)
    assert len(key) == 255 and key == dedup_key(_alarm("OK", "n" * 255))
    assert key != dedup_key(_alarm("OK", "n" * 254 + "m"))


def test_opsgenie_creates_by_alias_and_closes_by_alias() -> None:
    create = request_for(_alarm("ALARM", HOSTILE), CHANNELS["opsgenie"])
    close = request_for(_alarm("OK", HOSTILE), CHANNELS["opsgenie"])
    assert create is not None and close is not None
    assert create.url == "https://api.eu.opsgenie.com/v2/alerts"
    body = _body(create)
    assert body["alias"] == HOSTILE and len(body["message"]) <= 130
    assert body["source"] == SOURCE and all(isinstance(v, str) for v in body["details"].values())
    parts = urlsplit(close.url)
    assert (parts.netloc, parts.query) == ("api.eu.opsgenie.com", "identifierType=alias")
    prefix, alias, action = parts.path.rsplit("/", 2)
    assert (prefix, unquote(alias), action) == ("/v2/alerts", HOSTILE, "close")
    assert close.method == "POST" and _body(close)["source"] == SOURCE
    assert close.headers["Authorization"] == "GenieKey k"
    assert request_for(_alarm("INSUFFICIENT_DATA"), CHANNELS["opsgenie"]) is None


def test_text_channels_hear_of_insufficient_data_too_and_bare_alarms_read_well() -> None:
    alarm = parse_alarm(json.dumps(bare("INSUFFICIENT_DATA")))
    assert alarm is not None
    message = text(alarm)
    assert message.splitlines()[0] == "CloudWatch alarm INSUFFICIENT_DATA: bare"
    assert "Metric: AWS/Lambda Errors\n" in message  # no dimensions: no parentheses
    assert "In account 123456789012, eu-west-1" in message
    for kind in ("slack", "microsoft_teams", "chime", "webhook"):
        assert request_for(alarm, CHANNELS[kind]) is not None


def test_the_relay_and_the_opensearch_side_agree() -> None:
    assert CHANNEL_TYPES == opensearch_channels.CHANNEL_TYPES
    assert SOURCE == incident_bodies.SOURCE


def test_the_docs_show_the_text_the_relay_sends() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text()
    section = docs.split("## CloudWatch alarms in your channels", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```text\n", 1)[1].split("\n```", 1)[0]
    assert shown == text(_alarm())


CHAT_TYPES = [kind for kind in CHANNEL_TYPES if kind not in ("pagerduty", "opsgenie")]


@pytest.mark.parametrize("kind", CHAT_TYPES)
def test_a_new_alarm_s_first_ok_is_not_news(kind: str) -> None:
    message = domain_red("OK")
    message["OldStateValue"] = "INSUFFICIENT_DATA"
    first = parse_alarm(json.dumps(message))
    assert first is not None
    assert request_for(first, CHANNELS[kind]) is None
    assert request_for(_alarm("OK"), CHANNELS[kind]) is not None  # from ALARM: a recovery


@pytest.mark.parametrize("kind", ["pagerduty", "opsgenie"])
def test_an_ok_after_missing_data_still_closes_the_incident(kind: str) -> None:
    # GIVEN a domain alarm that went ALARM → INSUFFICIENT_DATA (the domain stopped publishing
    # its metrics) → OK
    message = domain_red("OK")
    message["OldStateValue"] = "INSUFFICIENT_DATA"
    recovered = parse_alarm(json.dumps(message))
    assert recovered is not None
    # THEN the on-call tool is told to resolve / close, as after ALARM → OK
    request = request_for(recovered, CHANNELS[kind])
    assert request is not None
    direct = request_for(_alarm("OK"), CHANNELS[kind])
    assert direct is not None and request.url == direct.url
    if kind == "pagerduty":
        assert json.loads(request.body)["event_action"] == "resolve"
    else:
        assert request.url.endswith("/close?identifierType=alias")
