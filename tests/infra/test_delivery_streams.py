"""GIVEN `deliveryStreams 3` WHEN the program runs THEN three streams share the indices, the
bucket and the transformer, each with its own error log group, and every role, environment and
the account policy covers exactly those three streams, in routing order."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_shared import routing
from tests.infra.conftest import BYO_ARN, BYO_ENDPOINT
from tests.infra.harness import (
    ACCOUNT,
    REGION,
    ProgramRun,
    base_config,
    key,
    offline_packages,
    run_program,
)
from tests.infra.policy_checks import assert_least_privilege, resources_for

STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
FUNCTION = "aws:lambda/function:Function"
ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
INVOCATION = "pulumi-python:dynamic/lambdalogs:LambdaInvocation"
NAMES = ("lambda-logs-test", "lambda-logs-test-2", "lambda-logs-test-3")
ARNS = tuple(f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{n}" for n in NAMES)
ERROR_GROUPS = (
    "/lambda-logs-pipeline/lambda-logs-test/firehose",
    "/lambda-logs-pipeline/lambda-logs-test/firehose-2",
    "/lambda-logs-pipeline/lambda-logs-test/firehose-3",
)
GROUPS = tuple(f"/aws/lambda/function-{i}" for i in range(40))


@pytest.fixture(scope="module")
def three_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    """Reconciler mode with three delivery streams."""
    packages = offline_packages(tmp_path_factory.mktemp("three"))
    return run_program({**base_config(), "deliveryStreams": "3"}, packages)


@pytest.fixture(scope="module")
def three_policy_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    """Account-policy mode (existing domain) with three delivery streams."""
    values = {
        "existingDomainArn": BYO_ARN,
        "existingDomainEndpoint": BYO_ENDPOINT,
        "subscriptionMode": "account-policy",
        "deliveryStreams": "3",
    }
    packages = offline_packages(tmp_path_factory.mktemp("three-policy"), bundle_orjson=False)
    return run_program(values, packages)


def _policy(run: ProgramRun, name: str) -> dict[str, Any]:
    policy: dict[str, Any] = run.one(ROLE_POLICY, name).json("policy")
    assert_least_privilege(policy)
    return policy


def _variables(run: ProgramRun, function: str) -> dict[str, str]:
    variables: dict[str, str] = run.one(FUNCTION, function).inputs["environment"]["variables"]
    return variables


def _by_name(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {stream.inputs["name"]: stream.inputs for stream in run.of_type(STREAM)}


# --- the streams ------------------------------------------------------------------------------


def test_stream_0_keeps_its_resource_and_name_and_the_others_are_numbered(
    three_run: ProgramRun,
) -> None:
    streams = three_run.of_type(STREAM)
    # (registration order is not deterministic: compare as a mapping)
    assert {s.name: s.inputs["name"] for s in streams} == {
        "lambda-logs-stream": "lambda-logs-test",
        "lambda-logs-stream-2": "lambda-logs-test-2",
        "lambda-logs-stream-3": "lambda-logs-test-3",
    }


def test_every_stream_delivers_to_the_same_indices_bucket_and_transformer(
    three_run: ProgramRun,
) -> None:
    configs = [s["opensearchConfiguration"] for s in _by_name(three_run).values()]
    assert len(configs) == len(NAMES)
    shared = {
        (
            c["domainArn"],
            c["indexName"],
            c["indexRotationPeriod"],
            c["roleArn"],
            c["s3BackupMode"],
            c["s3Configuration"]["bucketArn"],
            c["s3Configuration"]["prefix"],
            c["processingConfiguration"]["processors"][0]["parameters"][0]["parameterValue"],
        )
        for c in configs
    }
    assert shared == {
        (
            f"arn:aws:es:{REGION}:{ACCOUNT}:domain/lambda-logs-test",
            "lambda-logs",
            "OneDay",
            f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-delivery-firehose",
            "AllDocuments",
            "arn:aws:s3:::lambda-logs-backup-0a1b2c3",
            configs[0]["s3Configuration"]["prefix"],
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lambda-logs-test-transformer:$LATEST",
        )
    }


def test_each_stream_logs_its_errors_to_its_own_group(three_run: ProgramRun) -> None:
    streams = _by_name(three_run)
    logged = {
        name: {
            inputs["opensearchConfiguration"]["cloudwatchLoggingOptions"]["logGroupName"],
            inputs["opensearchConfiguration"]["s3Configuration"]["cloudwatchLoggingOptions"][
                "logGroupName"
            ],
        }
        for name, inputs in streams.items()
    }
    assert logged == {name: {group} for name, group in zip(NAMES, ERROR_GROUPS, strict=True)}
    created = {group.inputs["name"] for group in three_run.of_type(LOG_GROUP)}
    assert set(ERROR_GROUPS) <= created


def test_every_stream_waits_for_the_content_and_the_firehose_role_policy(
    three_run: ProgramRun,
) -> None:
    for resource in ("lambda-logs-stream", "lambda-logs-stream-2", "lambda-logs-stream-3"):
        deps = three_run.depends_on[key(STREAM, resource)]
        assert key(ROLE_POLICY, "lambda-logs-delivery-firehose") in deps
        assert key("lambdalogs:opensearch:Content", "lambda-logs-content") in deps


def test_destroy_removes_the_filters_before_any_stream(three_run: ProgramRun) -> None:
    """Pulumi deletes a resource before what it depends on: the subscriber's remove-at-destroy
    runs while every stream a filter may point at still exists."""
    invocation = key(INVOCATION, "lambda-logs-subscriber-lifecycle")
    deps = three_run.depends_on[invocation]
    for resource in ("lambda-logs-stream", "lambda-logs-stream-2", "lambda-logs-stream-3"):
        assert key(STREAM, resource) in deps


# --- IAM: exactly the N streams ----------------------------------------------------------------


def test_cloudwatch_logs_may_put_into_every_stream_and_no_other(three_run: ProgramRun) -> None:
    # the three, and the names a lower or higher `deliveryStreams` gives (scale-down: a filter
    # still on a removed stream delivers until it is re-pointed), nothing else
    every = {ARNS[0], *(f"{ARNS[0]}-{i}" for i in range(2, 11))}
    policy = _policy(three_run, "lambda-logs-delivery-logs")
    for action in ("firehose:PutRecord", "firehose:PutRecordBatch"):
        assert resources_for(policy, action) == every >= set(ARNS)


def test_the_transformer_may_reingest_into_every_stream_and_no_other(
    three_run: ProgramRun,
) -> None:
    policy = _policy(three_run, "lambda-logs-transformer-policy")
    assert resources_for(policy, "firehose:PutRecordBatch") == set(ARNS)


def test_the_subscriber_may_backfill_into_every_stream_and_no_other(three_run: ProgramRun) -> None:
    policy = _policy(three_run, "lambda-logs-subscriber-policy")
    assert resources_for(policy, "firehose:PutRecordBatch") == set(ARNS)


def test_firehose_may_write_every_streams_error_logs(three_run: ProgramRun) -> None:
    policy = _policy(three_run, "lambda-logs-delivery-firehose")
    assert resources_for(policy, "logs:PutLogEvents") == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*" for group in ERROR_GROUPS
    }


# --- environments: the N streams, in routing order -------------------------------------------


def test_the_subscriber_gets_every_stream_arn_in_order(three_run: ProgramRun) -> None:
    variables = _variables(three_run, "lambda-logs-subscriber")
    assert variables["DESTINATION_ARN"] == ",".join(ARNS)
    assert set(ERROR_GROUPS) <= set(variables["PIPELINE_LOG_GROUPS"].split(","))


def test_the_transformer_gets_every_stream_name_in_order(
    three_run: ProgramRun, default_run: ProgramRun
) -> None:
    variables = _variables(three_run, "lambda-logs-transformer")
    assert variables["DELIVERY_STREAM_NAMES"] == ",".join(NAMES)
    # one stream: no list, each document goes back into the stream it came from
    assert "DELIVERY_STREAM_NAMES" not in _variables(default_run, "lambda-logs-transformer")
    subscriber = _variables(default_run, "lambda-logs-subscriber")
    assert subscriber["DESTINATION_ARN"] == ARNS[0]


def test_both_functions_route_every_group_to_the_same_stream(three_run: ProgramRun) -> None:
    # GIVEN the two lists as each function receives them
    arns = _variables(three_run, "lambda-logs-subscriber")["DESTINATION_ARN"].split(",")
    names = _variables(three_run, "lambda-logs-transformer")["DELIVERY_STREAM_NAMES"].split(",")
    # THEN a group's filter points at the stream its documents are re-ingested into
    routed = {routing.route(group, names) for group in GROUPS}
    for group in GROUPS:
        assert routing.route(group, arns).endswith(f"/{routing.route(group, names)}")
    assert routed == set(NAMES), "40 groups reach every one of 3 streams"


# --- outputs ------------------------------------------------------------------------------------


def test_outputs_keep_stream_0_and_list_every_stream(three_run: ProgramRun) -> None:
    outputs = three_run.outputs
    assert (outputs["streamName"], outputs["streamArn"]) == (NAMES[0], ARNS[0])
    assert (outputs["streamNames"], outputs["streamArns"]) == (list(NAMES), list(ARNS))


# --- account-policy mode: one policy, so stream 0 ------------------------------------------------


def test_the_account_policy_points_at_stream_0(three_policy_run: ProgramRun) -> None:
    policy = three_policy_run.one(ACCOUNT_POLICY)
    assert policy.json("policyDocument")["DestinationArn"] == ARNS[0]
    assert len(three_policy_run.of_type(STREAM)) == 3


def test_the_account_policy_excludes_every_streams_error_log_group(
    three_policy_run: ProgramRun,
) -> None:
    criteria = three_policy_run.one(ACCOUNT_POLICY).inputs["selectionCriteria"]
    for group in (
        *ERROR_GROUPS,
        "/lambda-logs-pipeline/lambda-logs-test/transformer",
        "/lambda-logs-pipeline/lambda-logs-test/subscriber",
    ):
        assert f'"{group}"' in criteria, group


def test_the_account_policy_waits_for_every_stream(three_policy_run: ProgramRun) -> None:
    deps = three_policy_run.depends_on[key(ACCOUNT_POLICY, "lambda-logs-account-policy")]
    for resource in ("lambda-logs-stream", "lambda-logs-stream-2", "lambda-logs-stream-3"):
        assert key(STREAM, resource) in deps


def test_account_policy_mode_spreads_reingestion_over_every_stream(
    three_policy_run: ProgramRun,
) -> None:
    variables = _variables(three_policy_run, "lambda-logs-transformer")
    assert variables["DELIVERY_STREAM_NAMES"] == ",".join(NAMES)
    policy = _policy(three_policy_run, "lambda-logs-transformer-policy")
    assert resources_for(policy, "firehose:PutRecordBatch") == set(ARNS)
