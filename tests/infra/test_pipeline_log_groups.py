"""GIVEN any stack WHEN the program runs under mocks THEN every log group the pipeline itself
writes to (transformer, subscriber, Firehose errors) lies under the reserved prefix
`/lambda-logs-pipeline/<resource prefix>/`, which every subscriber excludes whatever its
configuration: no stack can subscribe another's (or its own) pipeline logs
(docs/decisions/subscriptions.md)."""

from __future__ import annotations

from lambda_shared.pipeline_groups import PIPELINE_LOG_GROUP_PREFIX, is_pipeline_log_group
from tests.infra.harness import ACCOUNT, REGION, ProgramRun
from tests.infra.policy_checks import resources_for

FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
OWN = f"{PIPELINE_LOG_GROUP_PREFIX}lambda-logs-test"


def _group_arn(name: str) -> str:
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"


def test_every_log_group_the_stack_creates_is_reserved(default_run: ProgramRun) -> None:
    names = sorted(group.inputs["name"] for group in default_run.of_type(LOG_GROUP))
    assert names == [f"{OWN}/firehose", f"{OWN}/subscriber", f"{OWN}/transformer"]
    assert all(is_pipeline_log_group(name) for name in names)


def test_each_function_logs_to_its_reserved_group_and_may_write_there(
    default_run: ProgramRun,
) -> None:
    for part in ("transformer", "subscriber"):
        function = default_run.one(FUNCTION, f"lambda-logs-{part}").inputs
        # Everything the function writes, Lambda's START/END/REPORT lines included, goes to
        # LoggingConfig.LogGroup (docs/decisions/subscriptions.md quotes the AWS page).
        assert function["loggingConfig"] == {
            "logFormat": "Text",
            "logGroup": f"{OWN}/{part}",
        }
        policy = default_run.one(ROLE_POLICY, f"lambda-logs-{part}-policy").json("policy")
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            assert resources_for(policy, action) == {_group_arn(f"{OWN}/{part}")}


def test_firehose_logs_delivery_errors_to_its_reserved_group(default_run: ProgramRun) -> None:
    config = default_run.one(STREAM).inputs["opensearchConfiguration"]
    assert config["cloudwatchLoggingOptions"]["logGroupName"] == f"{OWN}/firehose"
    backup = config["s3Configuration"]["cloudwatchLoggingOptions"]
    assert backup["logGroupName"] == f"{OWN}/firehose"
    policy = default_run.one(ROLE_POLICY, "lambda-logs-delivery-firehose").json("policy")
    assert resources_for(policy, "logs:PutLogEvents") == {_group_arn(f"{OWN}/firehose")}


def test_the_subscriber_is_told_its_own_groups(default_run: ProgramRun) -> None:
    env = default_run.one(FUNCTION, "lambda-logs-subscriber").inputs["environment"]["variables"]
    assert env["PIPELINE_LOG_GROUPS"].split(",") == [
        f"{OWN}/transformer",
        f"{OWN}/subscriber",
        f"{OWN}/firehose",
        f"{OWN}/content-applier",
        f"{OWN}/architectures",
        f"{OWN}/alarm-relay",
    ]


def test_the_account_policy_excludes_the_reserved_groups_by_name(
    byo_policy_run: ProgramRun,
) -> None:
    policy = byo_policy_run.one("aws:cloudwatch/logAccountPolicy:LogAccountPolicy").inputs
    criteria = policy["selectionCriteria"]
    # every function the pipeline may run, the in-VPC content applier and the architecture
    # publisher included: the account policy takes exact names only, no prefix
    for part in (
        "transformer",
        "subscriber",
        "firehose",
        "content-applier",
        "architectures",
        "alarm-relay",
    ):
        assert f'"{OWN}/{part}"' in criteria
    groups = sorted(group.inputs["name"] for group in byo_policy_run.of_type(LOG_GROUP))
    assert groups == [f"{OWN}/architectures", f"{OWN}/firehose", f"{OWN}/transformer"]
