"""The notificationChannels configuration: parsed and checked (errors never repeat a URL), only
accepted as a secret, and under Pulumi mocks carried to the content resource as a secret while
the plain inputs name the channels only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest import mock

import pulumi
import pulumi.runtime
import pytest

from infra.config_errors import ConfigError
from infra.notification_channels import read_notification_channels
from infra.stack_config import StackConfig
from opensearch.channels import ChannelSecret, ChannelSpec
from tests.infra.harness import (
    PROJECT,
    REGION,
    STACK,
    ProgramRun,
    RecordingMocks,
    base_config,
    is_secret,
    offline_packages,
)

SLACK = "https://hooks.slack.com/services/T0/B0/slack-secret-token"
PAGER = "https://events.example-pager.com/x/pager-secret-token"
CHANNELS = json.dumps(
    [
        {"name": "ops", "type": "slack", "url": SLACK},
        {"type": "microsoft_teams", "url": "https://contoso.webhook.office.com/teams-secret"},
        {"name": "pager", "type": "webhook", "url": PAGER, "headers": {"X-Key": "hdr-secret"}},
    ]
)
SECRET_TEXTS = ("slack-secret-token", "pager-secret-token", "teams-secret", "hdr-secret")


def test_channels_are_read_with_their_secrets_apart() -> None:
    channels = read_notification_channels(CHANNELS)
    assert channels.specs == (
        ChannelSpec("ops", "slack"),
        ChannelSpec("microsoft-teams", "microsoft_teams"),  # the default name: the type
        ChannelSpec("pager", "webhook"),
    )
    assert channels.secret_map()["pager"] == ChannelSecret(PAGER, {"X-Key": "hdr-secret"}, "POST")
    assert read_notification_channels("").specs == ()


@pytest.mark.parametrize(
    "value,problem",
    [
        ("[{", "is not JSON"),
        ('{"type": "slack"}', "JSON list"),
        ('[{"type": "discord", "url": "https://x.example/slack-secret-token"}]', "type must be"),
        ('[{"type": "slack", "url": "http://hooks.slack.com/slack-secret-token"}]', "https://"),
        ('[{"type": "slack", "url": "https://a/slack-secret-token", "name": "Ops"}]', "name must"),
        (
            '[{"type": "slack", "url": "https://a/slack-secret-token", "headers": {"a": "b"}}]',
            "webhook only",
        ),
        ('[{"type": "webhook", "url": "https://a/pager-secret-token", "method": "GET"}]', "method"),
        (
            '[{"type": "slack", "url": "https://a/slack-secret-token", "token": "x"}]',
            "unknown keys",
        ),
        (
            '[{"type": "chime", "url": "https://a/1"}, {"type": "chime", "url": "https://b/2"}]',
            "used twice",
        ),
    ],
)
def test_bad_values_say_what_to_fix_without_the_secret(value: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as raised:
        read_notification_channels(value)
    text = str(raised.value)
    assert "pulumi config set --secret notificationChannels" in text
    assert not any(secret in text for secret in SECRET_TEXTS)


def test_a_plain_text_value_is_refused() -> None:
    with pytest.raises(ConfigError, match="must be stored as a secret"):
        StackConfig.from_values(
            {**base_config(), "notificationChannels": CHANNELS},
            stack="dev",
            region=REGION,
            plain_text_keys=frozenset({"notificationChannels"}),
        )


def run_with_channels(packages: Path, channels: str = CHANNELS) -> ProgramRun:
    """The program under mocks with the channels set as a secret (as `pulumi config set
    --secret` stores them) and the test message asked for."""
    from infra.account_checks import AccountReaders
    from infra.program import main

    run = ProgramRun()
    pulumi.runtime.set_mocks(RecordingMocks(run), project=PROJECT, stack=STACK, preview=False)
    values = {**base_config(), "notificationChannels": channels, "testNotification": "true"}
    config = {f"{PROJECT}:{k}": v for k, v in values.items()}
    config["aws:region"] = REGION
    secret = [f"{PROJECT}:masterUserPassword", f"{PROJECT}:notificationChannels"]
    pulumi.runtime.set_all_config(config, secret)
    exported: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        main(offline_packages(packages), AccountReaders.offline())
        return pulumi.Output.from_input(exported).apply(run.outputs.update)

    with mock.patch("infra.program.pulumi.export", exported.__setitem__):
        pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
    return run


@pytest.fixture(scope="module")
def channels_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    return run_with_channels(tmp_path_factory.mktemp("channels"))


def _without_secrets(value: Any) -> Any:
    if is_secret(value):
        return "<secret>"
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def test_the_content_resource_gets_the_channels_and_their_urls_as_a_secret(
    channels_run: ProgramRun,
) -> None:
    content = channels_run.one("pulumi-python:dynamic:Resource", "lambda-logs-content-apply")
    assert json.loads(content.raw_inputs["notification_channels"]) == [
        {"name": "ops", "type": "slack"},
        {"name": "microsoft-teams", "type": "microsoft_teams"},
        {"name": "pager", "type": "webhook"},
    ]
    assert content.raw_inputs["test_notification"] is True
    assert is_secret(content.raw_inputs["notification_secrets"])
    secrets = json.loads(content.inputs["notification_secrets"])
    assert secrets["ops"] == {"url": SLACK, "headers": {}, "method": "POST"}
    assert secrets["pager"]["headers"] == {"X-Key": "hdr-secret"}


def test_no_url_or_header_in_any_plain_input_or_output(channels_run: ProgramRun) -> None:
    plain = json.dumps(
        [_without_secrets(r.raw_inputs) for r in channels_run.resources], default=str
    ) + json.dumps(_without_secrets(channels_run.outputs), default=str)
    assert not any(secret in plain for secret in SECRET_TEXTS)
