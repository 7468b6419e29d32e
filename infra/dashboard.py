"""The CloudWatch dashboard body: each stream's Firehose metrics and quota, the transformer's
own metrics and both functions' health, pure data from names."""

from __future__ import annotations

from typing import Any

from infra.alarm_specs import (
    FIREHOSE,
    FIVE_MINUTES,
    LAMBDA,
    Dimensions,
    MonitoredNames,
    emf_dimensions,
    stream_dimensions,
)
from lambda_shared import metrics


def _metric(namespace: str, metric: str, dims: Dimensions, stat: str, **options: Any) -> list[Any]:
    flat: list[Any] = [namespace, metric]
    for name, value in dims:
        flat += [name, value]
    return [*flat, {"stat": stat, **options}]


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


def _quota_lines(stream_names: tuple[str, ...]) -> list[list[Any]]:
    """Each stream's bytes/s as a percentage of its quota, as its alarm computes it."""
    lines: list[list[Any]] = []
    for i, stream_name in enumerate(stream_names):
        stream = stream_dimensions(stream_name)
        lines += [
            _metric(FIREHOSE, "IncomingBytes", stream, "Sum", id=f"used{i}", visible=False),
            _metric(
                FIREHOSE, "BytesPerSecondLimit", stream, "Maximum", id=f"quota{i}", visible=False
            ),
            [
                {
                    "expression": f"100 * (used{i} / PERIOD(used{i})) / quota{i}",
                    "label": f"{stream_name} bytes/s, % of quota",
                    "id": f"percent{i}",
                }
            ],
        ]
    return lines


def _firehose_panels(stream_names: tuple[str, ...]) -> list[tuple[str, list[list[Any]]]]:
    streams = [stream_dimensions(name) for name in stream_names]
    return [
        (
            "Firehose: records in and delivered",
            [
                _metric(FIREHOSE, metric, stream, "Sum")
                for stream in streams
                for metric in (
                    "IncomingRecords", "DeliveryToAmazonOpenSearchService.Records",
                    "ThrottledRecords",
                )
            ],
        ),
        (
            "Firehose: delivery success and freshness (s)",
            [
                _metric(FIREHOSE, metric, stream, stat)
                for stream in streams
                for metric, stat in (
                    ("DeliveryToAmazonOpenSearchService.Success", "Average"),
                    ("ExecuteProcessing.Success", "Average"),
                    ("DeliveryToAmazonOpenSearchService.DataFreshness", "Maximum"),
                )
            ],
        ),
        ("Firehose: bytes/s against the Direct PUT quota (%)", _quota_lines(stream_names)),
    ]  # fmt: skip


def dashboard_body(names: MonitoredNames, region: str) -> dict[str, Any]:
    """Firehose in/out and quota per stream, the transformer's own metrics, and both
    functions' health."""
    functions = [names.transformer_name]
    if names.subscriber_name is not None:
        functions.append(names.subscriber_name)
    panels: list[tuple[str, list[list[Any]]]] = [
        *_firehose_panels(names.stream_names),
        (
            "Transformer: records and documents",
            [
                _metric(metrics.NAMESPACE, name, emf_dimensions(stream), "Sum")
                for stream in names.stream_names
                for name in (
                    metrics.RECORDS_IN, metrics.DOCUMENTS, metrics.DOCUMENTS_REINGESTED,
                    metrics.RECORDS_DROPPED, metrics.RECORDS_PROCESSING_FAILED,
                    metrics.REINGEST_RETRIES, metrics.TRUNCATED_MESSAGES, metrics.PARSER_ERRORS,
                    metrics.DOCUMENTS_REROUTED,  # a routed stream not there (yet): a scale-out
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
