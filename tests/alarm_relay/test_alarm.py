"""GIVEN CloudWatch alarm notifications as SNS delivers them WHEN the relay parses them THEN each
alarm's name, state, reason, metric and dimensions come out, and whatever is not a CloudWatch
alarm (the OpenSearch monitors' own messages on the topic) is skipped."""

from __future__ import annotations

import json

from alarm_relay.alarm import Alarm, alarms_in, parse_alarm
from infra.domain_alarms import NAMESPACE, DomainFacts, domain_alarm_specs
from tests.alarm_relay.notifications import (
    ACCOUNT,
    RED,
    RED_DESCRIPTION,
    bare,
    bytes_quota,
    domain_red,
    sns_event,
)


def test_a_domain_alarm_with_dimensions() -> None:
    alarms, skipped = alarms_in(sns_event(domain_red("ALARM")))
    assert skipped == 0
    assert alarms == [
        Alarm(
            name=RED,
            state="ALARM",
            old_state="OK",
            arn=f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:{RED}",
            description=RED_DESCRIPTION,
            reason=domain_red()["NewStateReason"],
            time="2025-12-02T09:00:12.345+0000",
            region="EU (Ireland)",
            account=ACCOUNT,
            metric="AWS/ES ClusterStatus.red",
            dimensions=(("DomainName", "lambda-logs-prod"), ("ClientId", ACCOUNT)),
        )
    ]
    assert alarms[0].region_code == "eu-west-1"


def test_an_ok_metric_math_alarm_without_top_level_dimensions() -> None:
    (alarm,), _ = alarms_in(sns_event(bytes_quota("OK")))
    assert (alarm.state, alarm.old_state) == ("OK", "ALARM")
    assert alarm.description == ""  # null in the message
    assert alarm.metric == "stream-bytes-quota"  # the expression's label
    assert alarm.dimensions == (("DeliveryStreamName", "lambda-logs"),)


def test_an_alarm_without_dimensions() -> None:
    alarm = parse_alarm(json.dumps(bare("OK")))
    assert alarm is not None
    assert (alarm.state, alarm.metric, alarm.dimensions) == ("OK", "AWS/Lambda Errors", ())
    assert alarm.fields()["dimensions"] == {}


def test_messages_that_are_not_cloudwatch_alarms_are_skipped() -> None:
    monitor_text = "Lambda error spike: checkout,111111111111,eu-west-1 (lambda-logs: error spike)"
    not_alarm = {"AlarmName": "x", "NewStateValue": "MAYBE"}
    alarms, skipped = alarms_in(
        sns_event(monitor_text, "[1, 2]", not_alarm, {"Other": 1}, domain_red())
    )
    assert [a.name for a in alarms] == [RED]
    assert skipped == 4
    assert alarms_in({}) == ([], 0)
    assert alarms_in({"Records": [{"Sns": {}}, "x"]}) == ([], 2)


def test_the_domain_fixture_is_the_stack_s_own_red_alarm() -> None:
    facts = DomainFacts(
        domain_name="lambda-logs-prod",
        account_id=ACCOUNT,
        volume_size_gb=100,
        instance_count=2,
        replicas=1,
    )
    spec = next(s for s in domain_alarm_specs(facts) if s.metric == "ClusterStatus.red")
    assert f"lambda-logs-prod-domain-{spec.suffix}" == RED  # DomainAlarms: <prefix>-domain-…
    assert f"OpenSearch domain lambda-logs-prod: {spec.description}" == RED_DESCRIPTION
    assert domain_red()["Trigger"]["Namespace"] == NAMESPACE
