"""What the pipeline alarms on, and the CloudWatch dashboard body: pure data from names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from lambda_shared import metrics

Comparison = Literal["GreaterThanThreshold", "LessThanThreshold"]
FIREHOSE: Final = "AWS/Firehose"
LAMBDA: Final = "AWS/Lambda"
FIVE_MINUTES: Final = 300


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
            "Firehose could not deliver every document to OpenSearch (see the stream's error "
            "log group and AmazonOpenSearchService-failed/ in the bucket).",
            FIREHOSE, "DeliveryToAmazonOpenSearchService.Success", stream, "Average",
            "LessThanThreshold", 1, evaluation_periods=3,
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
            "The transformer invocation by Firehose failed (records went to processing-failed/).",
            FIREHOSE, "ExecuteProcessing.Success", stream, "Average", "LessThanThreshold", 1,
            evaluation_periods=2,
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
        specs.append(_backfill_given_up())
    return specs


def _backfill_given_up() -> AlarmSpec:
    """A gap the subscriber stopped retrying to backfill (its ERROR line has the window)."""
    return AlarmSpec(
        "backfill-permanently-failed",
        "The subscriber gave up backfilling a log group (see its ERROR log line for the group "
        "and the window; fix the cause, delete the group's pipeline filter and reconcile).",
        metrics.NAMESPACE, metrics.BACKFILL_PERMANENTLY_FAILED,
        ((metrics.SUBSCRIBER_DIMENSION, metrics.SUBSCRIBER_DIMENSION_VALUE),),
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
