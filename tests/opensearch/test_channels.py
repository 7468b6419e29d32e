"""Notification channels against the HTTP fake: every config body field by field, one action per
channel in every monitor, stale channels deleted, the optional test message, secrets kept out
of errors and of the plain state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.opensearch_content import ContentProvider, channels_json, content_hash, secrets_json
from opensearch.apply import apply_content
from opensearch.artifacts import ArtifactError, ContentSettings
from opensearch.channel_steps import ChannelSecretMissingError
from opensearch.channels import ChannelSecret, ChannelSpec
from opensearch.client import Connection, OpenSearchRequestError
from tests.fakes.opensearch_http import FakeOpenSearch

TOPIC = "arn:aws:sns:eu-west-1:123456789012:lambda-logs-alarms"
ROLE = "arn:aws:iam::123456789012:role/lambda-logs-alerting"
SLACK = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
TEAMS = "https://example.webhook.office.com/webhookb2/abc/IncomingWebhook/secret-teams"
CHIME = "https://hooks.chime.aws/incomingwebhooks/abc?token=secret-chime"
PAGER = "https://events.example-pager.com/integration/secret-pager/enqueue"
SPECS = (
    ChannelSpec("ops", "slack"),
    ChannelSpec("teams", "microsoft_teams"),
    ChannelSpec("chime", "chime"),
    ChannelSpec("pager", "webhook"),
)
SECRETS = {
    "ops": ChannelSecret(SLACK),
    "teams": ChannelSecret(TEAMS),
    "chime": ChannelSecret(CHIME),
    "pager": ChannelSecret(PAGER, {"X-Api-Key": "secret-key"}, "PUT"),
}
IDS = [
    "lambda-logs-alarms",
    "lambda-logs-alarms-ops",
    "lambda-logs-alarms-teams",
    "lambda-logs-alarms-chime",
    "lambda-logs-alarms-pager",
]


def settings(**overrides: Any) -> ContentSettings:
    values: dict[str, Any] = {
        "alarm_topic_arn": TOPIC,
        "alerting_role_arn": ROLE,
        "channels": SPECS,
        **overrides,
    }
    return ContentSettings(**values)


def connection(fake: FakeOpenSearch) -> Connection:
    return Connection(fake.url, user="admin", password="pw")


def test_every_channel_is_created_with_the_exact_config_body(
    opensearch_fake: FakeOpenSearch,
) -> None:
    result = apply_content(connection(opensearch_fake), settings(), channel_secrets=SECRETS)
    assert result.channel_ids == IDS
    configs = opensearch_fake.objects["notifications"]
    assert sorted(configs) == sorted(IDS)
    assert configs["lambda-logs-alarms"]["sns"] == {"topic_arn": TOPIC, "role_arn": ROLE}
    for config_id, kind, url in [
        ("lambda-logs-alarms-ops", "slack", SLACK),
        ("lambda-logs-alarms-teams", "microsoft_teams", TEAMS),
        ("lambda-logs-alarms-chime", "chime", CHIME),
    ]:
        config = configs[config_id]
        assert config["config_type"] == kind and config["is_enabled"] is True
        assert config[kind] == {"url": url}
        assert set(config) == {"name", "description", "config_type", "is_enabled", kind}
    pager = configs["lambda-logs-alarms-pager"]
    assert pager["config_type"] == "webhook"
    assert pager["webhook"] == {
        "url": PAGER,
        "header_params": {"X-Api-Key": "secret-key"},
        "method": "PUT",
    }
    created = opensearch_fake.requests_to(r"/_plugins/_notifications/configs", "POST")
    assert [r.json()["config_id"] for r in created] == IDS
    assert "notification_tests" not in opensearch_fake.objects or not opensearch_fake.objects[
        "notification_tests"
    ].get("sent")


def test_every_monitor_action_goes_to_every_channel(opensearch_fake: FakeOpenSearch) -> None:
    apply_content(connection(opensearch_fake), settings(), channel_secrets=SECRETS)
    monitors = [m["monitor"] for m in opensearch_fake.objects["monitors"].values()]
    assert len(monitors) == 4
    for monitor in monitors:
        for trigger in monitor["triggers"]:
            ((_kind, spec),) = trigger.items()
            destinations = [a["destination_id"] for a in spec["actions"]]
            assert destinations == IDS, monitor["name"]
            names = [a["name"] for a in spec["actions"]]
            assert len(set(names)) == len(names)  # Alerting shows them by name
            assert len({a["message_template"]["source"] for a in spec["actions"]}) == 1


def test_channels_without_an_sns_topic_still_get_the_actions(
    opensearch_fake: FakeOpenSearch,
) -> None:
    only = settings(alarm_topic_arn="", alerting_role_arn="", channels=SPECS[:1])
    result = apply_content(connection(opensearch_fake), only, channel_secrets=SECRETS)
    assert result.channel_ids == ["lambda-logs-alarms-ops"]
    for stored in opensearch_fake.objects["monitors"].values():
        ((_kind, spec),) = stored["monitor"]["triggers"][0].items()
        assert [a["destination_id"] for a in spec["actions"]] == ["lambda-logs-alarms-ops"]


def test_update_in_place_and_stale_channels_deleted(opensearch_fake: FakeOpenSearch) -> None:
    first = apply_content(connection(opensearch_fake), settings(), channel_secrets=SECRETS)
    changed = {**SECRETS, "ops": ChannelSecret(SLACK + "-rotated")}
    fewer = settings(channels=SPECS[:1])
    second = apply_content(
        connection(opensearch_fake),
        fewer,
        channel_secrets=changed,
        previous_channel_ids=first.channel_ids,
    )
    assert second.channel_ids == IDS[:2]
    configs = opensearch_fake.objects["notifications"]
    assert sorted(configs) == sorted(IDS[:2])
    assert configs["lambda-logs-alarms-ops"]["slack"]["url"] == SLACK + "-rotated"
    deleted = [r.path for r in opensearch_fake.requests if r.method == "DELETE"]
    assert deleted == [f"/_plugins/_notifications/configs/{i}" for i in sorted(IDS[2:])]


def test_test_message_sent_to_every_channel_when_asked(opensearch_fake: FakeOpenSearch) -> None:
    apply_content(
        connection(opensearch_fake), settings(test_notification=True), channel_secrets=SECRETS
    )
    assert opensearch_fake.objects["notification_tests"]["sent"] == IDS
    tests = opensearch_fake.requests_to(r"/_plugins/_notifications/feature/test/.*", "POST")
    assert len(tests) == len(IDS)


def test_an_undelivered_test_message_fails_without_showing_the_url(
    opensearch_fake: FakeOpenSearch,
) -> None:
    failed = {"status_list": [{"delivery_status": {"status_code": "404", "status_text": SLACK}}]}
    opensearch_fake.respond("POST", r"/_plugins/_notifications/feature/test/.*-ops", 200, failed)
    with pytest.raises(OpenSearchRequestError, match="not delivered") as raised:
        apply_content(
            connection(opensearch_fake), settings(test_notification=True), channel_secrets=SECRETS
        )
    assert SLACK not in str(raised.value) and "<secret>" in str(raised.value)
    assert "testNotification" in str(raised.value)


def test_a_refused_channel_error_hides_the_secret(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.fail(400, r"/_plugins/_notifications/configs", "POST", reason=f"bad {PAGER}")
    with pytest.raises(OpenSearchRequestError) as raised:
        apply_content(connection(opensearch_fake), settings(), channel_secrets=SECRETS)
    assert PAGER not in str(raised.value) and "secret-pager" not in str(raised.value)


def test_a_channel_without_its_url_is_a_clear_error(opensearch_fake: FakeOpenSearch) -> None:
    with pytest.raises(ChannelSecretMissingError, match="Slack channel ops has no URL"):
        apply_content(connection(opensearch_fake), settings(), channel_secrets={})


@pytest.mark.parametrize(
    "channels,problem",
    [
        ((ChannelSpec("Ops!", "slack"),), "channel name"),
        ((ChannelSpec("ops", "discord"),), "channel type"),
        ((ChannelSpec("a", "slack"), ChannelSpec("a", "chime")), "used twice"),
    ],
)
def test_invalid_channels_are_refused(channels: tuple[ChannelSpec, ...], problem: str) -> None:
    with pytest.raises(ArtifactError, match=problem):
        ContentSettings(channels=channels)


def test_the_provider_keeps_urls_out_of_the_hash_and_reapplies_on_a_new_url(
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
        "alarm_topic_arn": TOPIC,
        "alerting_role_arn": ROLE,
        "notification_channels": channels_json(SPECS),
        "notification_secrets": secrets_json(SECRETS),
        "test_notification": False,
    }
    props["content_hash"] = content_hash(props)
    provider = ContentProvider()
    created = provider.create(props)
    assert created.outs is not None and created.outs["channel_ids"] == IDS
    plain = {k: v for k, v in created.outs.items() if k != "notification_secrets"}
    assert SLACK not in json.dumps(plain) and "secret-key" not in json.dumps(plain)
    rotated = {
        **props,
        "notification_secrets": secrets_json({**SECRETS, "ops": ChannelSecret(SLACK + "x")}),
    }
    assert content_hash(rotated) == props["content_hash"]
    assert provider.diff("id", created.outs, rotated).changes is True
    assert provider.diff("id", created.outs, {**props}).changes is False
    fewer = {**props, "notification_channels": channels_json(SPECS[:1])}
    fewer["content_hash"] = content_hash(fewer)
    updated = provider.update("id", created.outs, fewer)
    assert updated.outs is not None and updated.outs["channel_ids"] == IDS[:2]
    assert sorted(opensearch_fake.objects["notifications"]) == sorted(IDS[:2])
