"""GIVEN non-default configurations WHEN the program runs THEN the stack changes as configured:
optional settings, bring-your-own domain, account-policy mode."""

from __future__ import annotations

import json

from tests.infra.conftest import BYO_ARN, BYO_ENDPOINT
from tests.infra.harness import ACCOUNT, REGION, ProgramRun, key
from tests.infra.policy_checks import assert_least_privilege, statements

DOMAIN = "aws:opensearch/domain:Domain"
STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
FUNCTION = "aws:lambda/function:Function"
ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
BYO_STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/lambda-logs-test"


# --- every optional setting given ------------------------------------------------------------


def test_allowed_cidrs_open_the_domain_to_those_networks_only(tuned_run: ProgramRun) -> None:
    policy = tuned_run.one(DOMAIN).json("accessPolicies")
    assert_least_privilege(policy)
    account, networks = statements(policy)
    assert account["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert networks["Condition"] == {
        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}
    }
    assert networks["Resource"] == f"arn:aws:es:{REGION}:{ACCOUNT}:domain/logs-prod/*"


def test_single_node_without_zone_awareness(tuned_run: ProgramRun) -> None:
    cluster = tuned_run.one(DOMAIN).inputs["clusterConfig"]
    assert cluster["instanceCount"] == 1
    assert cluster["zoneAwarenessEnabled"] is False
    assert "zoneAwarenessConfig" not in cluster


def test_non_default_processor_parameters_are_set(tuned_run: ProgramRun) -> None:
    config = tuned_run.one(STREAM).inputs["opensearchConfiguration"]
    (processor,) = config["processingConfiguration"]["processors"]
    assert processor["parameters"] == [
        {
            "parameterName": "LambdaArn",
            "parameterValue": (
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:logs-prod-transformer:$LATEST"
            ),
        },
        {"parameterName": "BufferSizeInMBs", "parameterValue": "0.5"},
        {"parameterName": "BufferIntervalInSeconds", "parameterValue": "30"},
    ]


def test_x86_functions(tuned_run: ProgramRun) -> None:
    for function in tuned_run.of_type(FUNCTION):
        assert function.inputs["architectures"] == ["x86_64"]


def test_keep_forever_has_no_transition_and_no_expiration(tuned_run: ProgramRun) -> None:
    (rule,) = tuned_run.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    ).inputs["rules"]
    assert "transitions" not in rule
    assert "expiration" not in rule
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_alarm_email_is_subscribed(tuned_run: ProgramRun) -> None:
    subscription = tuned_run.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert subscription["protocol"] == "email"
    assert subscription["endpoint"] == "ops@example.com"
    assert subscription["topic"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms"


def test_exclusions_and_pipeline_groups_reach_the_subscriber_once_each(
    tuned_run: ProgramRun,
) -> None:
    env = tuned_run.one(FUNCTION, "lambda-logs-subscriber").inputs["environment"]["variables"]
    assert env["EXCLUDE_LOG_GROUPS"].split(",") == ["/aws/lambda/noisy", "/aws/lambda/test-*"]
    assert env["PIPELINE_LOG_GROUPS"].split(",") == [
        "/lambda-logs-pipeline/logs-prod/transformer",
        "/lambda-logs-pipeline/logs-prod/subscriber",
        "/lambda-logs-pipeline/logs-prod/firehose",
        "/lambda-logs-pipeline/logs-prod/content-applier",
        "/lambda-logs-pipeline/logs-prod/architectures",
        "/lambda-logs-pipeline/logs-prod/alarm-relay",
    ]
    assert env["FILTER_NAME"] == "logs-prod"


# --- bring your own domain + account-policy mode ---------------------------------------------


def test_no_domain_is_created_for_an_existing_domain(byo_policy_run: ProgramRun) -> None:
    assert byo_policy_run.of_type(DOMAIN) == []
    assert byo_policy_run.of_type("lambdalogs:search:Domain") == []
    config = byo_policy_run.one(STREAM).inputs["opensearchConfiguration"]
    assert config["domainArn"] == BYO_ARN


def test_firehose_role_targets_the_existing_domain(byo_policy_run: ProgramRun) -> None:
    policy = byo_policy_run.one("aws:iam/rolePolicy:RolePolicy", "lambda-logs-delivery-firehose")
    text = json.dumps(policy.json("policy"))
    assert f"{BYO_ARN}/*" in text
    assert_least_privilege(policy.json("policy"))


def test_outputs_point_at_the_existing_domain(byo_policy_run: ProgramRun) -> None:
    assert byo_policy_run.outputs["domainEndpoint"] == BYO_ENDPOINT
    assert byo_policy_run.outputs["dashboardsUrl"] == f"https://{BYO_ENDPOINT}/_dashboards"
    assert byo_policy_run.outputs["subscriberFunctionName"] is None


def test_content_uses_sigv4_without_a_password(byo_policy_run: ProgramRun) -> None:
    content = [r for r in byo_policy_run.resources if r.name.startswith("lambda-logs-content-")]
    assert content
    inputs = content[0].inputs
    assert BYO_ENDPOINT in json.dumps(inputs, default=str)
    # no master user at all: the content is applied with the deployer's SigV4 credentials
    assert inputs["master_user_name"] == "" and inputs["master_user_password"] == ""


def test_account_policy_replaces_the_subscriber(byo_policy_run: ProgramRun) -> None:
    # no subscriber; only the hourly architecture publisher (tests/infra/test_architecture_publisher.py)
    names = {f.inputs["name"] for f in byo_policy_run.of_type(FUNCTION)}
    assert names == {"lambda-logs-test-transformer", "lambda-logs-test-architectures"}
    rules = byo_policy_run.of_type("aws:cloudwatch/eventRule:EventRule")
    assert [rule.inputs["scheduleExpression"] for rule in rules] == ["rate(1 hour)"]
    assert byo_policy_run.of_type("pulumi-python:dynamic/lambdalogs:LambdaInvocation") == []
    alarms = byo_policy_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert all("subscriber" not in json.dumps(a.inputs) for a in alarms)


def test_account_policy_document_and_exclusions(byo_policy_run: ProgramRun) -> None:
    policy = byo_policy_run.one(ACCOUNT_POLICY).inputs
    assert policy["policyType"] == "SUBSCRIPTION_FILTER_POLICY"
    assert policy["policyName"] == "lambda-logs-test-subscription"
    assert policy["scope"] == "ALL"
    assert json.loads(policy["policyDocument"]) == {
        "DestinationArn": BYO_STREAM_ARN,
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-delivery-logs",
        "FilterPattern": "-DEBUG",
        "Distribution": "Random",
    }
    criteria = policy["selectionCriteria"]
    assert criteria.startswith("LogGroupName NOT IN [")
    excluded = json.loads(criteria.removeprefix("LogGroupName NOT IN "))
    assert sorted(excluded) == [
        "/aws/lambda/noisy",
        "/lambda-logs-pipeline/lambda-logs-test/alarm-relay",
        "/lambda-logs-pipeline/lambda-logs-test/architectures",
        "/lambda-logs-pipeline/lambda-logs-test/content-applier",
        "/lambda-logs-pipeline/lambda-logs-test/firehose",
        "/lambda-logs-pipeline/lambda-logs-test/subscriber",
        "/lambda-logs-pipeline/lambda-logs-test/transformer",
    ]


def test_transformer_package_without_orjson_still_deploys(byo_policy_run: ProgramRun) -> None:
    function = byo_policy_run.one(FUNCTION, "lambda-logs-transformer").inputs
    assert function["handler"] == "transformer.handler.handler"
    assert function["sourceCodeHash"]


def test_account_policy_waits_for_the_logs_role_policy(byo_policy_run: ProgramRun) -> None:
    deps = byo_policy_run.depends_on[key(ACCOUNT_POLICY, "lambda-logs-account-policy")]
    assert key("aws:iam/rolePolicy:RolePolicy", "lambda-logs-delivery-logs") in deps
    assert key(STREAM, "lambda-logs-stream") in deps


def test_stream_waits_for_its_role_policy_with_an_existing_domain(
    byo_policy_run: ProgramRun,
) -> None:
    deps = byo_policy_run.depends_on[key(STREAM, "lambda-logs-stream")]
    assert key("aws:iam/rolePolicy:RolePolicy", "lambda-logs-delivery-firehose") in deps


def test_account_policy_mode_alarms_when_the_stream_receives_nothing(
    byo_policy_run: ProgramRun,
) -> None:
    alarms = byo_policy_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    (silent,) = [a.inputs for a in alarms if a.inputs.get("metricName") == "IncomingRecords"]
    assert (silent["statistic"], silent["comparisonOperator"], silent["threshold"]) == (
        "Sum",
        "LessThanThreshold",
        1,
    )
    # Firehose publishes nothing when nothing arrives: missing data is the breach itself
    assert silent["treatMissingData"] == "breaching"
    assert (silent["period"], silent["evaluationPeriods"]) == (3600, 3)
    # the only metric-math alarms are the stream's quota alarms (no subscriber metrics)
    math = [a.name for a in alarms if "metricQueries" in a.inputs]
    assert sorted(math) == [
        "lambda-logs-health-bytes-quota",
        "lambda-logs-health-put-requests-quota",
        "lambda-logs-health-records-quota",
    ]
