"""The environment contract: six required variables, clear errors naming the variable."""

from __future__ import annotations

import pytest

from subscriptions.errors import SettingsError
from subscriptions.settings import Settings

VALID = {
    "DESTINATION_ARN": "arn:aws:firehose:eu-west-1:123456789012:deliverystream/lambda-logs",
    "ROLE_ARN": "arn:aws:iam::123456789012:role/cwl-to-firehose",
    "FILTER_NAME": "lambda-logs-pipeline",
    "FILTER_PATTERN": "",
    "LOG_GROUP_PREFIXES": "/aws/lambda/",
    "EXCLUDE_LOG_GROUPS": "",
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_missing_variable_is_named(name: str) -> None:
    # GIVEN the environment without one required variable
    env = {k: v for k, v in VALID.items() if k != name}

    # WHEN / THEN reading it fails, naming the variable
    with pytest.raises(SettingsError, match=f"^{name} is not set"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DESTINATION_ARN", "arn:aws:kinesis:eu-west-1:123456789012:stream/x"),
        ("DESTINATION_ARN", "lambda-logs"),
        ("ROLE_ARN", "arn:aws:iam::123456789012:user/bob"),
        ("FILTER_NAME", "bad:name"),
        ("FILTER_NAME", ""),
        ("FILTER_PATTERN", "x" * 1025),
        ("LOG_GROUP_PREFIXES", "/aws/lambda/, /has space/"),
        ("EXCLUDE_LOG_GROUPS", "/aws/lambda/ok,/bad{brace}"),
        ("PIPELINE_LOG_GROUPS", "/aws/lambda/glob-*"),
        ("BACKFILL_LOOKBACK_HOURS", "a day"),
        ("BACKFILL_LOOKBACK_HOURS", "-1"),
        ("BACKFILL_LOOKBACK_HOURS", "nan"),
        ("TIME_BUDGET_MARGIN_SECONDS", "1e9"),
        ("MAX_CONTINUATIONS", "2.5"),
        ("METRICS_NAMESPACE", "bad{namespace}"),
    ],
)
def test_a_malformed_variable_is_named(name: str, value: str) -> None:
    # GIVEN one malformed variable
    env = {**VALID, name: value}

    # WHEN / THEN reading it fails, naming the variable
    with pytest.raises(SettingsError, match=f"^{name}"):
        Settings.from_env(env)


def test_reads_a_valid_environment_with_defaults() -> None:
    # GIVEN the six variables only
    # WHEN they are read
    settings = Settings.from_env(VALID)

    # THEN the destination is parsed and the optional values take their defaults
    assert settings.destination.stream_name == "lambda-logs"
    assert settings.destination.account_id == "123456789012"
    assert settings.destination.region == "eu-west-1"
    assert settings.log_group_prefixes == ("/aws/lambda/",)
    assert settings.exclude_patterns == ()
    assert settings.backfill_lookback_hours == 24.0
    assert settings.time_budget_margin_seconds == 30.0
    assert settings.max_continuations == 100
    assert settings.metrics_namespace == "LambdaLogs"
    assert settings.pipeline_log_groups == ("/aws/kinesisfirehose/lambda-logs",)


def test_normalises_lists_and_always_excludes_the_subscribers_own_group() -> None:
    # GIVEN overlapping prefixes, spaced lists, and Lambda's own AWS_LAMBDA_LOG_GROUP_NAME
    env = {
        **VALID,
        "LOG_GROUP_PREFIXES": " /aws/lambda/prod- , /aws/lambda/ ,/app/,",
        "EXCLUDE_LOG_GROUPS": "/aws/lambda/tmp-*, /app/secret",
        "PIPELINE_LOG_GROUPS": "/aws/lambda/transformer",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/subscriber",
        "BACKFILL_LOOKBACK_HOURS": "1.5",
    }

    # WHEN they are read
    settings = Settings.from_env(env)

    # THEN the covered prefix is dropped, items are trimmed, the own group is added
    assert settings.log_group_prefixes == ("/app/", "/aws/lambda/")
    assert settings.exclude_patterns == ("/aws/lambda/tmp-*", "/app/secret")
    assert settings.pipeline_log_groups == (
        "/aws/lambda/transformer",
        "/aws/lambda/subscriber",
        "/aws/kinesisfirehose/lambda-logs",
    )
    assert settings.backfill_lookback_hours == 1.5


def test_an_empty_prefix_list_means_every_group() -> None:
    # GIVEN LOG_GROUP_PREFIXES set but empty
    # WHEN it is read
    settings = Settings.from_env({**VALID, "LOG_GROUP_PREFIXES": " "})

    # THEN every group is under the one empty prefix
    assert settings.log_group_prefixes == ("",)
