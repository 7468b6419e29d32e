"""The "Errors by fingerprint" panel of issue 16: each kind of error with its first seen, last seen,
count and the functions it occurred in, the most recently first seen on top, on the errors
dashboard."""

from __future__ import annotations

import json
from typing import Any

from opensearch.artifacts import load_artifacts

PANEL = "lambda-logs-vis-error-fingerprints"


def objects() -> dict[str, Any]:
    return {o["id"]: o for o in load_artifacts().saved_objects}


def test_the_panel_shows_first_seen_last_seen_count_and_functions_per_fingerprint() -> None:
    panel = objects()[PANEL]
    assert panel["attributes"]["title"] == "Errors by fingerprint"
    aggs = {a["id"]: a for a in json.loads(panel["attributes"]["visState"])["aggs"]}
    metrics = {
        (a["type"], a["params"].get("field")): a for a in aggs.values() if a["schema"] == "metric"
    }
    assert set(metrics) == {("count", None), ("min", "@timestamp"), ("max", "@timestamp")}
    assert metrics[("min", "@timestamp")]["params"]["customLabel"] == "First seen"
    assert metrics[("max", "@timestamp")]["params"]["customLabel"] == "Last seen"
    buckets = [a for a in aggs.values() if a["schema"] == "bucket"]
    assert buckets[0]["params"]["field"] == "error.fingerprint"  # one row group per kind
    first_seen = metrics[("min", "@timestamp")]["id"]
    assert (buckets[0]["params"]["orderBy"], buckets[0]["params"]["order"]) == (first_seen, "desc")
    assert "faas.name" in [b["params"]["field"] for b in buckets[1:]]  # the affected functions


def test_the_panel_is_on_the_errors_dashboard() -> None:
    dashboard = objects()["lambda-logs-dashboard-errors"]
    assert PANEL in {r["id"] for r in dashboard["references"]}
