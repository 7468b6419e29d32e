"""GIVEN channels served by a local HTTP server WHEN the relay handles an SNS event THEN every
channel receives its request once; a channel that refuses or hangs is logged by name and status
(never its URL or key), the others still receive theirs, and the function raises so that Lambda
retries; the channels secret is read once per cold start (moto's Secrets Manager)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial

import boto3
import pytest
from moto import mock_aws

from alarm_relay import handler as relay_handler
from alarm_relay.alarm import alarms_in
from alarm_relay.bodies import request_for
from alarm_relay.channels import Channel, ChannelsError, read_channels
from alarm_relay.post import send
from tests.alarm_relay.notifications import RED, domain_red, sns_event
from tests.alarm_relay.webhook_server import WebhookServer, webhook_server

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with webhook_server() as running:
        yield running


def _channels(base: str) -> list[dict[str, object]]:
    return [
        {"name": "ops", "type": "slack", "url": f"{base}/slack", "headers": {}, "method": "POST"},
        {"name": "teams", "type": "microsoft_teams", "url": f"{base}/teams"},
        {"name": "chime", "type": "chime", "url": f"{base}/chime?token=SECRET-TOKEN"},
        {"name": "hook", "type": "webhook", "url": f"{base}/hook", "method": "PATCH",
         "headers": {"Authorization": "Bearer SECRET-BEARER"}},
        {"name": "oncall", "type": "pagerduty", "url": f"{base}/pd",
         "headers": {"Content-Type": "application/json", "X-Routing-Key": KEY}},
        {"name": "genie", "type": "opsgenie", "url": f"{base}/v2/alerts",
         "headers": {"Content-Type": "application/json", "Authorization": "GenieKey SECRET-G"}},
    ]  # fmt: skip


@pytest.fixture
def secret_arn(server: WebhookServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(relay_handler, "_channels", {})  # a cold start
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="eu-west-1")
        arn = client.create_secret(
            Name="relay-channels", SecretString=json.dumps(_channels(server.url))
        )["ARN"]
        monkeypatch.setenv(relay_handler.SECRET_ARN_VARIABLE, arn)
        yield str(arn)


def test_every_channel_gets_the_alarm_once(server: WebhookServer, secret_arn: str) -> None:
    result = relay_handler.handler(sns_event(domain_red("ALARM")), None)
    assert result == {"delivered": 6, "failed": 0}
    for path in ("/slack", "/teams", "/chime", "/hook", "/pd", "/v2/alerts"):
        assert server.count(path) == 1, path
    by_path = {r.path.split("?")[0]: r for r in server.received}
    assert by_path["/hook"].method == "PATCH"
    assert by_path["/hook"].headers["Authorization"] == "Bearer SECRET-BEARER"
    assert by_path["/pd"].body["event_action"] == "trigger"
    assert by_path["/v2/alerts"].body["alias"] == RED
    assert by_path["/slack"].body["text"].startswith("CloudWatch alarm ALARM: ")


def test_the_recovery_resolves_and_closes(server: WebhookServer, secret_arn: str) -> None:
    relay_handler.handler(sns_event(domain_red("ALARM")), None)
    relay_handler.handler(sns_event(domain_red("OK")), None)
    pd = [r.body for r in server.received if r.path == "/pd"]
    assert [b["event_action"] for b in pd] == ["trigger", "resolve"]
    assert pd[0]["dedup_key"] == pd[1]["dedup_key"] == domain_red()["AlarmArn"]
    close = f"/v2/alerts/{RED}/close?identifierType=alias"
    assert [r.path for r in server.received if r.path.startswith("/v2/alerts/")] == [close]


def test_a_refusing_channel_fails_the_run_after_all_others_were_tried(
    server: WebhookServer, secret_arn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server.statuses["/chime"] = 500
    server.statuses["/pd"] = 400
    with pytest.raises(relay_handler.RelayError) as raised:
        relay_handler.handler(sns_event(domain_red("ALARM")), None)
    assert "2 of 6 deliveries failed" in str(raised.value)
    assert "chime: HTTP 500" in str(raised.value) and "oncall: HTTP 400" in str(raised.value)
    for path in ("/slack", "/teams", "/chime", "/hook", "/pd", "/v2/alerts"):
        assert server.count(path) == 1, path  # the others still got theirs
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failed = {(line["channel"], line["status"]) for line in lines if line["level"] == "ERROR"
              and line["message"] == "delivery"}  # fmt: skip
    assert failed == {("chime", 500), ("oncall", 400)}
    shown = str(raised.value) + json.dumps(lines)
    for secret in ("SECRET-TOKEN", "SECRET-BEARER", "SECRET-G", KEY, server.url):
        assert secret not in shown


def test_a_hanging_or_unreachable_channel_times_out_and_counts_as_failed(
    server: WebhookServer,
) -> None:
    server.hang_seconds["/slow"] = 0.6
    alarm = alarms_in(sns_event(domain_red()))[0][0]
    slow = request_for(alarm, Channel("slow", "slack", f"{server.url}/slow"))
    assert slow is not None
    outcome = send(slow, timeout=0.2)
    assert (outcome.status, outcome.delivered, outcome.error) == (None, False, "TimeoutError")
    gone = request_for(alarm, Channel("gone", "slack", "http://127.0.0.1:9/nothing"))
    assert gone is not None
    refused = send(gone, timeout=0.5)
    assert refused.status is None and refused.error and not refused.delivered
    assert send(request_for(alarm, Channel("ok", "chime", f"{server.url}/c")) or slow).delivered


def test_the_secret_is_read_once_per_cold_start(server: WebhookServer, secret_arn: str) -> None:
    reads: list[str] = []

    def counting(arn: str) -> str:
        reads.append(arn)
        return relay_handler.read_secret(arn)

    first = relay_handler.channels(secret_arn, counting)
    again = relay_handler.channels(secret_arn, counting)
    assert reads == [secret_arn] and first is again
    assert [c.name for c in first] == ["ops", "teams", "chime", "hook", "oncall", "genie"]
    assert first[3].headers == {"Authorization": "Bearer SECRET-BEARER"}
    assert first[1].method == "POST"  # absent: the default


def test_events_without_alarms_read_no_secret_and_post_nothing(
    server: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay_handler, "_channels", {})
    monkeypatch.setattr(relay_handler, "read_secret", partial(pytest.fail, "read the secret"))
    monkeypatch.setenv(relay_handler.SECRET_ARN_VARIABLE, "arn:aws:secretsmanager:x")
    assert relay_handler.handler(sns_event("plain text from a monitor"), None) == {
        "delivered": 0,
        "failed": 0,
    }
    assert server.received == []


@pytest.mark.parametrize(
    "text",
    ["not json", '{"a": 1}', '[{"name": "x", "type": "fax", "url": "u"}]', '[{"type": "slack"}]'],
)
def test_a_broken_secret_is_refused_without_repeating_it(text: str) -> None:
    with pytest.raises(ChannelsError) as raised:
        read_channels(text)
    assert "fax" not in str(raised.value) and "not json" not in str(raised.value)
