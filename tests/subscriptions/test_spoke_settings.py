"""Spoke mode's environment: DESTINATION_ARN holds the hub's CloudWatch Logs destinations,
ROLE_ARN is absent; mixing kinds, a role, or another region is refused with the fix."""

from __future__ import annotations

import pytest

from lambda_shared.pipeline_groups import pipeline_log_group
from subscriptions.errors import SettingsError
from subscriptions.selection import Selection
from subscriptions.settings import Settings
from tests.subscriptions.test_settings import VALID

HUB = "210987654321"
DEST_A = f"arn:aws:logs:eu-west-1:{HUB}:destination:lambda-logs-hub-0"
DEST_B = f"arn:aws:logs:eu-west-1:{HUB}:destination:lambda-logs-hub-1"
STREAM = VALID["DESTINATION_ARN"]
SPOKE = {
    **{k: v for k, v in VALID.items() if k != "ROLE_ARN"},
    "DESTINATION_ARN": f"{DEST_A}, {DEST_B}",
    "AWS_REGION": "eu-west-1",
}


def test_a_spoke_reads_the_hubs_destinations_in_order_without_a_role() -> None:
    # GIVEN the hub's two destinations and no ROLE_ARN
    # WHEN the settings are read
    settings = Settings.from_env(SPOKE)

    # THEN both are logical destinations of the hub, in order, with no role
    assert settings.spoke
    assert [d.arn for d in settings.destinations] == [DEST_A, DEST_B]
    assert {(d.kind, d.account_id, d.region) for d in settings.destinations} == {
        ("logs", HUB, "eu-west-1")
    }
    assert [d.stream_name for d in settings.destinations] == [
        "lambda-logs-hub-0",
        "lambda-logs-hub-1",
    ]
    assert settings.role_arn == ""


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_a_destination_of_another_partition_is_read(partition: str) -> None:
    arn = f"arn:{partition}:logs:eu-west-1:{HUB}:destination:hub"
    settings = Settings.from_env({**SPOKE, "DESTINATION_ARN": arn, "ROLE_ARN": ""})
    assert settings.destination.kind == "logs" and settings.destination.arn == arn


def test_a_standalone_stack_still_reads_firehose_streams_and_needs_its_role() -> None:
    settings = Settings.from_env(VALID)
    assert not settings.spoke and settings.destination.kind == "firehose"
    assert settings.role_arn == VALID["ROLE_ARN"]
    with pytest.raises(SettingsError, match=r"^ROLE_ARN is not set"):
        Settings.from_env({k: v for k, v in VALID.items() if k != "ROLE_ARN"})


def test_mixing_streams_and_destinations_is_refused() -> None:
    env = {**VALID, "DESTINATION_ARN": f"{STREAM},{DEST_A}"}
    with pytest.raises(SettingsError, match="mixes Firehose stream ARNs and CloudWatch Logs"):
        Settings.from_env(env)


def test_a_role_with_destinations_is_refused() -> None:
    env = {**SPOKE, "ROLE_ARN": VALID["ROLE_ARN"]}
    with pytest.raises(SettingsError, match=r"^ROLE_ARN=.*take no role.*unset ROLE_ARN"):
        Settings.from_env(env)


def test_a_destination_in_another_region_is_refused_with_the_reason() -> None:
    env = {**SPOKE, "AWS_REGION": "us-east-1"}
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    assert "CloudWatch Logs requires the destination in the log groups' region" in str(raised.value)
    assert "us-east-1" in str(raised.value) and "spokeRegions" in str(raised.value)


def test_destinations_of_two_regions_are_refused() -> None:
    other = f"arn:aws:logs:eu-central-1:{HUB}:destination:lambda-logs-hub-1"
    env = {**SPOKE, "DESTINATION_ARN": f"{DEST_A},{other}"}
    with pytest.raises(SettingsError, match="mixes streams of eu-west-1"):
        Settings.from_env(env)


def test_a_malformed_destination_is_refused() -> None:
    env = {**SPOKE, "DESTINATION_ARN": f"arn:aws:logs:eu-west-1:{HUB}:log-group:x"}
    with pytest.raises(SettingsError, match="CloudWatch Logs destination ARNs"):
        Settings.from_env(env)


def test_a_spoke_still_excludes_every_deployments_groups_and_its_own() -> None:
    # GIVEN a spoke whose subscriber logs to its reserved pipeline group
    own = pipeline_log_group("spoke-prod", "subscriber")
    settings = Settings.from_env({**SPOKE, "AWS_LAMBDA_LOG_GROUP_NAME": own})
    selection = Selection.from_settings(settings)

    # THEN its own group, the hub's and any other deployment's are excluded; others are not
    assert selection.exclusion(own) == "pipeline"
    assert selection.exclusion(pipeline_log_group("hub", "transformer")) == "pipeline"
    assert selection.exclusion("/aws/lambda/app") is None
    # and no Firehose error-log group is implied for a destination (the hub's are the hub's)
    assert not [g for g in settings.pipeline_log_groups if g.startswith("/aws/kinesisfirehose/")]
