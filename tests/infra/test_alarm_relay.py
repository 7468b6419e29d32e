"""GIVEN notificationChannels WHEN the program runs under Pulumi mocks THEN the alarm relay is
there: its channels in one Secrets Manager secret whose value stays a secret, a function whose
environment names only the secret's ARN, a role that may read that one secret and write its
own logs (parsed, least privilege, linted), an invoke permission for the alarm topic only
(source_arn) and a lambda subscription of the topic. Without channels, or with
relayAlarmsToChannels false, there is no relay."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock

import pulumi
import pulumi.runtime
import pytest

from alarm_relay.handler import SECRET_ARN_VARIABLE as HANDLER_VARIABLE
from infra.alarm_relay import SECRET_ARN_VARIABLE, SECRET_VERSION_VARIABLE
from lambda_shared.pipeline_groups import is_pipeline_log_group
from tests.infra.harness import (
    ACCOUNT,
    PROJECT,
    REGION,
    STACK,
    ProgramRun,
    RecordingMocks,
    base_config,
    is_secret,
    key,
    offline_packages,
)
from tests.infra.policy_checks import assert_least_privilege, lint, resources_for
from tests.infra.test_notification_channels import CHANNELS, SECRET_TEXTS, _without_secrets
from tests.infra.test_policy_lint import needs_parliament

FUNCTION = "aws:lambda/function:Function"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PERMISSION = "aws:lambda/permission:Permission"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
RELAY = "lambda-logs-alarm-relay"
RELAY_FUNCTION = "lambda-logs-test-alarm-relay"  # <resourcePrefix>-alarm-relay
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{RELAY}-channels-AbCdEf"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms"


def run_with(packages: Path, values: Mapping[str, str]) -> ProgramRun:
    """The program under mocks with `values`, notificationChannels marked secret (as `pulumi
    config set --secret` stores it)."""
    from infra.account_checks import AccountReaders
    from infra.program import main

    run = ProgramRun()
    pulumi.runtime.set_mocks(RecordingMocks(run), project=PROJECT, stack=STACK, preview=False)
    config = {f"{PROJECT}:{k}": v for k, v in {**base_config(), **values}.items()}
    config["aws:region"] = REGION
    secret = [f"{PROJECT}:masterUserPassword", f"{PROJECT}:notificationChannels"]
    pulumi.runtime.set_all_config(config, secret)
    exported: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        pulumi.runtime.register_stack_transformation(run.record_options)
        main(offline_packages(packages), AccountReaders.offline())
        return pulumi.Output.from_input(exported).apply(run.outputs.update)

    with run.running(), mock.patch("infra.program.pulumi.export", exported.__setitem__):
        pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
    return run


@pytest.fixture(scope="module")
def relay_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    return run_with(tmp_path_factory.mktemp("relay"), {"notificationChannels": CHANNELS})


def test_the_channels_are_one_secret_whose_value_stays_secret(relay_run: ProgramRun) -> None:
    relay_run.one(SECRET)
    version = relay_run.one(VERSION)
    assert is_secret(version.raw_inputs["secretString"])
    stored = json.loads(version.inputs["secretString"])
    assert [(c["name"], c["type"]) for c in stored] == [
        ("ops", "slack"),
        ("microsoft-teams", "microsoft_teams"),
        ("pager", "webhook"),
    ]
    assert stored[2]["headers"] == {"X-Key": "hdr-secret"} and stored[2]["method"] == "POST"
    plain = json.dumps([_without_secrets(r.raw_inputs) for r in relay_run.resources], default=str)
    for text in SECRET_TEXTS:
        assert text not in plain


def test_the_function_knows_the_secret_by_arn_only(relay_run: ProgramRun) -> None:
    function = relay_run.one(FUNCTION, RELAY).inputs
    variables = function["environment"]["variables"]
    assert SECRET_ARN_VARIABLE == HANDLER_VARIABLE
    assert set(variables) == {SECRET_ARN_VARIABLE, SECRET_VERSION_VARIABLE}
    assert variables[SECRET_ARN_VARIABLE] == SECRET_ARN
    # the secret version's id (the mock makes one per value, as AWS does): a changed channel
    # changes the environment, so Lambda starts new execution environments reading the new one
    assert variables[SECRET_VERSION_VARIABLE].startswith("v-")
    assert function["handler"] == "alarm_relay.handler.handler"
    assert function["timeout"] == 10 + 6 * 3  # every channel may time out once (5 s + margin)
    group = function["loggingConfig"]["logGroup"]
    assert is_pipeline_log_group(group) and group.endswith("/alarm-relay")


def test_the_role_reads_that_one_secret_and_writes_its_own_logs(relay_run: ProgramRun) -> None:
    policy = relay_run.one("aws:iam/rolePolicy:RolePolicy", f"{RELAY}-policy").json("policy")
    assert_least_privilege(policy)
    assert resources_for(policy, "secretsmanager:GetSecretValue") == {SECRET_ARN}
    group = relay_run.one(FUNCTION, RELAY).inputs["loggingConfig"]["logGroup"]
    assert resources_for(policy, "logs:PutLogEvents") == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"
    }
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == {"secretsmanager:GetSecretValue", "logs:CreateLogStream", "logs:PutLogEvents"}


@needs_parliament
def test_the_relay_policies_lint_clean(relay_run: ProgramRun) -> None:
    role = relay_run.one("aws:iam/role:Role", f"{RELAY}-role").json("assumeRolePolicy")
    policy = relay_run.one("aws:iam/rolePolicy:RolePolicy", f"{RELAY}-policy").json("policy")
    assert lint(f"{RELAY}-role:assumeRolePolicy", role) == []
    assert lint(f"{RELAY}-policy:policy", policy) == []


def test_only_the_alarm_topic_may_invoke_it_and_it_is_subscribed(relay_run: ProgramRun) -> None:
    permission = relay_run.one(PERMISSION, f"{RELAY}-from-topic")
    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": RELAY_FUNCTION,
        "principal": "sns.amazonaws.com",
        "sourceArn": TOPIC_ARN,
    }
    subscription = relay_run.one(SUBSCRIPTION, f"{RELAY}-subscription")
    assert subscription.inputs["protocol"] == "lambda"
    assert subscription.inputs["topic"] == TOPIC_ARN
    assert (
        subscription.inputs["endpoint"]
        == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{RELAY_FUNCTION}"
    )
    deps = relay_run.depends_on[key(SUBSCRIPTION, f"{RELAY}-subscription")]
    assert key(PERMISSION, f"{RELAY}-from-topic") in deps


def _relay_parts(run: ProgramRun) -> list[str]:
    return [
        r.name for r in run.resources if r.type in (SECRET, VERSION) or r.name.startswith(RELAY)
    ]


def test_no_relay_without_channels(default_run: ProgramRun) -> None:
    assert _relay_parts(default_run) == []
    assert [s.inputs["protocol"] for s in default_run.of_type(SUBSCRIPTION)] == []


def test_no_relay_when_turned_off(tmp_path: Path) -> None:
    values = {"notificationChannels": CHANNELS, "relayAlarmsToChannels": "false"}
    run = run_with(tmp_path, values)
    assert _relay_parts(run) == []
    assert run.one("pulumi-python:dynamic:Resource", "lambda-logs-content-apply")  # channels kept


def test_a_failing_relay_alarms_to_the_topic_without_an_ok_action(relay_run: ProgramRun) -> None:
    alarm = relay_run.one("aws:cloudwatch/metricAlarm:MetricAlarm", f"{RELAY}-errors").inputs
    assert alarm["name"] == f"{RELAY_FUNCTION}-errors"
    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/Lambda", "Errors")
    assert alarm["dimensions"] == {"FunctionName": RELAY_FUNCTION}
    assert (alarm["comparisonOperator"], alarm["threshold"]) == ("GreaterThanThreshold", 0)
    assert alarm["alarmActions"] == [TOPIC_ARN]
    assert not alarm.get("okActions")
