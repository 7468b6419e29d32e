"""GIVEN the default stack WHEN the program runs under mocks THEN a subscription filter the
subscriber puts can only deliver into this pipeline's streams, never onto a pipeline's own log
groups, and every role a service assumes names who it acts for (no confused deputy).

IAM has no condition key for a filter's destination or name (see infra/policies.py,
subscriber_permissions): the destination is bounded by the one role the subscriber may pass."""

from __future__ import annotations

from typing import Any

from tests.infra.harness import ACCOUNT, REGION, ProgramRun
from tests.infra.policy_checks import as_list, resources_for, statements

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
FILTER_ACTIONS = ("logs:PutSubscriptionFilter", "logs:DeleteSubscriptionFilter")


def _policy(run: ProgramRun, name: str) -> dict[str, Any]:
    policy: dict[str, Any] = run.one(ROLE_POLICY, name).json("policy")
    return policy


def _stream_arns(run: ProgramRun) -> set[str]:
    """The streams created, and the other names the stack's streams may have (a stream being
    removed by a lower `deliveryStreams`): the first's `-2` … `-10`."""
    created = {
        f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{stream.inputs['name']}"
        for stream in run.of_type(STREAM)
    }
    first = min(created, key=len)
    return created | {f"{first}-{i}" for i in range(2, 11)}


def test_filters_only_on_this_accounts_log_groups_in_this_region(default_run: ProgramRun) -> None:
    policy = _policy(default_run, "lambda-logs-subscriber-policy")
    for action in FILTER_ACTIONS:
        assert resources_for(policy, action) == {f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"}


def test_no_filter_on_any_pipelines_own_log_groups(default_run: ProgramRun) -> None:
    policy = _policy(default_run, "lambda-logs-subscriber-policy")
    denied = [s for s in statements(policy) if s["Effect"] == "Deny"]
    assert denied == [
        {
            "Sid": "NeverSubscribeThePipeline",
            "Effect": "Deny",
            "Action": ["logs:PutSubscriptionFilter"],
            "Resource": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/lambda-logs-pipeline/*"],
        }
    ]
    groups = [g.inputs["name"] for g in default_run.of_type("aws:cloudwatch/logGroup:LogGroup")]
    pipeline = [g for g in groups if g.startswith("/lambda-logs-pipeline/")]
    assert len(pipeline) == 3, groups  # transformer, subscriber, firehose: all covered


def test_a_filter_can_only_deliver_into_this_pipelines_streams(default_run: ProgramRun) -> None:
    """A filter to a stream needs a role; the subscriber may pass one, to CloudWatch Logs only,
    and that role may write to nothing but the pipeline's streams."""
    subscriber = _policy(default_run, "lambda-logs-subscriber-policy")
    logs_role = f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-delivery-logs"
    (pass_role,) = [s for s in statements(subscriber) if "iam:PassRole" in as_list(s["Action"])]
    assert pass_role["Resource"] == [logs_role]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "logs.amazonaws.com"}}
    role_policy = _policy(default_run, "lambda-logs-delivery-logs")
    writes = {a for s in statements(role_policy) for a in as_list(s["Action"])}
    assert writes == {"firehose:PutRecord", "firehose:PutRecordBatch"}
    assert resources_for(role_policy, "firehose:PutRecordBatch") <= _stream_arns(default_run)
    assert resources_for(role_policy, "firehose:PutRecord") <= _stream_arns(default_run)


def test_every_service_role_names_who_it_acts_for(default_run: ProgramRun) -> None:
    """Confused-deputy guard on every trust but Lambda's (a function's execution role is
    assumed by Lambda for that function only; AWS documents no source condition for it)."""
    guards = {"aws:SourceAccount", "aws:SourceArn", "sts:ExternalId"}
    checked = 0
    for role in default_run.of_type(ROLE):
        for statement in statements(role.json("assumeRolePolicy")):
            services = set(as_list(statement["Principal"]["Service"]))
            if services == {"lambda.amazonaws.com"}:
                continue
            keys = {k for test in statement["Condition"].values() for k in test}
            assert keys & guards, (role.name, statement)
            checked += 1
    assert checked >= 3  # Firehose, CloudWatch Logs, OpenSearch alerting
