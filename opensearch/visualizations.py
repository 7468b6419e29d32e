"""Visualizations (standard types and Vega) of the saved objects."""

from __future__ import annotations

import json
from typing import Any

from opensearch.saved_objects import (
    ERRORS,
    FAILED,
    INVOCATION,
    REPORTS,
    TIMEOUTS,
    dumps,
    index_reference,
    search_source,
)
from opensearch.vega import cold_start_spec, slowest_traces_spec

JsonObject = dict[str, Any]
ACCOUNT = "cloud.account.id"  # per-function panels split by it: two accounts' `api` stay apart


def _agg(agg_id: str, agg_type: str, schema: str, **params: Any) -> JsonObject:
    return {"id": agg_id, "enabled": True, "type": agg_type, "schema": schema, "params": params}


def _terms(agg_id: str, field: str, schema: str, size: int = 10, order_by: str = "1") -> JsonObject:
    return _agg(
        agg_id,
        "terms",
        schema,
        field=field,
        size=size,
        order="desc",
        orderBy=order_by,
        otherBucket=False,
        otherBucketLabel="Other",
        missingBucket=False,
        missingBucketLabel="Missing",
    )


def _date_histogram(agg_id: str) -> JsonObject:
    return _agg(
        agg_id,
        "date_histogram",
        "segment",
        field="@timestamp",
        interval="auto",
        min_doc_count=1,
        extended_bounds={},
        drop_partials=False,
        useNormalizedOpenSearchInterval=True,
    )


def _category_axis() -> JsonObject:
    return {
        "id": "CategoryAxis-1",
        "type": "category",
        "position": "bottom",
        "show": True,
        "style": {},
        "scale": {"type": "linear"},
        "labels": {"show": True, "filter": True, "truncate": 100},
        "title": {},
    }


def _xy_params(
    chart: str, value_title: str, series: list[tuple[str, str]], mode: str | None = None
) -> JsonObject:
    """Params of a line/bar chart; `series` = (metric id, legend label) each. Bars are stacked
    unless `mode` says otherwise."""
    mode = mode or ("stacked" if chart == "histogram" else "normal")
    return {
        "type": chart,
        "grid": {"categoryLines": False},
        "categoryAxes": [_category_axis()],
        "valueAxes": [
            {
                "id": "ValueAxis-1",
                "name": "LeftAxis-1",
                "type": "value",
                "position": "left",
                "show": True,
                "style": {},
                "scale": {"type": "linear", "mode": "normal"},
                "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
                "title": {"text": value_title},
            }
        ],
        "seriesParams": [
            {
                "show": True,
                "type": chart,
                "mode": mode,
                "data": {"label": label, "id": metric_id},
                "valueAxis": "ValueAxis-1",
                "drawLinesBetweenPoints": True,
                "lineWidth": 2,
                "interpolate": "linear",
                "showCircles": True,
            }
            for metric_id, label in series
        ],
        "addTooltip": True,
        "addLegend": True,
        "legendPosition": "right",
        "times": [],
        "addTimeMarker": False,
        "labels": {"show": False},
        "thresholdLine": {
            "show": False,
            "value": 10,
            "width": 1,
            "style": "full",
            "color": "#E7664C",
        },
    }


def _table_params() -> JsonObject:
    return {
        "perPage": 20,
        "showPartialRows": False,
        "showMetricsAtAllLevels": False,
        "showTotal": False,
        "totalFunc": "sum",
        "percentageCol": "",
    }


def _metric_params() -> JsonObject:
    return {
        "addTooltip": True,
        "addLegend": False,
        "type": "metric",
        "metric": {
            "percentageMode": False,
            "useRanges": False,
            "colorSchema": "Green to Red",
            "metricColorMode": "None",
            "colorsRange": [{"from": 0, "to": 10000}],
            "labels": {"show": True},
            "invertColors": False,
            "style": {
                "bgFill": "#000",
                "bgColor": False,
                "labelColor": False,
                "subText": "",
                "fontSize": 60,
            },
        },
    }


def _pie_params() -> JsonObject:
    return {
        "type": "pie",
        "addTooltip": True,
        "addLegend": True,
        "legendPosition": "right",
        "isDonut": True,
        "labels": {"show": False, "values": True, "last_level": True, "truncate": 100},
    }


def visualization(
    key: str,
    title: str,
    description: str,
    vis_type: str,
    aggs: list[JsonObject],
    params: JsonObject,
    query: str = "",
) -> JsonObject:
    uses_index = vis_type != "vega"
    state = {"title": title, "type": vis_type, "aggs": aggs, "params": params}
    return {
        "id": f"${{INDEX_PREFIX}}-vis-{key}",
        "type": "visualization",
        "attributes": {
            "title": title,
            "description": description,
            "visState": dumps(state),
            "uiStateJSON": "{}",
            "version": 1,
            "kibanaSavedObjectMeta": search_source(query, with_index=uses_index),
        },
        "references": index_reference() if uses_index else [],
        "migrationVersion": {"visualization": "7.10.0"},
    }


def _vega(key: str, title: str, description: str, spec: JsonObject) -> JsonObject:
    params = {"spec": json.dumps(spec, indent=2)}
    return visualization(key, title, description, "vega", [], params)


def _per_function(
    key: str, titles: tuple[str, str, str], chart: str, query: str, metric: JsonObject
) -> JsonObject:
    """`metric` of the documents matching `query` over time, one series per function;
    `titles` = (title, description, value axis title)."""
    title, description, value_title = titles
    return visualization(
        key,
        title,
        description,
        chart,
        [metric, _date_histogram("2"), _terms("3", "faas.name", "group")],
        _xy_params(chart, value_title, [("1", value_title)]),
        query,
    )


def _invocations_counted(label: str) -> JsonObject:
    return _agg("1", "cardinality", "metric", field=INVOCATION, customLabel=label)


def _failure_panels() -> list[JsonObject]:
    lines = _agg("1", "count", "metric", customLabel="Error lines")
    return [
        _per_function(
            "invocations",
            (
                "Invocations per function over time",
                "REPORT lines (one per invocation).",
                "Invocations",
            ),
            "line",
            REPORTS,
            _agg("1", "count", "metric", customLabel="Invocations"),
        ),
        _per_function(
            "errors",
            (
                "Errors (failed invocations) per function over time",
                "Invocations that failed: function error, timeout or runtime failure, each "
                "counted once (what Lambda's Errors metric counts). Error log lines are a "
                "separate panel.",
                "Failed invocations",
            ),
            "histogram",
            FAILED,
            _invocations_counted("Failed invocations"),
        ),
        _per_function(
            "error-lines",
            ("Error log lines per function over time", "ERROR and FATAL log lines.", "Error lines"),
            "histogram",
            ERRORS,
            lines,
        ),
        _per_function(
            "timeouts",
            ("Timeouts per function", "Timed-out invocations, each counted once.", "Timeouts"),
            "histogram",
            TIMEOUTS,
            _invocations_counted("Timed-out invocations"),
        ),
        visualization(
            "error-types",
            "Top error types",
            "Most frequent error.type values.",
            "pie",
            [_agg("1", "count", "metric"), _terms("2", "error.type", "segment", size=15)],
            _pie_params(),
            "error.type:*",
        ),
    ]


def _performance_panels() -> list[JsonObject]:
    percentiles = {"percents": [50, 95, 99]}
    emf = "metrics.${EMF_METRIC}"
    return [
        visualization(
            "duration",
            "Duration p50 / p95 / p99 per function",
            "Percentiles of REPORT Duration (ms) per function and account.",
            "table",
            [
                _agg("1", "percentiles", "metric", field="aws.lambda.duration_ms", **percentiles),
                _agg("4", "count", "metric"),
                _terms("2", "faas.name", "bucket", size=50, order_by="4"),
                _terms("5", ACCOUNT, "bucket", size=20, order_by="4"),
            ],
            _table_params(),
            REPORTS,
        ),
        _vega(
            "cold-starts",
            "Cold-start ratio per function",
            "Share of invocations that were cold starts.",
            cold_start_spec(),
        ),
        visualization(
            "memory",
            "Max memory used vs memory size per function",
            "Highest Max Memory Used against the configured Memory Size (MB).",
            "histogram",
            [
                _agg("1", "max", "metric", field="aws.lambda.max_memory_used_mb"),
                _agg("2", "max", "metric", field="aws.lambda.memory_size_mb"),
                _terms("3", "faas.name", "segment", size=30),
            ],
            _xy_params(
                "histogram", "MB", [("1", "Max memory used"), ("2", "Memory size")], mode="normal"
            ),
            REPORTS,
        ),
        visualization(
            "emf-percentiles",
            "EMF metric percentiles: ${EMF_METRIC}",
            f"p50 / p95 / p99 of the Embedded Metric Format value {emf} over time. Save a "
            "copy and change the field to chart another metrics.* value.",
            "line",
            [_agg("1", "percentiles", "metric", field=emf, **percentiles), _date_histogram("2")],
            _xy_params("line", emf, [("1", emf)]),
            f"{emf}:*",
        ),
    ]


def _cost_panels() -> list[JsonObject]:
    cost = "aws.lambda.cost_usd"
    return [
        visualization(
            "cost-per-function",
            "Cost per function (USD)",
            f"Sum of {cost} per function, one bar segment per account.",
            "histogram",
            [
                _agg("1", "sum", "metric", field=cost),
                _terms("3", "faas.name", "segment", size=30),
                _terms("4", ACCOUNT, "group", size=20),
            ],
            _xy_params("histogram", "USD", [("1", "USD")]),
            REPORTS,
        ),
        visualization(
            "cost-total",
            "Total cost (USD)",
            f"Sum of {cost} of every function.",
            "metric",
            [_agg("1", "sum", "metric", field=cost, customLabel="Total cost (USD)")],
            _metric_params(),
            REPORTS,
        ),
        visualization(
            "cost-over-time",
            "Cost over time per function (USD)",
            f"Sum of {cost} over time per function.",
            "histogram",
            [
                _agg("1", "sum", "metric", field=cost),
                _date_histogram("2"),
                _terms("3", "faas.name", "group"),
            ],
            _xy_params("histogram", "USD", [("1", "USD")]),
            REPORTS,
        ),
    ]


def _trace_panels() -> list[JsonObject]:
    return [
        _vega(
            "slowest-traces",
            "Slowest traces by lead time",
            "Traces (trace.id) whose first and last events are furthest apart.",
            slowest_traces_spec(),
        ),
        visualization(
            "milestones",
            "Milestones reached",
            "Distinct traces that reached each labels.milestone.",
            "histogram",
            [
                _agg("1", "cardinality", "metric", field="trace.id", customLabel="Traces"),
                _terms("2", "labels.milestone", "segment", size=30, order_by="1"),
            ],
            _xy_params("histogram", "Traces", [("1", "Traces")]),
            "labels.milestone:*",
        ),
    ]


def visualizations() -> list[JsonObject]:
    return _failure_panels() + _performance_panels() + _cost_panels() + _trace_panels()
