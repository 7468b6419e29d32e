"""Which fields the saved objects and monitors use, and whether they aggregate them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]

KQL_FIELD = re.compile(r"([A-Za-z@_][\w.@]*)\s*:")
QUERY_CLAUSES = ("term", "terms", "range", "match", "match_phrase", "prefix", "wildcard")
NOT_FIELDS = {"boost", "format", "_name", "minimum_should_match"}


@dataclass(frozen=True)
class FieldUse:
    field: str
    aggregated: bool
    where: str


def kql_fields(query: str) -> set[str]:
    return set(KQL_FIELD.findall(query))


def dsl_uses(node: Any, where: str, in_aggs: bool = False) -> list[FieldUse]:
    """Fields of a query DSL / aggregation tree: `field` keys in aggregations are aggregated,
    query clause keys are searched, `sort` keys are aggregated (they need doc values)."""
    uses: list[FieldUse] = []
    if isinstance(node, list):
        for item in node:
            uses += dsl_uses(item, where, in_aggs)
        return uses
    if not isinstance(node, dict):
        return uses
    for key, value in node.items():
        if key in ("aggs", "aggregations"):
            uses += dsl_uses(value, where, in_aggs=True)
        elif key == "field" and isinstance(value, str):
            uses.append(FieldUse(value, in_aggs, where))
        elif key in QUERY_CLAUSES and isinstance(value, dict) and "field" not in value:
            uses += [FieldUse(f, False, where) for f in value if f not in NOT_FIELDS]
        elif key == "exists" and isinstance(value, dict):
            uses.append(FieldUse(value["field"], False, where))
        elif key == "sort" and isinstance(value, list):
            for entry in value:
                names = [entry] if isinstance(entry, str) else list(entry)
                uses += [FieldUse(n, True, where) for n in names if not n.startswith("_")]
        elif key in ("buckets_path", "script", "bucket_sort"):
            continue
        else:
            uses += dsl_uses(value, where, in_aggs)
    return uses


def search_source_query(obj: JsonObject) -> str:
    meta = obj["attributes"].get("kibanaSavedObjectMeta", {"searchSourceJSON": "{}"})
    source = json.loads(meta["searchSourceJSON"])
    return str(source.get("query", {}).get("query", ""))


def vega_spec(obj: JsonObject) -> JsonObject | None:
    state = json.loads(obj["attributes"]["visState"])
    if state["type"] != "vega":
        return None
    spec: JsonObject = json.loads(state["params"]["spec"])
    return spec


def saved_object_uses(obj: JsonObject) -> list[FieldUse]:
    where = f"{obj['type']} {obj['id']}"
    uses = [FieldUse(f, False, where) for f in kql_fields(search_source_query(obj))]
    if obj["type"] == "search":
        uses += [FieldUse(c, False, where) for c in obj["attributes"]["columns"]]
        uses += [FieldUse(s[0], True, where) for s in obj["attributes"]["sort"]]
    if obj["type"] == "visualization":
        state = json.loads(obj["attributes"]["visState"])
        for agg in state["aggs"]:
            if "field" in agg["params"]:
                uses.append(FieldUse(agg["params"]["field"], True, where))
        # options-list controls fetch their options with a terms aggregation
        for control in state["params"].get("controls", []):
            uses.append(FieldUse(control["fieldName"], True, where))
        spec = vega_spec(obj)
        if spec is not None:
            url = spec["data"]["url"]
            uses.append(FieldUse(url["%timefield%"], True, where))
            uses += dsl_uses(url["body"], where)
    return uses
