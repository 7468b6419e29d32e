"""Lambda refuses a function whose environment (keys and values) exceeds 4 KB: the program
refuses such a configuration before creating anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config_errors import ConfigError
from infra.function_environments import ENVIRONMENT_MAX_BYTES, check_environment_sizes
from infra.stack_config import StackConfig
from infra.stack_names import MAX_DELIVERY_STREAMS
from tests.infra.harness import base_config, offline_packages, run_program


def test_an_environment_above_4_kb_is_refused_with_the_key_to_shorten(tmp_path: Path) -> None:
    # GIVEN label keys that make the transformer's environment larger than 4 KB
    labels = ",".join(f"label_{i:04d}" for i in range(400))
    # WHEN the program runs THEN it stops with the key to shorten, before any resource
    with pytest.raises(ConfigError) as raised:
        run_program({**base_config(), "labelKeys": labels}, offline_packages(tmp_path))
    assert "4096" in str(raised.value) or "4 KB" in str(raised.value)
    assert "pulumi config set labelKeys" in str(raised.value)


def test_the_longest_value_is_blamed_for_the_subscriber(tmp_path: Path) -> None:
    excludes = ",".join(f"/aws/lambda/noisy-function-{i:04d}" for i in range(150))
    with pytest.raises(ConfigError) as raised:
        run_program({**base_config(), "excludeLogGroups": excludes}, offline_packages(tmp_path))
    assert "subscriber" in str(raised.value)
    assert "pulumi config set excludeLogGroups" in str(raised.value)


def test_a_large_environment_within_4_kb_deploys(tmp_path: Path) -> None:
    labels = ",".join(f"label_{i:04d}" for i in range(200))  # ~2,200 bytes
    run = run_program({**base_config(), "labelKeys": labels}, offline_packages(tmp_path))
    function = run.one("aws:lambda/function:Function", "lambda-logs-transformer")
    assert function.inputs["environment"]["variables"]["LABEL_KEYS"] == labels


def test_account_policy_mode_has_no_subscriber_environment_to_limit(tmp_path: Path) -> None:
    excludes = ",".join(f"/aws/lambda/noisy-function-{i:04d}" for i in range(150))
    values = {**base_config(), "subscriptionMode": "account-policy", "excludeLogGroups": excludes}
    run = run_program(values, offline_packages(tmp_path))
    assert run.of_type("aws:cloudwatch/logAccountPolicy:LogAccountPolicy")


LONGEST_PREFIX = "p" * 40  # resourcePrefix is at most 40 characters


def test_the_most_streams_with_the_longest_names_fit_in_4_kb(tmp_path: Path) -> None:
    # GIVEN the most delivery streams a stack runs, named from the longest prefix
    values = {
        **base_config(),
        "deliveryStreams": str(MAX_DELIVERY_STREAMS),
        "resourcePrefix": LONGEST_PREFIX,
    }
    # WHEN the program runs THEN both environments carry every stream and stay within 4 KB
    run = run_program(values, offline_packages(tmp_path))
    for function in ("lambda-logs-transformer", "lambda-logs-subscriber"):
        variables = run.one("aws:lambda/function:Function", function).inputs["environment"][
            "variables"
        ]
        size = sum(len(k.encode()) + len(v.encode()) for k, v in variables.items())
        assert size <= ENVIRONMENT_MAX_BYTES, (function, size)
    subscriber = run.one("aws:lambda/function:Function", "lambda-logs-subscriber")
    arns = subscriber.inputs["environment"]["variables"]["DESTINATION_ARN"].split(",")
    assert len(arns) == MAX_DELIVERY_STREAMS


def test_the_size_check_counts_every_stream_at_its_longest() -> None:
    # GIVEN the most streams, the longest prefix and exclusions that fill most of the rest
    base = {**base_config(), "resourcePrefix": LONGEST_PREFIX}
    excludes = ",".join(f"/aws/lambda/noisy-function-{i:04d}" for i in range(90))
    one = StackConfig.from_values(
        {**base, "excludeLogGroups": excludes}, stack="dev", region="ap-southeast-5"
    )
    check_environment_sizes(one)  # fits with one stream
    many = StackConfig.from_values(
        {**base, "excludeLogGroups": excludes, "deliveryStreams": str(MAX_DELIVERY_STREAMS)},
        stack="dev",
        region="ap-southeast-5",
    )
    # THEN the streams' ARNs and error groups count, and the user's longest list is blamed
    with pytest.raises(ConfigError) as raised:
        check_environment_sizes(many)
    assert "pulumi config set excludeLogGroups" in str(raised.value)
