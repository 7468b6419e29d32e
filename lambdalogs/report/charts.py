"""Vega-Lite specs of the report's pictures: a standard panel drawn as its chart type says, a Vega
panel's own spec with its query's response inline, and the waterfall of a failing trace."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Sequence
from typing import Any, Final

from lambdalogs.dashboard_figures import ending_error, stopped_at
from lambdalogs.documents import Document, timestamp_ms
from lambdalogs.report.kuery import ReportError
from lambdalogs.report.panels import Panel
from lambdalogs.report.values import Row, interval_ms, panel_rows, time_range, vega_response
from lambdalogs.search.traces import Trace
from opensearch.vega import SCHEMA

Spec = dict[str, Any]
WIDTH: Final = 560
FAILED_COLOR: Final = "#d62728"
SUBTITLE_CHARS: Final = 110
MINUTE_MS: Final = 60_000


def _base(title: str, rows: list[Row], subtitle: str | list[str] = "") -> Spec:
    heading: Spec = {"text": title, "anchor": "start"}
    if subtitle:
        heading["subtitle"] = subtitle
    return {
        "$schema": SCHEMA,
        "title": heading,
        "width": WIDTH,
        "data": {"values": rows},
        "config": {"view": {"stroke": None}, "font": "sans-serif"},
    }


def _value_title(panel: Panel) -> str:
    axes = panel.params.get("valueAxes") or [{}]
    title = axes[0].get("title", {}).get("text")
    return str(title or panel.metrics()[0].label)


def _time_chart(panel: Panel, rows: list[Row], documents: Sequence[Document]) -> Spec:
    spec = _base(panel.title, rows, panel.description)
    first, last = time_range(documents)
    x = {
        "field": "x",
        "type": "temporal",
        "title": "time (UTC)",
        "scale": {"type": "utc", "domain": [first, last + interval_ms(documents)]},
        "axis": {"format": "%H:%M" if interval_ms(documents) >= MINUTE_MS else "%H:%M:%S"},
    }
    y = {"field": "value", "type": "quantitative", "title": _value_title(panel)}
    color = {"field": "series", "type": "nominal", "title": None}
    if panel.vis_type == "line":
        spec["mark"] = {"type": "line", "point": True}
        spec["encoding"] = {"x": x, "y": y, "color": color}
    else:  # histogram: bars from the interval's start to its end, series stacked
        spec["data"] = {"values": _stacked(rows)}
        spec["mark"] = {"type": "bar"}
        y["field"] = "top"
        spec["encoding"] = {
            "x": x,
            "x2": {"field": "x_end"},
            "y": y,
            "y2": {"field": "bottom"},
            "color": color,
        }
    return spec


def _stacked(rows: list[Row]) -> list[Row]:
    """Each row with `bottom` and `top`: the series of one interval stacked in row order."""
    heights: dict[Any, float] = {}
    stacked = []
    for row in rows:
        bottom = heights.get(row["x"], 0.0)
        heights[row["x"]] = bottom + float(row["value"])
        stacked.append({**row, "bottom": bottom, "top": heights[row["x"]]})
    return stacked


def _category_chart(panel: Panel, rows: list[Row]) -> Spec:
    """Terms on the vertical axis (function names read whole), one bar per series."""
    spec = _base(panel.title, rows, panel.description)
    segment = panel.bucket("segment", "bucket")
    several = len({row["series"] for row in rows}) > 1
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {
            "field": "x",
            "type": "nominal",
            "title": segment.field if segment else None,
            "sort": None,
            "axis": {"labelLimit": 0},
        },
        "x": {"field": "value", "type": "quantitative", "title": _value_title(panel)},
        "color": {"field": "series", "type": "nominal", "title": None, "legend": None}
        if not several
        else {"field": "series", "type": "nominal", "title": None},
        **({"yOffset": {"field": "series", "type": "nominal"}} if several else {}),
    }
    return spec


def _pie_chart(panel: Panel, rows: list[Row]) -> Spec:
    spec = _base(panel.title, rows, panel.description)
    spec["width"] = 260
    spec["mark"] = {"type": "arc", "innerRadius": 50}
    spec["encoding"] = {
        "theta": {"field": "value", "type": "quantitative"},
        "color": {
            "field": "x",
            "type": "nominal",
            "title": None,
            "sort": None,
            "legend": {"labelLimit": 0},
        },
    }
    return spec


def panel_spec(panel: Panel, documents: Sequence[Document], found: Sequence[Trace]) -> Spec:
    """The Vega-Lite spec that draws `panel` for these documents."""
    if panel.vis_type == "vega":
        if panel.vega_lite is None:
            raise ReportError(f"the Vega panel {panel.title!r} has no spec")
        inline = copy.deepcopy(panel.vega_lite)
        prop = inline["data"]["format"]["property"]
        values = vega_response(panel.vega_lite, documents, found)
        inline["data"] = {"values": values, "format": {"property": prop}}
        inline.setdefault("width", WIDTH)
        return inline
    rows = panel_rows(panel, documents)
    segment = panel.bucket("segment", "bucket")
    if panel.vis_type == "pie":
        return _pie_chart(panel, rows)
    if panel.vis_type in ("line", "histogram") and segment and segment.kind == "date_histogram":
        return _time_chart(panel, rows, documents)
    if panel.vis_type in ("histogram", "table") and segment and segment.kind == "terms":
        return _category_chart(panel, rows)
    raise ReportError(f"the report cannot draw the {panel.vis_type} panel {panel.title!r}")


# -- waterfall of a failing trace ---------------------------------------------------------------


def waterfall_rows(trace: Trace) -> list[Row]:
    """One row per milestone in time order (a bar to the next milestone) and a last row where
    the trace stopped: the error that ended it."""
    start = trace.start_ms
    marks = [(timestamp_ms(m), str(m.get("labels.milestone")), m) for m in trace.milestones]
    last_ms = marks[-1][0] if marks else start
    rows: list[Row] = []
    for index, (at, name, document) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else at
        rows.append(_step(index, name, document, at - start, end - start, "milestone"))
    error = ending_error(trace)
    if error is not None:
        at = timestamp_ms(error) - start
        rows.append(_step(len(rows), f"✖ {_cause(error)}", error, last_ms - start, at, "stopped"))
    return rows


def _cause(error: Document) -> str:
    """What ended the trace, in a word: the exception type, else the platform's status/event."""
    for name in ("error.type", "aws.lambda.status", "aws.lambda.event"):
        if error.get(name):
            return str(error[name])
    return "timeout" if "timed out" in str(error.get("message", "")) else "error"


def _step(index: int, name: str, document: Document, begin: int, end: int, kind: str) -> Row:
    return {
        "order": index,
        "step": f"{index + 1:>2}. {name}",
        "function": str(document.get("faas.name", "?")),
        "start_ms": begin,
        "end_ms": max(end, begin),
        "kind": kind,
    }


def waterfall_spec(trace: Trace) -> Spec:
    rows = waterfall_rows(trace)
    reason = textwrap.wrap(stopped_at(trace), SUBTITLE_CHARS)[:2]
    spec = _base(f"Failing trace {trace.trace_id}", rows, reason)
    y = {
        "field": "step",
        "type": "ordinal",
        "sort": {"field": "order"},
        "title": None,
        "axis": {"labelLimit": 0},
    }
    x = {"field": "start_ms", "type": "quantitative", "title": "ms since the trace's first event"}
    spec["encoding"] = {"y": y}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "height": 10},
            "encoding": {
                "x": x,
                "x2": {"field": "end_ms"},
                "color": {"field": "function", "type": "nominal", "title": "function"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 60},
            "encoding": {
                "x": {"field": "start_ms", "type": "quantitative"},
                "color": {"value": "#333"},
            },
        },
        {
            "transform": [{"filter": "datum.kind === 'stopped'"}],
            "mark": {"type": "point", "shape": "cross", "size": 140, "filled": True},
            "encoding": {
                "x": {"field": "end_ms", "type": "quantitative"},
                "color": {"value": FAILED_COLOR},
            },
        },
    ]
    return spec
