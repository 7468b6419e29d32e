"""Source of the Dashboards saved objects in `opensearch/saved-objects/*.ndjson`.

Saved objects nest JSON inside JSON strings (`visState`, `searchSourceJSON`, `panelsJSON`, Vega
specs), which is error-prone by hand, so the `.ndjson` files are generated from this module:

    .venv/bin/python -m opensearch.dashboards      # rewrites opensearch/saved-objects/*.ndjson

A test fails when the files and this module disagree. Placeholders (`${INDEX_PREFIX}`,
`${EMF_METRIC}`) are left in place and rendered at apply time (see `opensearch.artifacts`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

JsonObject = dict[str, Any]

PATTERN_ID = "${INDEX_PREFIX}-index-pattern"
PATTERN_TITLE = "${INDEX_PREFIX}-*"
REPORTS = "aws.lambda.event:report"
ERRORS = "log.level:(ERROR or FATAL)"
TIMEOUTS = "aws.lambda.event:timeout or aws.lambda.status:timeout"
SAVED_OBJECTS_DIR = Path(__file__).parent / "saved-objects"
VERSION = "2.11.0"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=False)


def _search_source(query: str, with_index: bool) -> JsonObject:
    source: JsonObject = {"query": {"query": query, "language": "kuery"}, "filter": []}
    if with_index:
        source["indexRefName"] = "kibanaSavedObjectMeta.searchSourceJSON.index"
    return {"searchSourceJSON": _dumps(source)}


def _index_reference() -> list[JsonObject]:
    return [
        {
            "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
            "type": "index-pattern",
            "id": PATTERN_ID,
        }
    ]


def index_pattern() -> JsonObject:
    return {
        "id": PATTERN_ID,
        "type": "index-pattern",
        "attributes": {"title": PATTERN_TITLE, "timeFieldName": "@timestamp"},
        "references": [],
        "migrationVersion": {"index-pattern": "7.6.0"},
    }


def search(
    key: str, title: str, description: str, query: str, columns: list[str], order: str
) -> JsonObject:
    return {
        "id": f"${{INDEX_PREFIX}}-search-{key}",
        "type": "search",
        "attributes": {
            "title": title,
            "description": description,
            "columns": columns,
            "sort": [["@timestamp", order]],
            "hits": 0,
            "version": 1,
            "kibanaSavedObjectMeta": _search_source(query, with_index=True),
        },
        "references": _index_reference(),
        "migrationVersion": {"search": "7.9.3"},
    }


def searches() -> list[JsonObject]:
    common = ["faas.name", "log.level", "message"]
    return [
        search(
            "errors",
            "Lambda errors",
            "ERROR and FATAL lines, newest first.",
            ERRORS,
            ["faas.name", "error.type", "error.message", "message"],
            "desc",
        ),
        search(
            "timeouts",
            "Lambda timeouts",
            "Timeout lines and REPORT lines with Status: timeout.",
            TIMEOUTS,
            ["faas.name", "faas.execution", "aws.lambda.duration_ms", "message"],
            "desc",
        ),
        search(
            "cold-starts",
            "Lambda cold starts",
            "REPORT lines of cold starts (Init Duration).",
            f"{REPORTS} and faas.coldstart:true",
            [
                "faas.name",
                "aws.lambda.init_duration_ms",
                "aws.lambda.duration_ms",
                "aws.lambda.memory_size_mb",
            ],
            "desc",
        ),
        search(
            "trace-milestones",
            "Lambda trace milestones (one trace, in order)",
            'The milestones of traces, oldest first. Add trace.id:"<id>" to the query to '
            "follow one trace across functions.",
            "labels.milestone:*",
            ["trace.id", "labels.milestone", "faas.name", "message"],
            "asc",
        ),
        search(
            "invocation",
            "Lambda invocation lines (one invocation, in order)",
            'Every line of invocations, oldest first. Add faas.execution:"<request id>" to '
            "the query to read one invocation from START to REPORT.",
            "faas.execution:*",
            ["faas.execution", *common],
            "asc",
        ),
    ]


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


def _xy_params(chart: str, value_title: str, metric_ids: list[str]) -> JsonObject:
    mode = "stacked" if chart == "histogram" else "normal"
    return {
        "type": chart,
        "grid": {"categoryLines": False},
        "categoryAxes": [
            {
                "id": "CategoryAxis-1",
                "type": "category",
                "position": "bottom",
                "show": True,
                "style": {},
                "scale": {"type": "linear"},
                "labels": {"show": True, "filter": True, "truncate": 100},
                "title": {},
            }
        ],
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
                "data": {"label": value_title, "id": metric_id},
                "valueAxis": "ValueAxis-1",
                "drawLinesBetweenPoints": True,
                "lineWidth": 2,
                "interpolate": "linear",
                "showCircles": True,
            }
            for metric_id in metric_ids
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
            "visState": _dumps(state),
            "uiStateJSON": "{}",
            "version": 1,
            "kibanaSavedObjectMeta": _search_source(query, with_index=uses_index),
        },
        "references": _index_reference() if uses_index else [],
        "migrationVersion": {"visualization": "7.10.0"},
    }


def _vega(key: str, title: str, description: str, spec: JsonObject) -> JsonObject:
    params = {"spec": json.dumps(spec, indent=2)}
    return visualization(key, title, description, "vega", [], params)


def _vega_data(body: JsonObject, buckets: str) -> JsonObject:
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
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Cold-start ratio per function (cold starts / invocations)",
        "data": _vega_data(body, "aggregations.reports.functions.buckets"),
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
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Slowest traces by lead time (first to last event of a trace.id)",
        "data": _vega_data(body, "aggregations.traces.buckets"),
        "transform": [
            {"calculate": "datum.lead_ms.value / 1000", "as": "lead_seconds"},
            {"calculate": "datum.functions.value", "as": "function_count"},
            {"calculate": "datum.first.value_as_string", "as": "started"},
        ],
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "key", "type": "nominal", "sort": "-x", "title": "trace.id"},
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


def visualizations() -> list[JsonObject]:
    count = _agg("1", "count", "metric")
    by_function = _terms("3", "faas.name", "group")
    return [
        visualization(
            "invocations",
            "Invocations per function over time",
            "REPORT lines (one per invocation) per function.",
            "line",
            [count, _date_histogram("2"), by_function],
            _xy_params("line", "Invocations", ["1"]),
            REPORTS,
        ),
        visualization(
            "errors",
            "Errors per function over time",
            "ERROR and FATAL lines per function.",
            "histogram",
            [count, _date_histogram("2"), by_function],
            _xy_params("histogram", "Errors", ["1"]),
            ERRORS,
        ),
        visualization(
            "timeouts",
            "Timeouts per function",
            "Timed-out invocations per function.",
            "histogram",
            [count, _date_histogram("2"), by_function],
            _xy_params("histogram", "Timeouts", ["1"]),
            TIMEOUTS,
        ),
        visualization(
            "duration",
            "Duration p50 / p95 / p99 per function",
            "Percentiles of REPORT Duration (ms) per function.",
            "table",
            [
                _agg(
                    "1",
                    "percentiles",
                    "metric",
                    field="aws.lambda.duration_ms",
                    percents=[50, 95, 99],
                ),
                _agg("4", "count", "metric"),
                _terms("2", "faas.name", "bucket", size=50, order_by="4"),
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
            {
                **_xy_params("histogram", "MB", ["1", "2"]),
                "seriesParams": [
                    {
                        "show": True,
                        "type": "histogram",
                        "mode": "normal",
                        "data": {"label": label, "id": mid},
                        "valueAxis": "ValueAxis-1",
                    }
                    for mid, label in (("1", "Max memory used"), ("2", "Memory size"))
                ],
            },
            REPORTS,
        ),
        visualization(
            "cost-per-function",
            "Cost per function (USD)",
            "Sum of aws.lambda.cost_usd per function.",
            "histogram",
            [
                _agg("1", "sum", "metric", field="aws.lambda.cost_usd"),
                _terms("3", "faas.name", "segment", size=30),
            ],
            _xy_params("histogram", "USD", ["1"]),
            REPORTS,
        ),
        visualization(
            "cost-total",
            "Total cost (USD)",
            "Sum of aws.lambda.cost_usd of every function.",
            "metric",
            [
                _agg(
                    "1",
                    "sum",
                    "metric",
                    field="aws.lambda.cost_usd",
                    customLabel="Total cost (USD)",
                )
            ],
            _metric_params(),
            REPORTS,
        ),
        visualization(
            "cost-over-time",
            "Cost over time per function (USD)",
            "Sum of aws.lambda.cost_usd over time per function.",
            "histogram",
            [
                _agg("1", "sum", "metric", field="aws.lambda.cost_usd"),
                _date_histogram("2"),
                by_function,
            ],
            _xy_params("histogram", "USD", ["1"]),
            REPORTS,
        ),
        visualization(
            "error-types",
            "Top error types",
            "Most frequent error.type values.",
            "pie",
            [count, _terms("2", "error.type", "segment", size=15)],
            _pie_params(),
            "error.type:*",
        ),
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
            _xy_params("histogram", "Traces", ["1"]),
            "labels.milestone:*",
        ),
        visualization(
            "emf-percentiles",
            "EMF metric percentiles: ${EMF_METRIC}",
            "p50 / p95 / p99 of the Embedded Metric Format value "
            "metrics.${EMF_METRIC} over time. Save a copy and change the field "
            "to chart another metrics.* value.",
            "line",
            [
                _agg(
                    "1",
                    "percentiles",
                    "metric",
                    field="metrics.${EMF_METRIC}",
                    percents=[50, 95, 99],
                ),
                _date_histogram("2"),
            ],
            _xy_params("line", "metrics.${EMF_METRIC}", ["1"]),
            "metrics.${EMF_METRIC}:*",
        ),
    ]


def _panel(index: int, width: int, height: int, x: int, y: int) -> JsonObject:
    return {
        "version": VERSION,
        "panelIndex": str(index + 1),
        "gridData": {"x": x, "y": y, "w": width, "h": height, "i": str(index + 1)},
        "embeddableConfig": {},
        "panelRefName": f"panel_{index}",
    }


def dashboard(key: str, title: str, description: str, panels: list[tuple[str, str]]) -> JsonObject:
    """A dashboard of `panels` ((type, id-suffix) pairs), laid out two per row."""
    layout = [_panel(i, 24, 15, (i % 2) * 24, (i // 2) * 15) for i in range(len(panels))]
    references = [
        {"name": f"panel_{i}", "type": kind, "id": f"${{INDEX_PREFIX}}-{suffix}"}
        for i, (kind, suffix) in enumerate(panels)
    ]
    return {
        "id": f"${{INDEX_PREFIX}}-dashboard-{key}",
        "type": "dashboard",
        "attributes": {
            "title": title,
            "description": description,
            "panelsJSON": _dumps(layout),
            "optionsJSON": _dumps({"hidePanelTitles": False, "useMargins": True}),
            "timeRestore": True,
            "timeFrom": "now-24h",
            "timeTo": "now",
            "refreshInterval": {"pause": True, "value": 0},
            "hits": 0,
            "version": 1,
            "kibanaSavedObjectMeta": _search_source("", with_index=False),
        },
        "references": references,
        "migrationVersion": {"dashboard": "7.9.3"},
    }


def dashboards() -> list[JsonObject]:
    def vis(key: str) -> tuple[str, str]:
        return ("visualization", f"vis-{key}")

    def saved(key: str) -> tuple[str, str]:
        return ("search", f"search-{key}")

    return [
        dashboard(
            "overview",
            "Lambda logs: Overview",
            "Is everything healthy? Invocations, errors, cold starts and cost.",
            [
                vis("invocations"),
                vis("errors"),
                vis("cold-starts"),
                vis("cost-total"),
                vis("error-types"),
                saved("errors"),
            ],
        ),
        dashboard(
            "errors",
            "Lambda logs: Errors and timeouts",
            "What fails, where, and how often?",
            [
                vis("errors"),
                vis("timeouts"),
                vis("error-types"),
                saved("errors"),
                saved("timeouts"),
            ],
        ),
        dashboard(
            "performance",
            "Lambda logs: Performance",
            "How fast, how cold, how much memory?",
            [
                vis("duration"),
                vis("cold-starts"),
                vis("memory"),
                vis("emf-percentiles"),
                saved("cold-starts"),
            ],
        ),
        dashboard(
            "cost",
            "Lambda logs: Cost",
            "What do the functions cost, and which ones?",
            [
                vis("cost-total"),
                vis("cost-per-function"),
                vis("cost-over-time"),
                vis("invocations"),
            ],
        ),
        dashboard(
            "traces",
            "Lambda logs: Traces",
            "Which business flows are slow, and how far do they get?",
            [
                vis("slowest-traces"),
                vis("milestones"),
                saved("trace-milestones"),
                saved("invocation"),
            ],
        ),
    ]


def files() -> dict[str, list[JsonObject]]:
    """The saved-object files, in import order (referenced objects first)."""
    return {
        "10-index-pattern.ndjson": [index_pattern()],
        "20-searches.ndjson": searches(),
        "30-visualizations.ndjson": visualizations(),
        "40-dashboards.ndjson": dashboards(),
    }


def render_file(objects: list[JsonObject]) -> str:
    return "".join(json.dumps(obj, sort_keys=True) + "\n" for obj in objects)


def main(directory: Path = SAVED_OBJECTS_DIR) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for name, objects in files().items():
        (directory / name).write_text(render_file(objects), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
