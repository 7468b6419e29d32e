"""Dashboards across accounts: every main dashboard starts with the account and region controls,
the overview has the "Accounts and regions" panel, and per-function tables split by account (two
accounts' functions of one name stay apart)."""

from __future__ import annotations

import json

from opensearch.artifacts import ContentSettings, JsonObject, load_artifacts
from opensearch.mapping import mapping_of
from tests.opensearch.usage import saved_object_uses

CONTROLS = "lambda-logs-vis-account-region-controls"


def objects() -> dict[str, JsonObject]:
    return {o["id"]: o for o in load_artifacts(ContentSettings()).saved_objects}


def state(obj: JsonObject) -> JsonObject:
    parsed: JsonObject = json.loads(obj["attributes"]["visState"])
    return parsed


def test_the_controls_are_options_lists_of_account_and_region() -> None:
    controls = objects()[CONTROLS]
    visual = state(controls)
    assert visual["type"] == "input_control_vis" and visual["aggs"] == []
    assert controls["migrationVersion"] == {"visualization": "7.10.0"}
    fields = [c["fieldName"] for c in visual["params"]["controls"]]
    assert fields == ["cloud.account.id", "cloud.region"]
    assert all(c["type"] == "list" for c in visual["params"]["controls"])
    refs = {r["name"]: r["id"] for r in controls["references"]}
    for control in visual["params"]["controls"]:
        assert refs[control["indexPatternRefName"]] == "lambda-logs-index-pattern"
    mapping = mapping_of(load_artifacts(ContentSettings()).index_template)
    assert {u.field for u in saved_object_uses(controls)} == set(fields)
    assert all(mapping.type_of(f) == "keyword" for f in fields)


def test_every_dashboard_starts_with_the_controls_and_the_overview_shows_places() -> None:
    dashboards = [o for o in objects().values() if o["type"] == "dashboard"]
    assert len(dashboards) == 5
    for dashboard in dashboards:
        refs = {r["name"]: r["id"] for r in dashboard["references"]}
        panels = json.loads(dashboard["attributes"]["panelsJSON"])
        first = min(panels, key=lambda p: (p["gridData"]["y"], p["gridData"]["x"]))
        assert refs[first["panelRefName"]] == CONTROLS, dashboard["id"]
    overview = objects()["lambda-logs-dashboard-overview"]
    assert "lambda-logs-vis-accounts-regions" in {r["id"] for r in overview["references"]}


def test_per_function_tables_split_by_account() -> None:
    for key in ("duration", "error-fingerprints", "cost-per-function"):
        fields = [
            a["params"].get("field") for a in state(objects()[f"lambda-logs-vis-{key}"])["aggs"]
        ]
        assert "faas.name" in fields and "cloud.account.id" in fields, key
