"""A CloudWatch alarm's state change, as SNS hands it to a Lambda subscriber.

The Lambda event is `{"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "<text>",
"Subject", "TopicArn", ...}}]}`; for a CloudWatch alarm action the message is JSON:
`{"AlarmName", "AlarmDescription" (may be null), "AWSAccountId", "NewStateValue" (ALARM, OK,
INSUFFICIENT_DATA), "NewStateReason", "StateChangeTime", "Region" (a display name such as
"EU (Ireland)"), "AlarmArn", "OldStateValue", "Trigger": {"MetricName", "Namespace",
"Statistic", "Dimensions": [{"value", "name"}], "Period", "EvaluationPeriods",
"ComparisonOperator", "Threshold", ...}}`; a metric-math alarm's Trigger carries `"Metrics":
[{"Id", "Expression"?, "Label"?, "MetricStat"?: {"Metric": {"Namespace", "MetricName",
"Dimensions"}}, "ReturnData"}]` instead of MetricName (the typed alarm-message models of
public SNS-to-chat relays, e.g. `AlarmMessage` with `Trigger.Dimensions: [{name, value}]`).

The same topic also carries what is not a CloudWatch alarm: the OpenSearch monitors publish their
plain-text messages there (and reach the channels themselves), so anything that is not a JSON
object with an `AlarmName` and a `NewStateValue` is skipped, never relayed twice."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

STATES: Final = ("ALARM", "OK", "INSUFFICIENT_DATA")


@dataclass(frozen=True)
class Alarm:
    name: str
    state: str
    """ALARM, OK or INSUFFICIENT_DATA."""
    old_state: str = ""
    arn: str = ""
    description: str = ""
    reason: str = ""
    time: str = ""
    region: str = ""
    account: str = ""
    metric: str = ""
    """`<Namespace> <MetricName>`, or a metric-math alarm's expression (its label)."""
    dimensions: tuple[tuple[str, str], ...] = ()

    @property
    def region_code(self) -> str:
        """`eu-west-1`, from the ARN (the message's `Region` is a display name)."""
        parts = self.arn.split(":")
        return parts[3] if len(parts) > 3 else ""

    def fields(self) -> dict[str, Any]:
        """The alarm as a generic webhook receives it (JSON)."""
        return {
            "source": "aws.cloudwatch",
            "alarmName": self.name,
            "alarmArn": self.arn,
            "state": self.state,
            "previousState": self.old_state,
            "description": self.description,
            "reason": self.reason,
            "time": self.time,
            "region": self.region_code or self.region,
            "account": self.account,
            "metric": self.metric,
            "dimensions": dict(self.dimensions),
        }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _dimensions(raw: Any) -> tuple[tuple[str, str], ...]:
    """`[{"name", "value"}]` (the alarm message's case) or `[{"Name", "Value"}]`."""
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if isinstance(item, Mapping):
            name = item.get("name", item.get("Name"))
            value = item.get("value", item.get("Value"))
            if name is not None:
                found.append((_text(name), _text(value)))
    return tuple(found)


def _metric(trigger: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What the alarm watches, and its dimensions (a metric-math alarm: its first metric's)."""
    if trigger.get("MetricName"):
        metric = f"{_text(trigger.get('Namespace'))} {_text(trigger['MetricName'])}".strip()
        return metric, _dimensions(trigger.get("Dimensions"))
    queries = [q for q in trigger.get("Metrics") or [] if isinstance(q, Mapping)]
    result = next((q for q in queries if q.get("ReturnData")), None)
    metric = _text(result.get("Label") or result.get("Expression")) if result else ""
    for query in queries:
        stat = query.get("MetricStat")
        inner = stat.get("Metric") if isinstance(stat, Mapping) else None
        if isinstance(inner, Mapping):
            return metric, _dimensions(inner.get("Dimensions"))
    return metric, ()


def parse_alarm(message: str) -> Alarm | None:
    """The alarm of one SNS message, or None when the message is not a CloudWatch alarm's."""
    try:
        data = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("AlarmName"), str):
        return None
    state = data.get("NewStateValue")
    if state not in STATES:
        return None
    trigger = data.get("Trigger")
    metric, dimensions = _metric(trigger) if isinstance(trigger, Mapping) else ("", ())
    return Alarm(
        name=data["AlarmName"],
        state=str(state),
        old_state=_text(data.get("OldStateValue")),
        arn=_text(data.get("AlarmArn")),
        description=_text(data.get("AlarmDescription")),
        reason=_text(data.get("NewStateReason")),
        time=_text(data.get("StateChangeTime")),
        region=_text(data.get("Region")),
        account=_text(data.get("AWSAccountId")),
        metric=metric,
        dimensions=dimensions,
    )


def alarms_in(event: Mapping[str, Any]) -> tuple[list[Alarm], int]:
    """The alarms of an SNS event, and how many of its records were something else."""
    alarms: list[Alarm] = []
    skipped = 0
    for record in event.get("Records") or []:
        sns = record.get("Sns") if isinstance(record, Mapping) else None
        message = sns.get("Message") if isinstance(sns, Mapping) else None
        alarm = parse_alarm(message) if isinstance(message, str) else None
        if alarm is None:
            skipped += 1
        else:
            alarms.append(alarm)
    return alarms, skipped
