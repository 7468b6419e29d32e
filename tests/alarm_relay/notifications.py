"""CloudWatch alarm notifications as SNS hands them to a subscribed Lambda function, shaped as
CloudWatch sends them: the Lambda event's `Records[].Sns.Message` is the alarm's JSON (a display
name as `Region`, `AlarmDescription` possibly null, `Trigger.Dimensions` as `[{"value",
"name"}]`; a metric-math alarm's Trigger with `Metrics` instead of `MetricName`)."""

from __future__ import annotations

import json
from typing import Any, Final

TOPIC_ARN: Final = "arn:aws:sns:eu-west-1:123456789012:lambda-logs-alarms"
ACCOUNT: Final = "123456789012"


RED: Final = "lambda-logs-prod-domain-clusterstatus-red"
RED_DESCRIPTION: Final = (
    "OpenSearch domain lambda-logs-prod: At least one primary shard and its replicas are not "
    "allocated to a node: documents of its index are not searchable and new ones are refused."
)


def domain_red(state: str = "ALARM", name: str = RED) -> dict[str, Any]:
    """The domain health alarm ClusterStatus.red (infra/domain_alarms.py: its name and
    description), one metric with the dimensions DomainName and ClientId."""
    return {
        "AlarmName": name,
        "AlarmDescription": RED_DESCRIPTION,
        "AWSAccountId": ACCOUNT,
        "AlarmConfigurationUpdatedTimestamp": "2025-12-01T10:00:00.000+0000",
        "NewStateValue": state,
        "NewStateReason": (
            "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (02/12/25 08:59:00)] was "
            "greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM "
            "transition)."
        ),
        "StateChangeTime": "2025-12-02T09:00:12.345+0000",
        "Region": "EU (Ireland)",
        "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:{name}",
        "OldStateValue": "OK" if state == "ALARM" else "ALARM",
        "OKActions": [TOPIC_ARN],
        "AlarmActions": [TOPIC_ARN],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": "ClusterStatus.red",
            "Namespace": "AWS/ES",
            "StatisticType": "Statistic",
            "Statistic": "MAXIMUM",
            "Unit": None,
            "Dimensions": [
                {"value": "lambda-logs-prod", "name": "DomainName"},
                {"value": ACCOUNT, "name": "ClientId"},
            ],
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "Threshold": 1.0,
            "TreatMissingData": "missing",
            "EvaluateLowSampleCountPercentile": "",
        },
    }


def bytes_quota(state: str = "OK") -> dict[str, Any]:
    """A metric-math pipeline alarm (infra/alarm_specs.py expression alarms): no MetricName, no
    top-level Dimensions, a null description."""
    name = "lambda-logs-stream-bytes-quota"
    return {
        "AlarmName": name,
        "AlarmDescription": None,
        "AWSAccountId": ACCOUNT,
        "NewStateValue": state,
        "NewStateReason": "Threshold Crossed: no datapoints were received for 3 periods",
        "StateChangeTime": "2025-12-02T09:30:00.000+0000",
        "Region": "EU (Ireland)",
        "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:{name}",
        "OldStateValue": "ALARM",
        "Trigger": {
            "Period": 60,
            "EvaluationPeriods": 5,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 0.0,
            "TreatMissingData": "notBreaching",
            "Metrics": [
                {
                    "Id": "bytes",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/Firehose",
                            "MetricName": "IncomingBytes",
                            "Dimensions": [{"value": "lambda-logs", "name": "DeliveryStreamName"}],
                        },
                        "Period": 60,
                        "Stat": "Sum",
                    },
                    "ReturnData": False,
                },
                {
                    "Id": "breach",
                    "Expression": "bytes / 60 / 5242880 - 0.8",
                    "Label": "stream-bytes-quota",
                    "ReturnData": True,
                },
            ],
        },
    }


def bare(state: str = "ALARM") -> dict[str, Any]:
    """Only what every alarm message has: no Trigger dimensions at all."""
    alarm = domain_red(state, name="bare")
    alarm["Trigger"] = {"MetricName": "Errors", "Namespace": "AWS/Lambda", "Dimensions": []}
    return alarm


def sns_event(*messages: dict[str, Any] | str) -> dict[str, Any]:
    """The Lambda event of an SNS delivery (one record per message)."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"95df01b4-ee98-5cb9-9903-4c221d41eb5{index}",
                    "TopicArn": TOPIC_ARN,
                    "Subject": 'ALARM: "lambda-logs-domain-cluster-red" in EU (Ireland)',
                    "Message": message if isinstance(message, str) else json.dumps(message),
                    "Timestamp": "2025-12-02T09:00:12.400Z",
                    "SignatureVersion": "1",
                    "MessageAttributes": {},
                },
            }
            for index, message in enumerate(messages)
        ]
    }
