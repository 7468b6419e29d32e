"""PagerDuty and Opsgenie channels against the HTTP fake: webhook configs with the API's URL and
headers, the routing key only in what is sent (never in the hashed content or the provider's
plain state), no plain-text test message to them, and no key in an error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.notification_channels import read_notification_channels
from infra.opensearch_content import ContentProvider, channels_json, content_hash, secrets_json
from opensearch.apply import apply_content
from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.channel_steps import ChannelSecretMissingError
from opensearch.channels import ChannelSecret
from opensearch.client import Connection, OpenSearchRequestError
from opensearch.incident_bodies import routing_key_marker
from tests.fakes.opensearch_http import FakeOpenSearch

ROUTING_KEY = "0123456789abcdef0123456789abcdef"
GENIE_KEY = "11111111-2222-3333-4444-555555555555"
CHANNELS = read_notification_channels(
    json.dumps(
        [
            {"name": "oncall", "type": "pagerduty", "routingKey": ROUTING_KEY},
            {"name": "genie", "type": "opsgenie", "apiKey": GENIE_KEY, "region": "eu"},
            {"name": "ops", "type": "slack", "url": "https://hooks.slack.com/services/T/B/s3cr3t"},
        ]
    )
)
SECRETS = CHANNELS.secret_map()
IDS = ["lambda-logs-alarms-oncall", "lambda-logs-alarms-genie", "lambda-logs-alarms-ops"]


def settings(**overrides: Any) -> ContentSettings:
    return ContentSettings(channels=CHANNELS.specs, **overrides)


def connection(fake: FakeOpenSearch) -> Connection:
    return Connection(fake.url, user="admin", password="pw")


def test_the_channels_are_webhooks_to_the_apis_with_their_headers(
    opensearch_fake: FakeOpenSearch,
) -> None:
    result = apply_content(connection(opensearch_fake), settings(), channel_secrets=SECRETS)
    assert result.channel_ids == IDS
    configs = opensearch_fake.objects["notifications"]
    oncall, genie = configs[IDS[0]], configs[IDS[1]]
    assert oncall["config_type"] == genie["config_type"] == "webhook"
    assert oncall["webhook"] == {
        "url": "https://events.pagerduty.com/v2/enqueue",
        "header_params": {"Content-Type": "application/json", "X-Routing-Key": ROUTING_KEY},
        "method": "POST",
    }
    assert genie["webhook"] == {
        "url": "https://api.eu.opsgenie.com/v2/alerts",
        "header_params": {
            "Content-Type": "application/json",
            "Authorization": f"GenieKey {GENIE_KEY}",
        },
        "method": "POST",
    }
    assert oncall["name"] == "lambda-logs alarms (PagerDuty channel oncall)"


def test_the_sent_monitors_carry_the_routing_key_the_content_does_not(
    opensearch_fake: FakeOpenSearch,
) -> None:
    apply_content(connection(opensearch_fake), settings(), channel_secrets=SECRETS)
    stored = [m["monitor"] for m in opensearch_fake.objects["monitors"].values()]
    assert len(stored) == 4
    for monitor in stored:
        ((_, spec),) = monitor["triggers"][0].items()
        by_id = {a["destination_id"]: a["message_template"]["source"] for a in spec["actions"]}
        assert list(by_id) == IDS
        assert f'"routing_key":"{ROUTING_KEY}"' in by_id[IDS[0]]
        assert routing_key_marker("oncall") not in json.dumps(monitor)
        assert '"alias":' in by_id[IDS[1]] and not by_id[IDS[2]].startswith('{"')
    content = load_artifacts(settings())
    assert ROUTING_KEY not in json.dumps(content.monitors)
    assert routing_key_marker("oncall") in json.dumps(content.monitors)


def test_no_test_message_to_pagerduty_or_opsgenie(opensearch_fake: FakeOpenSearch) -> None:
    result = apply_content(
        connection(opensearch_fake), settings(test_notification=True), channel_secrets=SECRETS
    )
    assert opensearch_fake.objects["notification_tests"]["sent"] == [IDS[2]]
    assert any("no test message to" in step and IDS[0] in step for step in result.steps)


def test_a_refused_monitor_error_hides_the_routing_key(opensearch_fake: FakeOpenSearch) -> None:
    reason = f"bad body routing_key {ROUTING_KEY} GenieKey {GENIE_KEY}"
    opensearch_fake.fail(400, r"/_plugins/_alerting/monitors", "POST", reason=reason)
    with pytest.raises(OpenSearchRequestError) as raised:
        apply_content(connection(opensearch_fake), settings(), channel_secrets=SECRETS)
    assert ROUTING_KEY not in str(raised.value) and GENIE_KEY not in str(raised.value)
    assert "<secret>" in str(raised.value)


def test_a_pagerduty_channel_without_its_key_is_a_clear_error(
    opensearch_fake: FakeOpenSearch,
) -> None:
    without = {**SECRETS, "oncall": ChannelSecret("https://events.pagerduty.com/v2/enqueue")}
    with pytest.raises(ChannelSecretMissingError, match="PagerDuty channel oncall has no routing"):
        apply_content(connection(opensearch_fake), settings(), channel_secrets=without)


def test_the_provider_keeps_the_keys_out_of_the_hash_and_reapplies_on_a_new_key(
    opensearch_fake: FakeOpenSearch,
) -> None:
    props: dict[str, Any] = {
        "endpoint": opensearch_fake.url,
        "region": "eu-west-1",
        "index_prefix": "lambda-logs",
        "retention_days": 30,
        "shards": 1,
        "replicas": 1,
        "firehose_role_arn": "",
        "alarm_topic_arn": "",
        "alerting_role_arn": "",
        "notification_channels": channels_json(CHANNELS.specs),
        "notification_secrets": secrets_json(SECRETS),
        "test_notification": False,
    }
    props["content_hash"] = content_hash(props)
    provider = ContentProvider()
    created = provider.create(props)
    assert created.outs is not None and created.outs["channel_ids"] == IDS
    plain = json.dumps({k: v for k, v in created.outs.items() if k != "notification_secrets"})
    assert ROUTING_KEY not in plain and GENIE_KEY not in plain
    rotated_key = "fedcba9876543210fedcba9876543210"
    rotated = read_notification_channels(
        json.dumps([{"name": "oncall", "type": "pagerduty", "routingKey": rotated_key}])
    ).secret_map()
    changed = {**props, "notification_secrets": secrets_json({**SECRETS, **rotated})}
    assert content_hash(changed) == props["content_hash"]
    assert provider.diff("id", created.outs, changed).changes is True
    provider.update("id", created.outs, changed)
    sent = json.dumps([m["monitor"] for m in opensearch_fake.objects["monitors"].values()])
    assert rotated_key in sent and ROUTING_KEY not in sent
