"""Every delivery stream is alarmed on its own: ingestion against its own Direct PUT quota
(metric math), throttling, delivery and processing; and the no-input alarm sees all of them."""

from __future__ import annotations

from typing import Any

import pytest

from infra.alarm_specs import MonitoredNames, alarm_specs, expression_alarm_specs
from infra.dashboard import dashboard_body
from infra.stack_names import MAX_DELIVERY_STREAMS, StackNames
from tests.infra.harness import ProgramRun, base_config, offline_packages, run_program

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
NAMES = ("lambda-logs-test", "lambda-logs-test-2", "lambda-logs-test-3")
TAGS = ("", "-2", "-3")
ALARM_METRICS_MAX = 10
"""CloudWatch: "Alarms based on metric math expressions can reference a maximum of 10 metrics.
This is a hard limit that cannot be increased." """


@pytest.fixture(scope="module")
def three_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    packages = offline_packages(tmp_path_factory.mktemp("alarms-three"))
    return run_program({**base_config(), "deliveryStreams": "3"}, packages)


def _alarm(run: ProgramRun, suffix: str) -> dict[str, Any]:
    inputs: dict[str, Any] = run.named(f"lambda-logs-health-{suffix}").inputs
    return inputs


def _queries(alarm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {query["id"]: query for query in alarm["metricQueries"]}


@pytest.mark.parametrize(
    ("kind", "metric", "limit"),
    [
        ("bytes-quota", "IncomingBytes", "BytesPerSecondLimit"),
        ("records-quota", "IncomingRecords", "RecordsPerSecondLimit"),
        ("put-requests-quota", "IncomingPutRequests", "PutRequestsPerSecondLimit"),
    ],
)
def test_each_stream_alarms_above_80_percent_of_its_own_quota_for_3_of_5_minutes(
    three_run: ProgramRun, kind: str, metric: str, limit: str
) -> None:
    for stream, tag in zip(NAMES, TAGS, strict=True):
        alarm = _alarm(three_run, f"{kind}{tag}")
        queries = _queries(alarm)
        used, quota = queries["used"]["metric"], queries["quota"]["metric"]
        # the per-second rate of the stream's Sum over the period, against its own Maximum limit
        assert (used["metricName"], used["stat"]) == (metric, "Sum")
        assert (quota["metricName"], quota["stat"]) == (limit, "Maximum")
        for query in (used, quota):
            assert query["namespace"] == "AWS/Firehose"
            assert query["dimensions"] == {"DeliveryStreamName": stream}
            assert query["period"] == 60
        (result,) = [q for q in alarm["metricQueries"] if q.get("returnData")]
        assert result["expression"] == "100 * (used / PERIOD(used)) / quota"
        assert (alarm["comparisonOperator"], alarm["threshold"]) == ("GreaterThanThreshold", 80)
        assert (alarm["datapointsToAlarm"], alarm["evaluationPeriods"]) == (3, 5)
        assert alarm["treatMissingData"] == "notBreaching"
        assert stream in alarm["alarmDescription"]


def test_each_stream_alarms_on_its_throttled_records(three_run: ProgramRun) -> None:
    for stream, tag in zip(NAMES, TAGS, strict=True):
        alarm = _alarm(three_run, f"throttled-records{tag}")
        assert (alarm["metricName"], alarm["statistic"]) == ("ThrottledRecords", "Sum")
        assert alarm["dimensions"] == {"DeliveryStreamName": stream}
        assert (alarm["comparisonOperator"], alarm["threshold"]) == ("GreaterThanThreshold", 0)


def test_each_stream_alarms_on_delivery_freshness_and_processing(three_run: ProgramRun) -> None:
    for stream, tag in zip(NAMES, TAGS, strict=True):
        for suffix in ("opensearch-delivery", "data-freshness", "processing"):
            alarm = _alarm(three_run, f"{suffix}{tag}")
            assert alarm["dimensions"] == {"DeliveryStreamName": stream}, suffix
        failed = _alarm(three_run, f"processing-failed-records{tag}")
        assert failed["dimensions"] == {"DeliveryStream": stream}


def test_no_input_means_the_transformer_was_invoked_by_no_stream(three_run: ProgramRun) -> None:
    """Every stream invokes the one transformer: its Invocations cover any number of streams."""
    queries = _queries(_alarm(three_run, "no-input"))
    metrics = [q["metric"] for q in queries.values() if "metric" in q]
    assert not [m for m in metrics if m["namespace"] == "AWS/Firehose"]
    (invocations,) = [m for m in metrics if m["metricName"] == "Invocations"]
    assert invocations["dimensions"] == {"FunctionName": "lambda-logs-test-transformer"}
    assert "AND FILL(invocations, 0) == 0" in queries["breach"]["expression"]


def test_one_stream_keeps_its_alarm_names(default_run: ProgramRun) -> None:
    names = {alarm.name for alarm in default_run.of_type(ALARM)}
    assert {
        "lambda-logs-health-opensearch-delivery",
        "lambda-logs-health-throttled-records",
        "lambda-logs-health-bytes-quota",
        "lambda-logs-health-records-quota",
        "lambda-logs-health-put-requests-quota",
        "lambda-logs-health-no-input",
    } <= names
    assert not [name for name in names if name.endswith("-2")]


def test_the_no_input_alarm_fits_cloudwatchs_metric_limit_at_the_most_streams() -> None:
    streams = StackNames("lambda-logs", MAX_DELIVERY_STREAMS).streams
    names = MonitoredNames(streams, "t", "s", 900)
    for spec in expression_alarm_specs(names):
        assert len(spec.inputs) <= ALARM_METRICS_MAX, spec.suffix
    (no_input,) = [s for s in expression_alarm_specs(names) if s.suffix == "no-input"]
    assert len(no_input.inputs) == 4  # the transformer's invocations and 3 subscriber metrics


def test_account_policy_mode_watches_stream_0_for_input() -> None:
    names = MonitoredNames(NAMES, "t", None, 900)
    (silent,) = [spec for spec in alarm_specs(names) if spec.suffix == "no-input"]
    assert silent.dimensions == (("DeliveryStreamName", NAMES[0]),)
    assert [s.suffix for s in expression_alarm_specs(names)] == [
        f"{kind}{tag}"
        for tag in TAGS
        for kind in ("bytes-quota", "records-quota", "put-requests-quota")
    ]


def test_the_dashboard_graphs_each_stream_against_its_quota() -> None:
    body = dashboard_body(MonitoredNames(NAMES, "t", "s", 900), "eu-west-1")
    (quota,) = [w for w in body["widgets"] if "quota" in w["properties"]["title"]]
    lines = quota["properties"]["metrics"]
    expressions = [line[0] for line in lines if isinstance(line[0], dict)]
    assert [e["expression"] for e in expressions] == [
        f"100 * (used{i} / PERIOD(used{i})) / quota{i}" for i in range(3)
    ]
    graphed = {(line[1], line[3], line[-1]["id"]) for line in lines if isinstance(line[0], str)}
    assert graphed == {
        (metric, stream, f"{prefix}{i}")
        for i, stream in enumerate(NAMES)
        for metric, prefix in (("IncomingBytes", "used"), ("BytesPerSecondLimit", "quota"))
    }
    throttled = {
        line[3]
        for widget in body["widgets"]
        for line in widget["properties"]["metrics"]
        if isinstance(line[0], str) and line[1] == "ThrottledRecords"
    }
    assert throttled == set(NAMES)


def test_stack_names_are_unchanged_with_one_stream() -> None:
    names = StackNames("lambda-logs")
    assert names.streams == ("lambda-logs",)
    assert names.firehose_log_groups == (names.firehose_log_group,)
