"""The stack's CloudWatch alarms and their states (DescribeAlarms by name prefix; with the
stack's alarm topic known, only the alarms that notify it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from lambdalogs.status.report import Check, Row, plural

DEFAULT_ALARM_PREFIX: Final = "lambda-logs-health-"
"""`infra/program.py` names the pipeline component `lambda-logs`, its alarms component
`<name>-health` and each alarm `<component>-<suffix>` (Pulumi adds a random suffix)."""


@dataclass(frozen=True)
class Alarm:
    name: str
    state: str
    reason: str
    actions: tuple[str, ...]


def alarms(cloudwatch: Any, prefix: str, topic_arn: str = "") -> list[Alarm]:
    found = []
    pages = cloudwatch.get_paginator("describe_alarms").paginate(
        AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    for page in pages:
        for raw in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
            actions = tuple(raw.get("AlarmActions", []))
            if topic_arn and topic_arn not in actions:
                continue  # another stack's alarm with the same names
            found.append(
                Alarm(
                    str(raw["AlarmName"]),
                    str(raw.get("StateValue", "")),
                    str(raw.get("StateReason", "")),
                    actions,
                )
            )
    return sorted(found, key=lambda a: (a.state != "ALARM", a.name))


def alarms_check(found: list[Alarm], prefix: str) -> Check:
    firing = [a for a in found if a.state == "ALARM"]
    waiting = [a for a in found if a.state == "INSUFFICIENT_DATA"]
    rows = tuple(
        Row((a.name, a.state, a.reason[:100] if a.state != "OK" else ""), a.state == "ALARM")
        for a in found
    )
    if not found:
        return Check(
            "alarms",
            "unknown",
            f"no alarms named {prefix}*",
            notes=("give --alarm-prefix and --region of the stack's alarms",),
        )
    summary = (
        f"{len(firing)} in ALARM, {len(waiting)} without data, of {plural(len(found), 'alarm')}"
    )
    return Check(
        "alarms",
        "attention" if firing else "ok",
        summary,
        ("alarm", "state", "reason"),
        rows,
        (),
        {"alarms": [{"name": a.name, "state": a.state, "reason": a.reason} for a in found]},
    )
