"""Every Vega-Lite spec compiles and renders with the real Vega-Lite compiler (vl-convert-python
bundles it and runs offline), its `data.url` query replaced by the response that query gets:
`tests/fakes/opensearch_aggs.py` computes it from documents with the spec's own aggregations.

OpenSearch Dashboards 2.x renders Vega-Lite 5 (AWS-FACTS "OpenSearch 2.19 details that bite");
5.8 is the oldest 5.x vl-convert bundles, and the newest 5.x is checked too.
"""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

import pytest
import vl_convert as vlc

from opensearch.artifacts import ContentSettings, JsonObject, load_artifacts
from opensearch.vega import SCHEMA
from tests.fakes.opensearch_aggs import iso, search_response
from tests.opensearch.usage import vega_spec

VEGA_LITE = [
    "5.8",
    max(
        (v for v in vlc.get_vegalite_versions() if v.startswith("5.")),
        key=lambda v: tuple(map(int, v.split("."))),
    ),
]
END_MS = 1_764_666_000_000
TRACES = {  # trace.id → (first, last) event, seconds before END_MS
    "1-5759e988-bd862e3fe1be46a994272793": (50, 2),  # X-Ray style, 35 characters
    "0f8fad5b-d9cb-469f-a165-70867728950e": (40, 30),  # a UUID
    "order-42": (20, 19),
}


PLACES = (("111111111111", "eu-west-1", "success"), ("222222222222", "us-east-1", "error"))


def documents() -> list[JsonObject]:
    docs: list[JsonObject] = []
    for trace, (first, last) in TRACES.items():
        for seconds, function in ((first, "api"), (last, "worker")):
            at = iso(END_MS - seconds * 1000)
            docs.append({"@timestamp": at, "trace": {"id": trace}, "faas": {"name": function}})
    for function, cold, warm in (("api", 1, 3), ("worker", 2, 2)):
        for n, is_cold in enumerate([True] * cold + [False] * warm):
            report = {"event": "report", "cost_usd": 0.25, "status": PLACES[n % 2][2]}
            account, region, _ = PLACES[n % 2]
            docs.append(
                {
                    "@timestamp": iso(END_MS),
                    "faas": {"name": function, "coldstart": is_cold, "execution": f"{function}{n}"},
                    "aws": {"lambda": report},
                    "cloud": {"account": {"id": account}, "region": region},
                }
            )
    return docs


def specs() -> dict[str, JsonObject]:
    found = {}
    for obj in load_artifacts(ContentSettings()).saved_objects:
        if obj["type"] == "visualization" and (spec := vega_spec(obj)) is not None:
            found[obj["id"]] = spec
    return found


def with_response(spec: JsonObject) -> tuple[JsonObject, list[JsonObject]]:
    """The spec with its query's response inline, and the buckets `format.property` picks."""
    body = spec["data"]["url"]["body"]
    response = search_response(documents(), body)  # %context%: the dashboard's query, here all
    prop = spec["data"]["format"]["property"]
    inline = copy.deepcopy(spec)
    inline["data"] = {"values": response, "format": {"property": prop}}
    node: Any = response
    for part in prop.split("."):
        node = node[part]
    return inline, node


def marks(node: Any, role: str) -> list[JsonObject]:
    found: list[JsonObject] = []
    if isinstance(node, dict):
        if node.get("role") == role and "marktype" in node:
            found += node.get("items", [])
        for value in node.values():
            found += marks(value, role)
    elif isinstance(node, list):
        for value in node:
            found += marks(value, role)
    return found


def test_there_are_vega_specs_on_vega_lite_5() -> None:
    assert len(specs()) >= 2
    assert all(spec["$schema"] == SCHEMA and "/v5." in SCHEMA for spec in specs().values())


@pytest.mark.parametrize("version", VEGA_LITE)
@pytest.mark.parametrize("key", sorted(specs()))
def test_spec_compiles_and_draws_one_bar_per_bucket(key: str, version: str) -> None:
    inline, buckets = with_response(specs()[key])
    assert buckets, "the sample documents must give the spec something to draw"
    vega = vlc.vegalite_to_vega(inline, vl_version=version)
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/v5")
    bars = marks(vlc.vegalite_to_scenegraph(inline, vl_version=version), "mark")
    assert len(bars) == len(buckets)
    widths = [bar["width"] for bar in bars]
    assert all(math.isfinite(w) and w > 0 for w in widths), widths  # the values were read


def test_slowest_traces_bars_are_the_lead_times() -> None:
    (key,) = [
        k for k, s in specs().items() if s["data"]["format"]["property"].endswith("traces.buckets")
    ]
    inline, buckets = with_response(specs()[key])
    assert [b["key"] for b in buckets] == list(TRACES)  # bucket_sort: slowest first
    bars = marks(vlc.vegalite_to_scenegraph(inline, vl_version=VEGA_LITE[0]), "mark")
    leads = sorted(first - last for first, last in TRACES.values())
    widths = sorted(bar["width"] for bar in bars)
    assert [w / widths[-1] for w in widths] == pytest.approx(
        [s / leads[-1] for s in leads], rel=0.02
    )


def short(trace: str) -> str:
    return trace if len(trace) <= 20 else f"{trace[:8]}…{trace[-8:]}"


def test_trace_ids_are_labelled_whole_or_shortened_never_cut() -> None:
    (key,) = [
        k for k, s in specs().items() if s["data"]["format"]["property"].endswith("traces.buckets")
    ]
    inline, _ = with_response(specs()[key])
    svg = vlc.vegalite_to_svg(inline, vl_version=VEGA_LITE[0])
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    for trace in TRACES:
        assert short(trace) in labels, (trace, labels)
    # the tooltip of each bar has the whole id
    vega = json.dumps(vlc.vegalite_to_vega(inline, vl_version=VEGA_LITE[0]))
    assert '\\"trace.id\\": isValid(datum[\\"key\\"])' in vega


def test_accounts_and_regions_shows_each_places_invocations_errors_and_cost() -> None:
    # GIVEN 8 REPORTs, alternately in two accounts and regions, the second's all failed
    inline, buckets = with_response(specs()["lambda-logs-vis-accounts-regions"])
    # THEN one bar per account × region, with its invocations, errors and cost
    vega = vlc.vegalite_to_vega(inline, vl_version=VEGA_LITE[0])
    shown = {
        (b["key"]["account"], b["key"]["region"]): (
            b["reports"]["doc_count"],
            b["failed"]["invocations"]["value"],
            b["reports"]["cost"]["value"],
        )
        for b in buckets
    }
    assert shown == {
        ("111111111111", "eu-west-1"): (4, 0, 1.0),
        ("222222222222", "us-east-1"): (4, 4, 1.0),
    }
    assert "datum.failed.invocations.value" in json.dumps(vega)
    svg = vlc.vegalite_to_svg(inline, vl_version=VEGA_LITE[0])
    assert "111111111111 eu-west-1" in svg and "222222222222 us-east-1" in svg
