"""Vega-Lite specs of the Vega visualizations.

OpenSearch Dashboards 2.x renders Vega 5 / Vega-Lite 5. A spec's data is an OpenSearch query:
`%context%` lets the dashboard's query and filters in, `%timefield%` its time range, and the body
carries only the aggregations (no `query`); `format.property` picks the buckets out of the
response. The tests compile and render every spec with the real Vega-Lite compiler against a
response computed from documents by the spec's own aggregations.
"""

from __future__ import annotations

from typing import Any, Final

from opensearch.saved_objects import PATTERN_TITLE

JsonObject = dict[str, Any]
SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v5.json"
# Ids longer than this are shown as their first and last 8 characters on an axis (the axis label
# limit, 180 px by default, would cut them at an arbitrary place); tooltips show the whole id.
SHORT_ID_CHARS: Final = 20
SHORT_ID_LABEL: Final = (
    f"length(datum.label) > {SHORT_ID_CHARS} "
    "? slice(datum.label, 0, 8) + '…' + slice(datum.label, -8) : datum.label"
)


def vega_data(body: JsonObject, buckets: str) -> JsonObject:
    return {
        "url": {
            "index": PATTERN_TITLE,
            "%context%": True,
            "%timefield%": "@timestamp",
            "body": body,
        },
        "format": {"property": buckets},
    }


def cold_start_spec() -> JsonObject:
    body = {
        "size": 0,
        "aggs": {
            "reports": {
                "filter": {"term": {"aws.lambda.event": "report"}},
                "aggs": {
                    "functions": {
                        "terms": {"field": "faas.name", "size": 50},
                        "aggs": {
                            "cold": {"filter": {"term": {"faas.coldstart": True}}},
                            "ratio": {
                                "bucket_script": {
                                    "buckets_path": {"cold": "cold>_count", "all": "_count"},
                                    "script": "params.all > 0 ? params.cold / params.all : 0",
                                }
                            },
                        },
                    }
                },
            }
        },
    }
    return {
        "$schema": SCHEMA,
        "title": "Cold-start ratio per function (cold starts / invocations)",
        "data": vega_data(body, "aggregations.reports.functions.buckets"),
        "transform": [
            {"calculate": "datum.ratio.value", "as": "cold_start_ratio"},
            {"calculate": "datum.cold.doc_count", "as": "cold_starts"},
        ],
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "key", "type": "nominal", "sort": "-x", "title": "function"},
            "x": {
                "field": "cold_start_ratio",
                "type": "quantitative",
                "title": "cold-start ratio",
                "axis": {"format": "%"},
            },
            "tooltip": [
                {"field": "key", "title": "function"},
                {"field": "cold_start_ratio", "format": ".1%", "title": "ratio"},
                {"field": "cold_starts", "title": "cold starts"},
                {"field": "doc_count", "title": "invocations"},
            ],
        },
    }


def slowest_traces_spec() -> JsonObject:
    body = {
        "size": 0,
        "aggs": {
            "traces": {
                "terms": {"field": "trace.id", "size": 1000},
                "aggs": {
                    "first": {"min": {"field": "@timestamp"}},
                    "last": {"max": {"field": "@timestamp"}},
                    "functions": {"cardinality": {"field": "faas.name"}},
                    "lead_ms": {
                        "bucket_script": {
                            "buckets_path": {"first": "first", "last": "last"},
                            "script": "params.last - params.first",
                        }
                    },
                    "slowest": {
                        "bucket_sort": {"sort": [{"lead_ms": {"order": "desc"}}], "size": 25}
                    },
                },
            }
        },
    }
    return {
        "$schema": SCHEMA,
        "title": "Slowest traces by lead time (first to last event of a trace.id)",
        "data": vega_data(body, "aggregations.traces.buckets"),
        "transform": [
            {"calculate": "datum.lead_ms.value / 1000", "as": "lead_seconds"},
            {"calculate": "datum.functions.value", "as": "function_count"},
            {"calculate": "datum.first.value_as_string", "as": "started"},
        ],
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {
                "field": "key",
                "type": "nominal",
                "sort": "-x",
                "title": "trace.id",
                "axis": {"labelExpr": SHORT_ID_LABEL, "labelLimit": 0},
            },
            "x": {"field": "lead_seconds", "type": "quantitative", "title": "lead time (s)"},
            "tooltip": [
                {"field": "key", "title": "trace.id"},
                {"field": "lead_seconds", "title": "lead time (s)", "format": ".3f"},
                {"field": "started", "title": "first event"},
                {"field": "function_count", "title": "functions"},
                {"field": "doc_count", "title": "lines"},
            ],
        },
    }
