"""GIVEN the default configuration WHEN the program runs under mocks THEN every resource holds
the values the design requires (one shared run)."""

from __future__ import annotations

import json
from typing import Any

from infra.delivery_stream import DOCUMENTS_PREFIX, ERROR_PREFIX
from infra.event_patterns import CREATE_LOG_GROUP
from infra.search_domain import TLS_POLICY
from tests.infra.harness import (
    ACCOUNT,
    DEPLOYER_CIDR,
    PASSWORD,
    REGION,
    ProgramRun,
    is_secret,
    key,
)
from tests.infra.policy_checks import (
    allowed_actions,
    assert_least_privilege,
    resources_for,
    statements,
)

DOMAIN = "aws:opensearch/domain:Domain"
STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
PERMISSION = "aws:lambda/permission:Permission"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
INVOCATION = "pulumi-python:dynamic/lambdalogs:LambdaInvocation"
STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/lambda-logs-test"
TRANSFORMER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lambda-logs-test-transformer"
DOMAIN_ARN = f"arn:aws:es:{REGION}:{ACCOUNT}:domain/lambda-logs-test"


def _policy(run: ProgramRun, name: str) -> dict[str, Any]:
    policy: dict[str, Any] = run.one(ROLE_POLICY, name).json("policy")
    return policy


def _opensearch(run: ProgramRun) -> dict[str, Any]:
    config: dict[str, Any] = run.one(STREAM).inputs["opensearchConfiguration"]
    return config


# --- OpenSearch domain ---------------------------------------------------------------------


def test_domain_is_encrypted_https_only_with_fine_grained_access(default_run: ProgramRun) -> None:
    domain = default_run.one(DOMAIN).inputs
    assert domain["domainName"] == "lambda-logs-test"
    assert domain["engineVersion"] == "OpenSearch_2.19"
    assert domain["encryptAtRest"] == {"enabled": True}
    assert domain["nodeToNodeEncryption"] == {"enabled": True}
    assert domain["domainEndpointOptions"] == {
        "enforceHttps": True,
        "tlsSecurityPolicy": TLS_POLICY,
    }
    assert TLS_POLICY.startswith("Policy-Min-TLS-1-2")
    security = domain["advancedSecurityOptions"]
    assert security["enabled"] is True
    assert security["internalUserDatabaseEnabled"] is True
    assert security["anonymousAuthEnabled"] is False
    assert security["masterUserOptions"] == {
        "masterUserName": "admin",
        "masterUserPassword": PASSWORD,
    }


def test_master_password_reaches_the_engine_as_a_secret(default_run: ProgramRun) -> None:
    raw = default_run.one(DOMAIN).raw_inputs["advancedSecurityOptions"]
    assert is_secret(raw)


def test_domain_cluster_follows_the_defaults(default_run: ProgramRun) -> None:
    domain = default_run.one(DOMAIN).inputs
    assert domain["clusterConfig"] == {
        "instanceType": "m7g.large.search",
        "instanceCount": 2,
        "zoneAwarenessEnabled": True,
        "zoneAwarenessConfig": {"availabilityZoneCount": 2},
    }
    assert domain["ebsOptions"] == {"ebsEnabled": True, "volumeType": "gp3", "volumeSize": 100}


def test_domain_access_policy_is_limited_to_the_account_and_the_cidrs(
    default_run: ProgramRun,
) -> None:
    policy = default_run.one(DOMAIN).json("accessPolicies")
    assert_least_privilege(policy)
    account, networks = statements(policy)
    assert account["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert account["Resource"] == f"{DOMAIN_ARN}/*"
    assert "Condition" not in account
    assert networks["Resource"] == f"{DOMAIN_ARN}/*"
    assert networks["Condition"] == {"IpAddress": {"aws:SourceIp": [DEPLOYER_CIDR]}}


# --- S3 backup bucket ----------------------------------------------------------------------


def test_bucket_blocks_public_access_and_enforces_ownership(default_run: ProgramRun) -> None:
    block = default_run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        assert block[flag] is True, flag
    ownership = default_run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    bucket = default_run.one("aws:s3/bucket:Bucket").inputs
    assert bucket.get("forceDestroy") is False


def test_bucket_is_encrypted_and_tls_only(default_run: ProgramRun) -> None:
    encryption = default_run.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs
    (rule,) = encryption["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    policy = default_run.one("aws:s3/bucketPolicy:BucketPolicy").json("policy")
    bucket_arn = "arn:aws:s3:::lambda-logs-backup-0a1b2c3"
    for statement in statements(policy):
        assert statement["Effect"] == "Deny"
        assert statement["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    conditions = [s["Condition"] for s in statements(policy)]
    assert {"Bool": {"aws:SecureTransport": "false"}} in conditions
    assert {"NumericLessThan": {"s3:TlsVersion": "1.2"}} in conditions


def test_bucket_lifecycle_archives_then_expires(default_run: ProgramRun) -> None:
    lifecycle = default_run.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    ).inputs
    (rule,) = lifecycle["rules"]
    assert rule["status"] == "Enabled"
    assert rule["transitions"] == [{"days": 30, "storageClass": "GLACIER_IR"}]
    assert rule["expiration"] == {"days": 365}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


# --- Firehose ------------------------------------------------------------------------------


def test_stream_delivers_to_opensearch_with_daily_indices(default_run: ProgramRun) -> None:
    stream = default_run.one(STREAM).inputs
    assert stream["name"] == "lambda-logs-test"
    assert stream["destination"] == "opensearch"
    assert stream["serverSideEncryption"] == {"enabled": True, "keyType": "AWS_OWNED_CMK"}
    config = _opensearch(default_run)
    assert config["domainArn"] == DOMAIN_ARN
    assert config["indexName"] == "lambda-logs"
    assert config["indexRotationPeriod"] == "OneDay"
    assert config["retryDuration"] == 300
    assert (config["bufferingSize"], config["bufferingInterval"]) == (5, 60)
    assert config["documentIdOptions"] == {"defaultDocumentIdFormat": "FIREHOSE_DEFAULT"}
    assert config.get("typeName") in (None, "")


def test_stream_backs_up_every_document_with_dated_and_error_prefixes(
    default_run: ProgramRun,
) -> None:
    config = _opensearch(default_run)
    assert config["s3BackupMode"] == "AllDocuments"
    s3 = config["s3Configuration"]
    assert s3["bucketArn"] == "arn:aws:s3:::lambda-logs-backup-0a1b2c3"
    assert s3["prefix"] == DOCUMENTS_PREFIX
    assert "!{timestamp:yyyy}" in s3["prefix"]
    assert s3["errorOutputPrefix"] == ERROR_PREFIX
    assert s3["errorOutputPrefix"].startswith("!{firehose:error-output-type}/")
    assert s3["cloudwatchLoggingOptions"]["enabled"] is True


def test_processor_is_the_transformer_with_only_non_default_parameters(
    default_run: ProgramRun,
) -> None:
    processing = _opensearch(default_run)["processingConfiguration"]
    assert processing["enabled"] is True
    (processor,) = processing["processors"]
    assert processor["type"] == "Lambda"
    assert processor["parameters"] == [
        {"parameterName": "LambdaArn", "parameterValue": f"{TRANSFORMER_ARN}:$LATEST"}
    ]


def test_stream_logs_delivery_errors_to_its_own_group(default_run: ProgramRun) -> None:
    logging = _opensearch(default_run)["cloudwatchLoggingOptions"]
    assert logging == {
        "enabled": True,
        "logGroupName": "/lambda-logs-pipeline/lambda-logs-test/firehose",
        "logStreamName": "DestinationDelivery",
    }
    group = default_run.named("lambda-logs-stream-errors").inputs
    assert group["name"] == "/lambda-logs-pipeline/lambda-logs-test/firehose"
    assert group["retentionInDays"] == 30


def test_firehose_role_is_scoped_to_this_pipeline(default_run: ProgramRun) -> None:
    trust = default_run.one(ROLE, "lambda-logs-delivery-firehose")
    (assume,) = statements(trust.json("assumeRolePolicy"))
    assert assume["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert assume["Condition"] == {"StringEquals": {"sts:ExternalId": ACCOUNT}}
    policy = _policy(default_run, "lambda-logs-delivery-firehose")
    assert_least_privilege(policy)
    assert resources_for(policy, "lambda:InvokeFunction") == {
        TRANSFORMER_ARN,
        f"{TRANSFORMER_ARN}:*",
    }
    assert resources_for(policy, "es:ESHttpPut") == {DOMAIN_ARN, f"{DOMAIN_ARN}/*"}
    assert f"{DOMAIN_ARN}/lambda-logs*/_mapping/*" in resources_for(policy, "es:ESHttpGet")
    assert resources_for(policy, "s3:PutObject") == {
        "arn:aws:s3:::lambda-logs-backup-0a1b2c3",
        "arn:aws:s3:::lambda-logs-backup-0a1b2c3/*",
    }
    assert resources_for(policy, "logs:PutLogEvents") == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/lambda-logs-pipeline/lambda-logs-test/firehose:*"
    }


def test_logs_role_has_a_confused_deputy_condition(default_run: ProgramRun) -> None:
    role = default_run.one(ROLE, "lambda-logs-delivery-logs")
    (assume,) = statements(role.json("assumeRolePolicy"))
    assert assume["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert assume["Condition"] == {
        "StringLike": {"aws:SourceArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:*"}
    }
    policy = _policy(default_run, "lambda-logs-delivery-logs")
    assert_least_privilege(policy)
    assert allowed_actions(policy) == {"firehose:PutRecord", "firehose:PutRecordBatch"}
    # the stream, and the nine more names the stack's streams may have (deliveryStreams)
    every_stream = {STREAM_ARN, *(f"{STREAM_ARN}-{i}" for i in range(2, 11))}
    assert resources_for(policy, "firehose:PutRecordBatch") == every_stream


# --- transformer ---------------------------------------------------------------------------


def test_transformer_function_settings(default_run: ProgramRun) -> None:
    function = default_run.one(FUNCTION, "lambda-logs-transformer").inputs
    assert function["name"] == "lambda-logs-test-transformer"
    assert function["handler"] == "transformer.handler.handler"
    assert function["runtime"] == "python3.12"
    assert function["architectures"] == ["arm64"]
    assert (function["memorySize"], function["timeout"]) == (1024, 120)
    assert "reservedConcurrentExecutions" not in function
    assert (
        function["loggingConfig"]["logGroup"]
        == "/lambda-logs-pipeline/lambda-logs-test/transformer"
    )
    assert function["sourceCodeHash"]
    assert function["environment"]["variables"] == {
        "LABEL_KEYS": "milestone",
        "TRACE_ID_KEYS": "traceId,trace_id,correlation_id,correlationId",
        "MAX_MESSAGE_BYTES": "32768",
        "LOG_GROUP_PREFIXES": "/aws/lambda/",
        "FOLD_PLATFORM_EVENTS": "true",
        "EVENT_RULES": "",
        "ARCHITECTURE_BUCKET": "lambda-logs-backup-0a1b2c3",
        "REDACT_RULES": "",
        "METRICS_NAMESPACE": "LambdaLogs",
    }


def test_transformer_log_group_has_a_retention(default_run: ProgramRun) -> None:
    group = default_run.one(LOG_GROUP, "lambda-logs-transformer-logs").inputs
    assert group == {
        "name": "/lambda-logs-pipeline/lambda-logs-test/transformer",
        "retentionInDays": 30,
    }


def test_transformer_role_may_only_reingest_read_architectures_and_log(
    default_run: ProgramRun,
) -> None:
    policy = _policy(default_run, "lambda-logs-transformer-policy")
    assert_least_privilege(policy)
    assert allowed_actions(policy) == {  # no Lambda permission: no function's environment
        "firehose:PutRecordBatch",
        "s3:GetObject",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    assert resources_for(policy, "firehose:PutRecordBatch") == {STREAM_ARN}
    assert resources_for(policy, "s3:GetObject") == {
        "arn:aws:s3:::lambda-logs-backup-0a1b2c3/architectures/*"
    }
    assert resources_for(policy, "logs:PutLogEvents") == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/lambda-logs-pipeline/lambda-logs-test/transformer:*"
    }


# --- subscriber ----------------------------------------------------------------------------


def test_subscriber_function_and_environment(default_run: ProgramRun) -> None:
    function = default_run.one(FUNCTION, "lambda-logs-subscriber").inputs
    assert function["handler"] == "subscriptions.handler.handler"
    assert function["timeout"] == 900
    assert function["reservedConcurrentExecutions"] == 1  # never two reconciles at once
    env = function["environment"]["variables"]
    own = (
        "/lambda-logs-pipeline/lambda-logs-test/transformer,/lambda-logs-pipeline/lambda-logs-test/subscriber,"
        "/lambda-logs-pipeline/lambda-logs-test/firehose,"
        "/lambda-logs-pipeline/lambda-logs-test/content-applier,"
        "/lambda-logs-pipeline/lambda-logs-test/architectures,"
        "/lambda-logs-pipeline/lambda-logs-test/alarm-relay"
    )
    assert env == {
        "DESTINATION_ARN": STREAM_ARN,
        "ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-delivery-logs",
        "FILTER_NAME": "lambda-logs-test",
        "FILTER_PATTERN": "",
        "LOG_GROUP_PREFIXES": "/aws/lambda/",
        "EXCLUDE_LOG_GROUPS": "",  # the pipeline's own groups are passed once, below
        "PIPELINE_LOG_GROUPS": own,
        "BACKFILL_LOOKBACK_HOURS": "24",
        "SWEEP_INTERVAL_HOURS": "24",
        "FILTER_API_QUOTA_PERCENT": "40",
        "BACKFILL_BYTES_PER_SECOND": "10240",
        "METRICS_NAMESPACE": "LambdaLogs",
        "BACKFILL_STATE_BUCKET": "lambda-logs-backup-0a1b2c3",
        "ARCHITECTURE_BUCKET": "lambda-logs-backup-0a1b2c3",
        "BACKFILL_RETRY_HOURS": "24",
    }


def test_subscriber_role_is_least_privilege(default_run: ProgramRun) -> None:
    policy = _policy(default_run, "lambda-logs-subscriber-policy")
    assert_least_privilege(policy)
    assert resources_for(policy, "iam:PassRole") == {
        f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-delivery-logs"
    }
    assert resources_for(policy, "logs:PutSubscriptionFilter") == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"
    }
    assert resources_for(policy, "firehose:PutRecordBatch") == {STREAM_ARN}
    assert resources_for(policy, "lambda:InvokeFunction") == {
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lambda-logs-test-subscriber"
    }
    bucket = "arn:aws:s3:::lambda-logs-backup-0a1b2c3"
    state = {f"{bucket}/subscriber/pending-backfills/*", f"{bucket}/subscriber/group-state/*"}
    own_map = f"{bucket}/architectures/{ACCOUNT}/*"  # its own account's map, no other
    assert resources_for(policy, "s3:DeleteObject") == state
    for action in ("s3:GetObject", "s3:PutObject"):
        assert resources_for(policy, action) == {*state, own_map}
    assert resources_for(policy, "s3:ListBucket") == {bucket}
    assert resources_for(policy, "lambda:ListFunctions") == {"*"}


def test_subscriber_rules_target_the_subscriber(default_run: ProgramRun) -> None:
    rules = {r.name: r.inputs for r in default_run.of_type(RULE)}
    assert rules["lambda-logs-subscriber-schedule"]["scheduleExpression"] == "rate(15 minutes)"
    log_groups = json.loads(rules["lambda-logs-subscriber-log-groups"]["eventPattern"])
    assert log_groups == CREATE_LOG_GROUP
    functions = json.loads(rules["lambda-logs-subscriber-functions"]["eventPattern"])
    assert functions["source"] == ["aws.lambda"]
    assert functions["detail"]["eventName"] == [
        {"prefix": "CreateFunction"},
        {"prefix": "UpdateFunctionConfiguration"},
    ]
    subscriber_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lambda-logs-test-subscriber"
    targets = default_run.of_type(TARGET)
    assert sorted(t.inputs["rule"] for t in targets) == sorted(rules)
    assert {t.inputs["arn"] for t in targets} == {subscriber_arn}
    permissions = default_run.of_type(PERMISSION)
    assert len(permissions) == 3
    for permission in permissions:
        assert permission.inputs["principal"] == "events.amazonaws.com"
        assert permission.inputs["function"] == "lambda-logs-test-subscriber"
        assert permission.inputs["sourceArn"].startswith(f"arn:aws:events:{REGION}:{ACCOUNT}:rule/")


def test_deploy_time_invocation_reconciles_and_removes_on_destroy(default_run: ProgramRun) -> None:
    invocation = default_run.one(INVOCATION).inputs
    assert invocation["function_name"] == "lambda-logs-test-subscriber"
    assert json.loads(invocation["create_payload"]) == {"action": "reconcile"}
    assert json.loads(invocation["delete_payload"]) == {"action": "remove"}
    assert invocation["region"] == REGION
    triggers = json.loads(invocation["triggers"])
    assert triggers["env"]["DESTINATION_ARN"] == STREAM_ARN
    assert (
        triggers["code"]
        == default_run.one(FUNCTION, "lambda-logs-subscriber").inputs["sourceCodeHash"]
    )


def test_no_account_policy_in_reconciler_mode(default_run: ProgramRun) -> None:
    assert default_run.of_type("aws:cloudwatch/logAccountPolicy:LogAccountPolicy") == []


# --- alarms, dashboard, topic --------------------------------------------------------------


def test_alarms_cover_delivery_freshness_throttling_processing_and_functions(
    default_run: ProgramRun,
) -> None:
    alarms = {
        a.inputs["metricName"]: a.inputs
        for a in default_run.of_type(ALARM)
        if "metricName" in a.inputs and a.inputs.get("namespace") != "AWS/ES"  # domain: own test
    }
    assert set(alarms) == {
        "DeliveryToAmazonOpenSearchService.Success",
        "DeliveryToAmazonOpenSearchService.DataFreshness",
        "ThrottledRecords",
        "ExecuteProcessing.Success",
        "RecordsProcessingFailed",
        "DocumentsRerouted",
        "BackfillPermanentlyFailed",
        "Errors",
        "Throttles",
    }
    # a refusing stream for 30 minutes pages; a scale-out's minutes do not
    rerouted = alarms["DocumentsRerouted"]
    assert rerouted["evaluationPeriods"] * rerouted["period"] == 30 * 60
    assert rerouted["comparisonOperator"] == "GreaterThanThreshold" and rerouted["threshold"] == 0
    # the stack's own subscriber: two stacks in one account share the namespace, not the metric
    assert alarms["BackfillPermanentlyFailed"]["dimensions"] == {
        "Function": "lambda-logs-test-subscriber"
    }
    functions = [
        a.inputs for a in default_run.of_type(ALARM) if a.inputs.get("namespace") == "AWS/Lambda"
    ]
    assert sorted((a["metricName"], a["dimensions"]["FunctionName"]) for a in functions) == [
        ("Errors", "lambda-logs-test-subscriber"),
        ("Errors", "lambda-logs-test-transformer"),
        ("Throttles", "lambda-logs-test-subscriber"),
        ("Throttles", "lambda-logs-test-transformer"),
    ]
    freshness = alarms["DeliveryToAmazonOpenSearchService.DataFreshness"]
    assert (freshness["threshold"], freshness["comparisonOperator"]) == (
        900,
        "GreaterThanThreshold",
    )
    assert alarms["RecordsProcessingFailed"]["dimensions"] == {"DeliveryStream": "lambda-logs-test"}
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms"
    for alarm in default_run.of_type(ALARM):
        assert alarm.inputs["alarmActions"] == [topic]
        assert alarm.inputs["okActions"] == [topic]


def test_success_alarms_fire_on_sustained_failure_not_on_a_retried_drop(
    default_run: ProgramRun,
) -> None:
    # Maximum < 1 in 3 periods in a row: not one delivery (or invocation) fully succeeded for
    # 15 minutes; one failed attempt that Firehose's own retry mends leaves the maximum at 1
    for metric in ("DeliveryToAmazonOpenSearchService.Success", "ExecuteProcessing.Success"):
        (alarm,) = [
            a.inputs for a in default_run.of_type(ALARM) if a.inputs.get("metricName") == metric
        ]
        assert (alarm["statistic"], alarm["comparisonOperator"], alarm["threshold"]) == (
            "Maximum",
            "LessThanThreshold",
            1,
        )
        assert (alarm["period"], alarm["evaluationPeriods"]) == (300, 3)
        assert alarm["treatMissingData"] == "notBreaching"


def test_a_pipeline_that_receives_nothing_while_groups_are_subscribed_alarms(
    default_run: ProgramRun,
) -> None:
    alarm = default_run.named("lambda-logs-health-no-input").inputs
    queries = {q["id"]: q for q in alarm["metricQueries"]}
    invocations = queries["invocations"]["metric"]
    assert (invocations["namespace"], invocations["metricName"], invocations["stat"]) == (
        "AWS/Lambda",
        "Invocations",
        "Sum",
    )
    assert invocations["dimensions"] == {"FunctionName": "lambda-logs-test-transformer"}
    held = {queries[f"held{i}"]["metric"]["metricName"] for i in range(3)}
    assert held == {"FiltersCreated", "FiltersUpdated", "FiltersUnchanged"}
    assert {queries[f"held{i}"]["metric"]["namespace"] for i in range(3)} == {"LambdaLogs"}
    assert all(
        queries[f"held{i}"]["metric"]["dimensions"] == {"Function": "lambda-logs-test-subscriber"}
        for i in range(3)
    )
    expression = queries["breach"]["expression"]
    assert "FILL(invocations, 0) == 0" in expression and expression.startswith("IF(")
    assert queries["breach"]["returnData"] is True
    assert (alarm["evaluationPeriods"], alarm["comparisonOperator"], alarm["threshold"]) == (
        3,
        "GreaterThanThreshold",
        0,
    )
    assert all(q["metric"]["period"] == 3600 for q in alarm["metricQueries"] if "metric" in q)


def test_no_email_subscription_without_an_address(default_run: ProgramRun) -> None:
    assert default_run.of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_dashboard_shows_the_stream_and_both_functions(default_run: ProgramRun) -> None:
    dashboard = default_run.one("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == "lambda-logs-test"
    body = dashboard.json("dashboardBody")
    text = json.dumps(body)
    for name in (
        "lambda-logs-test-transformer",
        "lambda-logs-test-subscriber",
        "DocumentsReingested",
    ):
        assert name in text
    assert {w["properties"]["region"] for w in body["widgets"]} == {REGION}


def test_alerting_role_may_only_publish_to_the_topic(default_run: ProgramRun) -> None:
    role = default_run.one(ROLE, "lambda-logs-alarms-opensearch")
    (assume,) = statements(role.json("assumeRolePolicy"))
    assert assume["Principal"] == {
        "Service": ["es.amazonaws.com", "opensearchservice.amazonaws.com"]
    }
    assert assume["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    policy = _policy(default_run, "lambda-logs-alarms-opensearch")
    assert_least_privilege(policy)
    assert allowed_actions(policy) == {"sns:Publish"}
    assert resources_for(policy, "sns:Publish") == {
        f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms"
    }


# --- everything ----------------------------------------------------------------------------


def test_every_role_policy_is_least_privilege(default_run: ProgramRun) -> None:
    policies = default_run.of_type(ROLE_POLICY)
    assert len(policies) == 5
    for policy in policies:
        assert_least_privilege(policy.json("policy"))


def test_opensearch_content_is_wired(default_run: ProgramRun) -> None:
    content = default_run.one("lambdalogs:opensearch:Content")
    assert content.name == "lambda-logs-content"
    dynamic = [r for r in default_run.resources if r.name.startswith("lambda-logs-content-")]
    assert dynamic, "the content component registers its dynamic resource"
    text = json.dumps(dynamic[0].inputs, default=str)
    assert f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-delivery-firehose" in text
    assert "search-lambda-logs-test-abc123" in text


def test_stack_outputs(default_run: ProgramRun) -> None:
    endpoint = f"search-lambda-logs-test-abc123.{REGION}.es.amazonaws.com"
    assert default_run.outputs == {
        "dashboardsUrl": f"https://{endpoint}/_dashboards",
        "domainEndpoint": endpoint,
        "streamName": "lambda-logs-test",
        "streamArn": STREAM_ARN,
        "streamNames": ["lambda-logs-test"],
        "streamArns": [STREAM_ARN],
        "bucketName": "lambda-logs-backup-0a1b2c3",
        "transformerFunctionName": "lambda-logs-test-transformer",
        "subscriberFunctionName": "lambda-logs-test-subscriber",
        "alarmTopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms",
    }


def test_children_are_parented_and_named_from_their_component(default_run: ProgramRun) -> None:
    """Every resource has a parent (the root Pipeline's parent is the stack) and its name starts
    with its parent's name."""
    root = key("lambdalogs:pipeline:Pipeline", "lambda-logs")
    for resource in default_run.resources:
        this = key(resource.type, resource.name)
        if this == root:
            continue
        parent = default_run.parents.get(this)
        assert parent is not None, f"{this} has no parent"
        assert resource.name.startswith(parent.split("::")[1]), (this, parent)


def test_stream_waits_for_the_content_and_its_role_policy(default_run: ProgramRun) -> None:
    deps = default_run.depends_on[key(STREAM, "lambda-logs-stream")]
    assert key("lambdalogs:opensearch:Content", "lambda-logs-content") in deps
    assert key(ROLE_POLICY, "lambda-logs-delivery-firehose") in deps


def test_destroy_removes_the_filters_after_the_rules_and_before_the_stream(
    default_run: ProgramRun,
) -> None:
    """Pulumi deletes a resource before what it depends on."""
    invocation = key(INVOCATION, "lambda-logs-subscriber-lifecycle")
    deps = default_run.depends_on[invocation]
    assert key(STREAM, "lambda-logs-stream") in deps
    assert key(ROLE_POLICY, "lambda-logs-delivery-logs") in deps
    assert key(ROLE_POLICY, "lambda-logs-subscriber-policy") in deps
    assert key(FUNCTION, "lambda-logs-subscriber") in deps
    for suffix in ("schedule", "log-groups", "functions"):
        for type_ in (RULE, TARGET, PERMISSION):
            rule_deps = default_run.depends_on[key(type_, f"lambda-logs-subscriber-{suffix}")]
            assert invocation in rule_deps, (type_, suffix)


def test_functions_wait_for_their_log_group_and_policy(default_run: ProgramRun) -> None:
    for name in ("lambda-logs-transformer", "lambda-logs-subscriber"):
        assert default_run.depends_on[key(FUNCTION, name)] == {
            key(LOG_GROUP, f"{name}-logs"),
            key(ROLE_POLICY, f"{name}-policy"),
        }
