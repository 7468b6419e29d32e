"""The pipeline's own metrics: what infra alarms on and graphs is exactly what the functions
write (names, namespace, dimension), read from the EMF lines they really emit."""

from __future__ import annotations

import json
from typing import Any

from infra.alarm_specs import MonitoredNames, alarm_specs
from infra.dashboard import dashboard_body
from lambda_shared import metrics
from subscriptions.report import RunReport
from tests.transformer.helpers import cw_record, events, run
from transformer.settings import Settings

NAMES = MonitoredNames(("lambda-logs",), "lambda-logs-transformer", "lambda-logs-subscriber", 900)


def emitted(line: dict[str, Any]) -> tuple[str, set[str], list[list[str]]]:
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    names = {metric["Name"] for metric in directive["Metrics"]}
    for name in names:  # EMF: every declared metric's value is a member of the line
        assert isinstance(line[name], int | float), name
    return directive["Namespace"], names, directive["Dimensions"]


def transformer_metrics() -> tuple[str, set[str], list[list[str]], dict[str, Any]]:
    result = run([cw_record(events(3))])
    line = json.loads(result.logs[0])
    return (*emitted(line), line)


def our_metrics_in_dashboard() -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for widget in dashboard_body(NAMES, "eu-west-1")["widgets"]:
        for metric in widget["properties"]["metrics"]:
            if metric[0] == metrics.NAMESPACE:
                found.add((metric[1], metric[2], metric[3]))
    return found


def test_every_transformer_metric_infra_uses_is_one_the_transformer_writes() -> None:
    namespace, names, dimensions, line = transformer_metrics()
    assert namespace == metrics.NAMESPACE == Settings().metrics_namespace
    assert dimensions == [[metrics.TRANSFORMER_DIMENSION]]
    assert line[metrics.TRANSFORMER_DIMENSION] == "lambda-logs"
    alarmed = [
        spec
        for spec in alarm_specs(NAMES)
        if spec.namespace == metrics.NAMESPACE
        and spec.dimensions[0][0] != metrics.SUBSCRIBER_DIMENSION
    ]
    assert alarmed, "the transformer's own metrics are alarmed on"
    for spec in alarmed:
        assert spec.metric in names
        assert spec.dimensions == ((metrics.TRANSFORMER_DIMENSION, "lambda-logs"),)
    graphed = our_metrics_in_dashboard()
    assert len(graphed) >= 5
    for name, dimension, value in graphed:
        assert name in names
        assert (dimension, value) == (metrics.TRANSFORMER_DIMENSION, "lambda-logs")


def test_the_metric_units_follow_one_rule() -> None:
    _, names, _, line = transformer_metrics()
    units = {m["Name"]: m["Unit"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units[metrics.DURATION_MS] == "Milliseconds"
    assert {units[name] for name in names - {metrics.DURATION_MS}} == {"Count"}


def test_every_subscriber_metric_infra_alarms_on_is_one_the_subscriber_writes() -> None:
    lines: list[str] = []
    assert NAMES.subscriber_name is not None
    report = RunReport(
        "reconcile", namespace=metrics.NAMESPACE, emit=lines.append, function=NAMES.subscriber_name
    )
    report.emit_metrics(report.result("done", None, False, 0), 1.0)
    line = json.loads(lines[-1])
    namespace, names, dimensions = emitted(line)
    assert namespace == metrics.NAMESPACE
    alarmed = [s for s in alarm_specs(NAMES) if s.namespace == metrics.NAMESPACE]
    subscriber = [s for s in alarmed if s.dimensions[0][0] == metrics.SUBSCRIBER_DIMENSION]
    assert [s.metric for s in subscriber] == [metrics.BACKFILL_PERMANENTLY_FAILED]
    assert dimensions == [[metrics.SUBSCRIBER_DIMENSION]]
    for spec in subscriber:
        assert spec.metric in names
        assert dict(spec.dimensions) == {metrics.SUBSCRIBER_DIMENSION: line["Function"]}
    assert line["Function"] == NAMES.subscriber_name  # one stack's, not every stack's
