"""Documents → the values a panel draws, computed as the panel's aggregations compute them in
OpenSearch: rows (`x`, `series`, `value`) for a standard panel, the response buckets for a
Vega panel (its `format.property`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Final

from lambdalogs.dashboard_figures import percentile
from lambdalogs.documents import Document, iso_time, timestamp_ms
from lambdalogs.report.kuery import ReportError, matcher
from lambdalogs.report.panels import Agg, Panel
from lambdalogs.search.traces import Trace

Row = dict[str, Any]
# Dashboards' `auto` interval aims at ~50 buckets over the time range (a "nice" interval).
INTERVALS_MS: Final = (1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000)
INTERVALS_MS_LONG: Final = (3_600_000, 10_800_000, 43_200_000, 86_400_000)
TARGET_BUCKETS: Final = 50


def time_range(documents: Sequence[Document]) -> tuple[int, int]:
    """The first and last event time: the report's time range (Dashboards' time picker)."""
    times = [timestamp_ms(d) for d in documents] or [0]
    return min(times), max(times)


def interval_ms(documents: Sequence[Document]) -> int:
    first, last = time_range(documents)
    span = last - first
    return next(
        (i for i in (*INTERVALS_MS, *INTERVALS_MS_LONG) if span / i <= TARGET_BUCKETS),
        INTERVALS_MS_LONG[-1],
    )


def _numbers(documents: Sequence[Document], field: str) -> list[float]:
    return [float(v) for d in documents if isinstance(v := d.get(field), int | float)]


def metric_values(agg: Agg, documents: Sequence[Document]) -> list[tuple[str, float]]:
    """(label, value) of one metric aggregation; percentiles give one per percent."""
    if agg.kind == "count":
        return [(agg.label, float(len(documents)))]
    if agg.kind == "cardinality":
        distinct = {str(d[agg.field]) for d in documents if d.get(agg.field) is not None}
        return [(agg.label, float(len(distinct)))]
    numbers = _numbers(documents, agg.field)
    if agg.kind == "sum":
        return [(agg.label, sum(numbers))]
    if agg.kind == "max":
        return [(agg.label, max(numbers, default=0.0))]
    if agg.kind == "percentiles":
        # OpenSearch estimates percentiles (TDigest); with these few values it is the nearest
        # rank that the CLI's tables print too.
        return [(f"p{p:g}", percentile(numbers, float(p))) for p in agg.params["percents"]]
    raise ReportError(f"the report cannot draw a {agg.kind!r} metric")


def _group(documents: Sequence[Document], agg: Agg | None, step: int) -> dict[Any, list[Document]]:
    if agg is None:
        return {None: list(documents)}
    groups: dict[Any, list[Document]] = defaultdict(list)
    for document in documents:
        if agg.kind == "date_histogram":
            groups[timestamp_ms(document) // step * step].append(document)
        elif agg.kind == "terms":
            if (value := document.get(agg.field)) is not None:
                groups[str(value)].append(document)
        else:
            raise ReportError(f"the report cannot draw a {agg.kind!r} bucket")
    return groups


def _terms_order(panel: Panel, agg: Agg, groups: dict[Any, list[Document]]) -> list[Any]:
    """The `size` largest terms by the metric `orderBy` names (ties: by key)."""
    if agg.kind != "terms":
        return sorted(groups)
    by = next((m for m in panel.metrics() if m.agg_id == str(agg.params.get("orderBy"))), None)

    def weight(key: Any) -> float:
        return metric_values(by, groups[key])[0][1] if by else float(len(groups[key]))

    ranked = sorted(groups, key=lambda key: (-weight(key), str(key)))
    return ranked[: int(agg.params.get("size", 10))]


def panel_rows(panel: Panel, documents: Sequence[Document]) -> list[Row]:
    """One row per bucket and metric value: `x` (bucket key, epoch ms for time), `x_end`,
    `series` (the group's term or the metric's label) and `value`."""
    selected = [d for d in documents if matcher(panel.query)(d)]
    segment = panel.bucket("segment", "bucket")
    group = panel.bucket("group")
    step = interval_ms(documents)  # as Dashboards: from the time range, not the panel's hits
    metrics = panel.metrics()[:1] if panel.vis_type == "table" else panel.metrics()
    rows: list[Row] = []
    segments = _group(selected, segment, step)
    for key in _terms_order(panel, segment, segments) if segment else [None]:
        groups = _group(segments[key], group, step)
        for series in _terms_order(panel, group, groups) if group else [None]:
            for metric in metrics:
                for label, value in metric_values(metric, groups[series]):
                    name = series if series is not None else label
                    end = key + step if isinstance(key, int) else None
                    rows.append({"x": key, "x_end": end, "series": name, "value": value})
    return rows


# -- Vega panels: the response buckets their `format.property` picks ---------------------------


def _cold_start_buckets(documents: Sequence[Document], _traces: Sequence[Trace]) -> list[Row]:
    reports = [d for d in documents if d.get("aws.lambda.event") == "report"]
    groups = _group(reports, Agg("", "terms", "segment", {"field": "faas.name"}), 1)
    buckets = []
    for name in sorted(groups, key=lambda key: (-len(groups[key]), key))[:50]:
        cold = sum(1 for d in groups[name] if d.get("faas.coldstart") is True)
        every = len(groups[name])
        buckets.append(
            {
                "key": name,
                "doc_count": every,
                "cold": {"doc_count": cold},
                "ratio": {"value": cold / every if every else 0},
            }
        )
    return buckets


def _time(millis: int) -> Row:
    return {"value": float(millis), "value_as_string": iso_time(millis).replace(" ", "T") + "Z"}


def _trace_buckets(_documents: Sequence[Document], found: Sequence[Trace]) -> list[Row]:
    buckets: list[Row] = []
    for trace in found:
        own = [d for d in trace.documents if d.get("trace.id") == trace.trace_id]
        times = [timestamp_ms(d) for d in own]
        buckets.append(
            {
                "key": trace.trace_id,
                "doc_count": len(own),
                "first": _time(min(times)),
                "last": _time(max(times)),
                "functions": {"value": len({d.get("faas.name") for d in own})},
                "lead_ms": {"value": float(max(times) - min(times))},
            }
        )
    buckets.sort(key=lambda b: (-b["doc_count"], b["key"]))  # terms: size 1000 by count
    buckets = buckets[:1000]
    return sorted(buckets, key=lambda b: -b["lead_ms"]["value"])[:25]  # bucket_sort


FAILED_STATUSES: Final = ("error", "timeout", "failure")


def _failed(document: Document) -> bool:
    status = document.get("aws.lambda.status")
    return status in FAILED_STATUSES or document.get("aws.lambda.event") == "timeout"


def _place_bucket(account: str, region: str, group: Sequence[Document]) -> Row:
    reports = [d for d in group if d.get("aws.lambda.event") == "report"]
    failed = [d for d in group if _failed(d)]
    executions = {str(d["faas.execution"]) for d in failed if d.get("faas.execution") is not None}
    cost = sum(float(d.get("aws.lambda.cost_usd") or 0) for d in reports)
    return {
        "key": {"account": account, "region": region},
        "doc_count": len(group),
        "reports": {"doc_count": len(reports), "cost": {"value": cost}},
        "failed": {"doc_count": len(failed), "invocations": {"value": len(executions)}},
    }


def _places_buckets(documents: Sequence[Document], _traces: Sequence[Trace]) -> list[Row]:
    """The composite buckets of the Accounts and regions panel: account × region, in order."""
    groups: dict[tuple[str, str], list[Document]] = {}
    for document in documents:
        account, region = document.get("cloud.account.id"), document.get("cloud.region")
        if account is not None and region is not None:
            groups.setdefault((str(account), str(region)), []).append(document)
    return [_place_bucket(a, r, groups[(a, r)]) for a, r in sorted(groups)][:500]


VEGA_BUCKETS: Final[dict[str, Callable[[Sequence[Document], Sequence[Trace]], list[Row]]]] = {
    "aggregations.reports.functions.buckets": _cold_start_buckets,
    "aggregations.traces.buckets": _trace_buckets,
    "aggregations.places.buckets": _places_buckets,
}


def vega_response(
    spec: dict[str, Any], documents: Sequence[Document], found: Sequence[Trace]
) -> dict[str, Any]:
    """The search response a Vega panel's query gets, as nested objects down to its buckets."""
    prop = str(spec["data"]["format"]["property"])
    if prop not in VEGA_BUCKETS:
        raise ReportError(f"the report has no values for a Vega panel reading {prop!r}")
    node: Any = VEGA_BUCKETS[prop](documents, found)
    for part in reversed(prop.split(".")):
        node = {part: node}
    return dict(node)
