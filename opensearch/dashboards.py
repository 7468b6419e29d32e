"""Source of the Dashboards saved objects in `opensearch/saved-objects/*.ndjson`.

Saved objects nest JSON inside JSON strings (`visState`, `searchSourceJSON`, `panelsJSON`, Vega
specs), which is error-prone by hand, so the `.ndjson` files are generated from this module:

    .venv/bin/python -m opensearch.dashboards      # rewrites opensearch/saved-objects/*.ndjson

A test fails when the files and this module disagree. Placeholders (`${INDEX_PREFIX}`,
`${EMF_METRIC}`) are left in place and rendered at apply time (see `opensearch.artifacts`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Final

from opensearch.account_panels import CONTROLS_KEY, account_panels
from opensearch.artifacts import ndjson
from opensearch.error_panels import fingerprints_table
from opensearch.saved_objects import (
    SAVED_OBJECTS_DIR,
    VERSION,
    dumps,
    index_pattern,
    search_source,
    searches,
)
from opensearch.visualizations import visualizations

JsonObject = dict[str, Any]


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
            "panelsJSON": dumps(layout),
            "optionsJSON": dumps({"hidePanelTitles": False, "useMargins": True}),
            "timeRestore": True,
            "timeFrom": "now-24h",
            "timeTo": "now",
            "refreshInterval": {"pause": True, "value": 0},
            "hits": 0,
            "version": 1,
            "kibanaSavedObjectMeta": search_source("", with_index=False),
        },
        "references": references,
        "migrationVersion": {"dashboard": "7.9.3"},
    }


# The dashboards, declared: (id, title, question it answers, panels). A panel is a
# visualization's key, or `search:<key>` for a saved search.
DASHBOARDS: Final = (
    (
        "overview",
        "Lambda logs: Overview",
        "Is everything healthy? Invocations, errors, cold starts and cost, per account and region.",
        (
            "accounts-regions",
            "invocations",
            "errors",
            "cold-starts",
            "cost-total",
            "error-types",
            "search:errors",
        ),
    ),
    (
        "errors",
        "Lambda logs: Errors and timeouts",
        "What fails, where, and how often?",
        (
            "errors",
            "error-lines",
            "timeouts",
            "error-types",
            "error-fingerprints",
            "search:errors",
            "search:timeouts",
        ),
    ),
    (
        "performance",
        "Lambda logs: Performance",
        "How fast, how cold, how much memory?",
        ("duration", "cold-starts", "memory", "emf-percentiles", "search:cold-starts"),
    ),
    (
        "cost",
        "Lambda logs: Cost",
        "What do the functions cost, and which ones?",
        ("cost-total", "cost-per-function", "cost-over-time", "invocations"),
    ),
    (
        "traces",
        "Lambda logs: Traces",
        "Which business flows are slow, and how far do they get?",
        ("slowest-traces", "milestones", "search:trace-milestones", "search:invocation"),
    ),
)


def _saved_object(key: str) -> tuple[str, str]:
    kind, _, name = key.rpartition(":")
    return ("search", f"search-{name}") if kind == "search" else ("visualization", f"vis-{name}")


def dashboards() -> list[JsonObject]:
    """Every dashboard starts with the account and region controls."""
    return [
        dashboard(key, title, question, [_saved_object(p) for p in (CONTROLS_KEY, *panels)])
        for key, title, question, panels in DASHBOARDS
    ]


def files() -> dict[str, list[JsonObject]]:
    """The saved-object files, in import order (referenced objects first)."""
    return {
        "10-index-pattern.ndjson": [index_pattern()],
        "20-searches.ndjson": searches(),
        "30-visualizations.ndjson": [*account_panels(), *visualizations(), fingerprints_table()],
        "40-dashboards.ndjson": dashboards(),
    }


def main(directory: Path = SAVED_OBJECTS_DIR) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for name, objects in files().items():
        (directory / name).write_text(ndjson(objects), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
