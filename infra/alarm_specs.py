"""What the pipeline alarms on, and the CloudWatch dashboard body: pure data from names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from lambda_shared import metrics

Comparison = Literal["GreaterThanThreshold", "LessThanThreshold"]
MissingData = Literal["notBreaching", "breaching"]
FIREHOSE: Final = "AWS/Firehose"
LAMBDA: Final = "AWS/Lambda"
FIVE_MINUTES: Final = 300
HOUR: Final = 3600
NO_INPUT_HOURS: Final = 3
"""The stream alarms when nothing arrived for this long while log groups are subscribed."""
SUSTAINED_PERIODS: Final = 3
"""Firehose retries a failed delivery or processing call by itself; a failure counts once no
delivery at all succeeded for this many 5-minute periods in a row."""


@dataclass(frozen=True)
class AlarmSpec:
    suffix: str
    description: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: Literal["Sum", "Average", "Maximum"]
    comparison: Comparison
    threshold: float
    evaluation_periods: int = 1
    period: int = FIVE_MINUTES
    treat_missing: MissingData = "notBreaching"


@dataclass(frozen=True)
class MetricInput:
    """One metric of a metric-math alarm, named `id` in its expression."""

    id: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: Literal["Sum", "Average", "Maximum"] = "Sum"


@dataclass(frozen=True)
class ExpressionAlarmSpec:
    """An alarm on `expression` over `inputs` (CloudWatch metric math), breaching above 0."""

    suffix: str
    description: str
    expression: str
    inputs: tuple[MetricInput, ...]
    period: int
    evaluation_periods: int


@dataclass(frozen=True)
class MonitoredNames:
    stream_name: str
    transformer_name: str
    subscriber_name: str | None
    freshness_seconds: int


def _stream(names: MonitoredNames) -> tuple[tuple[str, str], ...]:
    return (("DeliveryStreamName", names.stream_name),)


def _emf(names: MonitoredNames) -> tuple[tuple[str, str], ...]:
    """The dimension of the transformer's own metrics (lambda_shared.metrics)."""
    return ((metrics.TRANSFORMER_DIMENSION, names.stream_name),)


def _function_alarms(label: str, function_name: str) -> list[AlarmSpec]:
    dims = (("FunctionName", function_name),)
    return [
        AlarmSpec(
            f"{label}-errors",
            f"The {label} function failed (errors or timeouts).",
            LAMBDA, "Errors", dims, "Sum", "GreaterThanThreshold", 0,
        ),
        AlarmSpec(
            f"{label}-throttles",
            f"The {label} function was throttled (raise its concurrency).",
            LAMBDA, "Throttles", dims, "Sum", "GreaterThanThreshold", 0,
        ),
    ]  # fmt: skip


def alarm_specs(names: MonitoredNames) -> list[AlarmSpec]:
    stream = _stream(names)
    specs = [
        AlarmSpec(
            "opensearch-delivery",
            "No delivery to OpenSearch succeeded for 15 minutes (see the stream's error log "
            "group; after the retry duration documents go to AmazonOpenSearchService-failed/).",
            FIREHOSE, "DeliveryToAmazonOpenSearchService.Success", stream, "Maximum",
            "LessThanThreshold", 1, evaluation_periods=SUSTAINED_PERIODS,
        ),
        AlarmSpec(
            "data-freshness",
            "The oldest record in Firehose waits too long: delivery to OpenSearch is behind.",
            FIREHOSE, "DeliveryToAmazonOpenSearchService.DataFreshness", stream, "Maximum",
            "GreaterThanThreshold", names.freshness_seconds, evaluation_periods=2,
        ),
        AlarmSpec(
            "throttled-records",
            "Firehose throttled incoming records (raise the stream's quota).",
            FIREHOSE, "ThrottledRecords", stream, "Sum", "GreaterThanThreshold", 0,
        ),
        AlarmSpec(
            "processing",
            "Firehose could not invoke the transformer for 15 minutes (after its retries, "
            "records go to processing-failed/; replay with lambdalogs replay).",
            FIREHOSE, "ExecuteProcessing.Success", stream, "Maximum", "LessThanThreshold", 1,
            evaluation_periods=SUSTAINED_PERIODS,
        ),
        AlarmSpec(
            "processing-failed-records",
            "The transformer returned ProcessingFailed records (raw data in processing-failed/; "
            "replay with python -m lambdalogs replay).",
            metrics.NAMESPACE, metrics.RECORDS_PROCESSING_FAILED,
            _emf(names), "Sum", "GreaterThanThreshold", 0,
        ),
        *_function_alarms("transformer", names.transformer_name),
    ]  # fmt: skip
    if names.subscriber_name is not None:
        specs += _function_alarms("subscriber", names.subscriber_name)
        specs.append(_backfill_given_up(names.subscriber_name))
    else:  # account-policy mode: every log group of the account is subscribed
        specs.append(_no_input_under_policy(stream))
    return specs


def _no_input_under_policy(stream: tuple[tuple[str, str], ...]) -> AlarmSpec:
    return AlarmSpec(
        "no-input",
        f"The stream received no record for {NO_INPUT_HOURS} hours although the account "
        "subscription policy covers every log group: check the policy, its role and the stream.",
        FIREHOSE, "IncomingRecords", stream, "Sum", "LessThanThreshold", 1,
        evaluation_periods=NO_INPUT_HOURS, period=HOUR, treat_missing="breaching",
    )  # fmt: skip


def expression_alarm_specs(names: MonitoredNames) -> list[ExpressionAlarmSpec]:
    """Reconciler mode: no input while the subscriber reports groups holding our filter.

    Firehose publishes no IncomingRecords datapoint when nothing arrives, hence FILL(…, 0)."""
    if names.subscriber_name is None:
        return []
    subscriber = ((metrics.SUBSCRIBER_DIMENSION, names.subscriber_name),)
    held = (metrics.FILTERS_CREATED, metrics.FILTERS_UPDATED, metrics.FILTERS_UNCHANGED)
    inputs = (
        MetricInput("incoming", FIREHOSE, "IncomingRecords", _stream(names)),
        *(
            MetricInput(f"held{i}", metrics.NAMESPACE, name, subscriber)
            for i, name in enumerate(held)
        ),
    )
    subscribed = " + ".join(f"FILL(held{i}, 0)" for i in range(len(held)))
    return [
        ExpressionAlarmSpec(
            "no-input",
            f"The stream received no record for {NO_INPUT_HOURS} hours while the subscriber "
            "reports log groups holding the pipeline's filter: check the filters' role and "
            "the stream.",
            f"IF(({subscribed}) > 0 AND FILL(incoming, 0) == 0, 1, 0)",
            inputs,
            period=HOUR,
            evaluation_periods=NO_INPUT_HOURS,
        )
    ]


def _backfill_given_up(subscriber_name: str) -> AlarmSpec:
    """A gap the subscriber stopped retrying to backfill (its ERROR line has the window)."""
    return AlarmSpec(
        "backfill-permanently-failed",
        "The subscriber gave up backfilling a log group (see its ERROR log line for the group "
        "and the window; fix the cause, delete the group's pipeline filter and reconcile).",
        metrics.NAMESPACE, metrics.BACKFILL_PERMANENTLY_FAILED,
        ((metrics.SUBSCRIBER_DIMENSION, subscriber_name),),
        "Sum", "GreaterThanThreshold", 0,
    )  # fmt: skip


def _metric(namespace: str, metric: str, dims: tuple[tuple[str, str], ...], stat: str) -> list[Any]:
    flat: list[Any] = [namespace, metric]
    for name, value in dims:
        flat += [name, value]
    return [*flat, {"stat": stat}]


def _widget(title: str, metrics: list[list[Any]], region: str, x: int, y: int) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stat": "Sum",
            "period": FIVE_MINUTES,
            "metrics": metrics,
        },
    }


def dashboard_body(names: MonitoredNames, region: str) -> dict[str, Any]:
    """Firehose in/out, the transformer's own metrics, and both functions' health."""
    stream = _stream(names)
    emf = _emf(names)
    functions = [names.transformer_name]
    if names.subscriber_name is not None:
        functions.append(names.subscriber_name)
    panels: list[tuple[str, list[list[Any]]]] = [
        (
            "Firehose: records in and delivered",
            [
                _metric(FIREHOSE, "IncomingRecords", stream, "Sum"),
                _metric(FIREHOSE, "DeliveryToAmazonOpenSearchService.Records", stream, "Sum"),
                _metric(FIREHOSE, "ThrottledRecords", stream, "Sum"),
            ],
        ),
        (
            "Firehose: delivery success and freshness (s)",
            [
                _metric(FIREHOSE, "DeliveryToAmazonOpenSearchService.Success", stream, "Average"),
                _metric(FIREHOSE, "ExecuteProcessing.Success", stream, "Average"),
                _metric(
                    FIREHOSE, "DeliveryToAmazonOpenSearchService.DataFreshness", stream, "Maximum"
                ),
            ],
        ),
        (
            "Transformer: records and documents",
            [
                _metric(metrics.NAMESPACE, name, emf, "Sum")
                for name in (
                    metrics.RECORDS_IN, metrics.DOCUMENTS, metrics.DOCUMENTS_REINGESTED,
                    metrics.RECORDS_DROPPED, metrics.RECORDS_PROCESSING_FAILED,
                    metrics.REINGEST_RETRIES, metrics.TRUNCATED_MESSAGES, metrics.PARSER_ERRORS,
                )
            ],
        ),
        (
            "Functions: errors and throttles",
            [
                _metric(LAMBDA, metric, (("FunctionName", fn),), "Sum")
                for fn in functions
                for metric in ("Errors", "Throttles")
            ],
        ),
        (
            "Functions: duration (p95, ms)",
            [_metric(LAMBDA, "Duration", (("FunctionName", fn),), "p95") for fn in functions],
        ),
        (
            "Functions: invocations",
            [_metric(LAMBDA, "Invocations", (("FunctionName", fn),), "Sum") for fn in functions],
        ),
    ]  # fmt: skip
    widgets = [
        _widget(title, metrics, region, x=12 * (i % 2), y=6 * (i // 2))
        for i, (title, metrics) in enumerate(panels)
    ]
    return {"widgets": widgets}
