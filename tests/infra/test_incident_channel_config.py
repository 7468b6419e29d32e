"""PagerDuty and Opsgenie entries of notificationChannels: read into webhooks to the APIs with the
key as a header, checked without ever repeating a key, and under Pulumi mocks carried to the
content resource only inside the secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.config_errors import ConfigError
from infra.notification_channels import read_notification_channels
from opensearch.channels import ChannelSecret, ChannelSpec
from tests.infra.harness import ProgramRun, is_secret
from tests.infra.test_notification_channels import _without_secrets, run_with_channels

ROUTING_KEY = "0123456789abcdef0123456789abcdef"
GENIE_KEY = "11111111-2222-3333-4444-555555555555"
CHANNELS = json.dumps(
    [
        {"name": "oncall", "type": "pagerduty", "routingKey": ROUTING_KEY},
        {"type": "opsgenie", "apiKey": GENIE_KEY},
        {"name": "genie-eu", "type": "opsgenie", "apiKey": GENIE_KEY, "region": "eu"},
    ]
)
JSON = {"Content-Type": "application/json"}


def test_pagerduty_and_opsgenie_become_webhooks_to_their_apis() -> None:
    channels = read_notification_channels(CHANNELS)
    assert channels.specs == (
        ChannelSpec("oncall", "pagerduty"),
        ChannelSpec("opsgenie", "opsgenie"),
        ChannelSpec("genie-eu", "opsgenie"),
    )
    secrets = channels.secret_map()
    assert secrets["oncall"] == ChannelSecret(
        "https://events.pagerduty.com/v2/enqueue", {**JSON, "X-Routing-Key": ROUTING_KEY}
    )
    genie = {**JSON, "Authorization": f"GenieKey {GENIE_KEY}"}
    assert secrets["opsgenie"] == ChannelSecret("https://api.opsgenie.com/v2/alerts", genie)
    assert secrets["genie-eu"] == ChannelSecret("https://api.eu.opsgenie.com/v2/alerts", genie)


@pytest.mark.parametrize(
    "entry,problem",
    [
        ({"type": "pagerduty"}, "routingKey must be"),
        ({"type": "pagerduty", "routingKey": ROUTING_KEY + '"}'}, "routingKey must be"),
        (
            {"type": "pagerduty", "routingKey": ROUTING_KEY, "url": "https://x/y"},
            "unknown keys url",
        ),
        ({"type": "opsgenie", "apiKey": GENIE_KEY, "region": "ap"}, "region must be us or eu"),
        ({"type": "opsgenie", "apiKey": GENIE_KEY, "headers": {}}, "unknown keys headers"),
        ({"type": "opsgenie", "apiKey": "short"}, "apiKey must be"),
    ],
)
def test_bad_entries_say_what_to_fix_without_the_key(
    entry: dict[str, object], problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem) as raised:
        read_notification_channels(json.dumps([entry]))
    assert ROUTING_KEY not in str(raised.value) and GENIE_KEY not in str(raised.value)


@pytest.fixture(scope="module")
def incident_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    packages: Path = tmp_path_factory.mktemp("incident-channels")
    return run_with_channels(packages, CHANNELS)


def test_the_keys_reach_the_content_resource_only_as_a_secret(incident_run: ProgramRun) -> None:
    content = incident_run.one("pulumi-python:dynamic:Resource", "lambda-logs-content-apply")
    assert json.loads(content.raw_inputs["notification_channels"]) == [
        {"name": "oncall", "type": "pagerduty"},
        {"name": "opsgenie", "type": "opsgenie"},
        {"name": "genie-eu", "type": "opsgenie"},
    ]
    assert is_secret(content.raw_inputs["notification_secrets"])
    secrets = json.loads(content.inputs["notification_secrets"])
    assert secrets["oncall"]["headers"]["X-Routing-Key"] == ROUTING_KEY
    assert secrets["genie-eu"]["url"] == "https://api.eu.opsgenie.com/v2/alerts"
    plain = json.dumps(
        [_without_secrets(r.raw_inputs) for r in incident_run.resources], default=str
    ) + json.dumps(_without_secrets(incident_run.outputs), default=str)
    assert ROUTING_KEY not in plain and GENIE_KEY not in plain
