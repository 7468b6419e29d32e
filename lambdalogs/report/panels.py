"""The dashboards' saved visualizations, read as the report draws them: title, chart type,
query and aggregations (standard panels), or the Vega-Lite spec (Vega panels)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from opensearch.artifacts import ContentSettings, load_artifacts

JsonObject = dict[str, Any]
VIS_PREFIX: Final = "vis-"


@dataclass(frozen=True)
class Agg:
    """One aggregation of a standard visualization (`visState.aggs[]`)."""

    agg_id: str
    kind: str  # count, sum, max, cardinality, percentiles, terms, date_histogram
    schema: str  # metric, segment, group, bucket
    params: JsonObject

    @property
    def field(self) -> str:
        return str(self.params.get("field", ""))

    @property
    def label(self) -> str:
        custom = self.params.get("customLabel")
        if custom:
            return str(custom)
        return f"{self.kind.capitalize()} {self.field}".strip() if self.field else "Count"


@dataclass(frozen=True)
class Panel:
    key: str  # the visualization's key: `cost-per-function` for `<prefix>-vis-cost-per-function`
    title: str
    description: str
    vis_type: str  # line, histogram, table, pie, metric, vega
    query: str
    aggs: tuple[Agg, ...]
    params: JsonObject  # visState.params (the Vega panels: `spec` parsed into `vega_lite`)
    vega_lite: JsonObject | None = None

    def metrics(self) -> list[Agg]:
        return [a for a in self.aggs if a.schema == "metric"]

    def bucket(self, *schemas: str) -> Agg | None:
        return next((a for a in self.aggs if a.schema in schemas), None)


def _panel(saved: JsonObject, prefix: str) -> Panel:
    attributes = saved["attributes"]
    state = json.loads(attributes["visState"])
    source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
    params = state.get("params", {})
    spec = json.loads(params["spec"]) if state["type"] == "vega" else None
    return Panel(
        key=str(saved["id"]).removeprefix(f"{prefix}-{VIS_PREFIX}"),
        title=str(attributes["title"]),
        description=str(attributes.get("description", "")),
        vis_type=str(state["type"]),
        query=str(source.get("query", {}).get("query", "")),
        aggs=tuple(
            Agg(str(a["id"]), str(a["type"]), str(a["schema"]), dict(a.get("params", {})))
            for a in state.get("aggs", [])
        ),
        params=params,
        vega_lite=spec,
    )


def saved_panels(emf_metric: str, prefix: str = "lambda-logs") -> dict[str, Panel]:
    """Every saved visualization, rendered as `opensearch/` renders it for Dashboards."""
    artifacts = load_artifacts(ContentSettings(index_prefix=prefix, emf_metric=emf_metric))
    return {
        panel.key: panel
        for panel in (
            _panel(saved, prefix)
            for saved in artifacts.saved_objects
            if saved.get("type") == "visualization"
        )
    }
