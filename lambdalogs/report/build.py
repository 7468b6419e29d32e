"""Documents → the report's pictures: the dashboards' panels and the failing traces' waterfalls,
each a titled Vega-Lite spec."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from lambdalogs.dashboard_figures import metric_figures
from lambdalogs.documents import Document
from lambdalogs.report.charts import Spec, panel_spec, waterfall_spec
from lambdalogs.report.panels import Panel, saved_panels
from lambdalogs.search.traces import Trace
from opensearch.artifacts import METRIC_NAME_RULE

# The saved visualizations the report draws, in its order, and the dashboard each is on.
PANELS: Final = (
    ("invocations", "Overview"),
    ("errors", "Overview"),
    ("duration", "Performance"),
    ("cold-starts", "Performance"),
    ("cost-per-function", "Cost"),
    ("emf-percentiles", "Performance"),
    ("slowest-traces", "Traces"),
    ("milestones", "Traces"),
    ("error-types", "Errors and timeouts"),
)
EMF_PANEL: Final = "emf-percentiles"
MAX_WATERFALLS: Final = 20  # the first failing traces drawn; the page says how many there are


@dataclass(frozen=True)
class Picture:
    key: str  # a file-name-safe name: the panel's key, or `waterfall-<n>`
    title: str
    caption: str
    spec: Spec


def _has_data(spec: Spec) -> bool:
    values: Any = spec["data"]["values"]
    prop = spec["data"].get("format", {}).get("property")
    for part in prop.split(".") if prop else []:
        values = values.get(part, [])
    return bool(values)


def _panel_picture(panel: Panel, key: str, dashboard: str, spec: Spec) -> Picture:
    caption = f"Dashboards: “Lambda logs: {dashboard}”, panel “{panel.title}”."
    return Picture(key, panel.title, caption, spec)


def panel_pictures(documents: Sequence[Document], found: Sequence[Trace]) -> list[Picture]:
    """The panels with something to draw; the EMF panel once per metric the documents carry."""
    # The EMF panel charts a metric whose name the dashboards accept (`${EMF_METRIC}`).
    metrics = [m for m in metric_figures(documents) if METRIC_NAME_RULE.match(m)] or ["Latency"]
    by_metric = {metric: saved_panels(metric) for metric in metrics}
    pictures = []
    for key, dashboard in PANELS:
        for metric in metrics if key == EMF_PANEL else metrics[:1]:
            panel = by_metric[metric][key]
            spec = panel_spec(panel, documents, found)
            name = f"{key}-{metric}" if key == EMF_PANEL else key
            if _has_data(spec):
                pictures.append(_panel_picture(panel, name, dashboard, spec))
    return pictures


def failing_traces(found: Sequence[Trace]) -> list[Trace]:
    return sorted((t for t in found if t.failed), key=lambda t: t.start_ms)


def waterfall_pictures(found: Sequence[Trace]) -> list[Picture]:
    failing = failing_traces(found)[:MAX_WATERFALLS]
    return [
        Picture(
            f"waterfall-{index + 1}",
            f"Failing trace {trace.trace_id}",
            "Milestones per function on a time axis; ✖ where the trace stopped, and why.",
            waterfall_spec(trace),
        )
        for index, trace in enumerate(failing)
    ]


def pictures(documents: Sequence[Document], found: Sequence[Trace]) -> list[Picture]:
    return panel_pictures(documents, found) + waterfall_pictures(found)
