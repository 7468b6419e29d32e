"""`demo --html`: one self-contained page, the dashboards' own panels drawn from the documents
it wrote, and a waterfall of each failing trace."""

from __future__ import annotations

import copy
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.report import build
from lambdalogs.report.kuery import ReportError, matcher
from lambdalogs.report.panels import saved_panels
from lambdalogs.report.values import vega_response
from lambdalogs.search import traces
from tests.cli.conftest import bulk_documents
from tests.cli.report_html import assert_self_contained, read_page
from tests.fakes.opensearch_aggs import search_response

FIXED = ("--start", "2026-11-20T14:00:00Z")


def failing_traces(documents: list[dict[str, Any]]) -> list[traces.Trace]:
    return sorted(
        (t for t in traces.build(documents).values() if t.failed), key=lambda t: t.start_ms
    )


def test_demo_html_from_another_folder_is_one_offline_page_with_the_pictures(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a folder that is not the checkout, WHEN the demo writes its report there
    monkeypatch.chdir(tmp_path)
    result = cli("demo", *FIXED, "--html", "report.html")
    assert result.code == 0, result.err
    page = read_page(tmp_path / "report.html")
    documents = bulk_documents(tmp_path / "lambda-logs-demo.ndjson")
    # THEN it holds the pictures inline and loads nothing from anywhere
    assert page.svgs >= 4
    assert page.svgs == len(page.figures)
    assert_self_contained(page)
    assert f"Report: report.html ({page.svgs} pictures" in result.out
    # the dashboards' panels, titled as in Dashboards
    for key in ("invocations", "duration", "cold-starts", "cost-per-function", "slowest-traces"):
        assert key in page.figures, sorted(page.figures)
    assert "Cost per function (USD)" in page.figures["cost-per-function"]
    assert any(key.startswith("emf-percentiles-CreateSessionLatency") for key in page.figures)
    # one waterfall per failing trace: its milestones in order, and where it stopped
    failing = failing_traces(documents)
    assert len(failing) == 2
    for number, trace in enumerate(failing, start=1):
        texts = page.figures[f"waterfall-{number}"]
        assert f"Failing trace {trace.trace_id}" in texts
        labels = [m.group(1) for t in texts if (m := re.match(r"\d+\. (.+)", t))]
        milestones = [str(m["labels.milestone"]) for m in trace.milestones]
        assert labels[: len(milestones)] == milestones
        assert labels[-1].startswith("✖")
        assert any(t.startswith(f"stopped after {milestones[-1]}") for t in texts)
    ends = {t for key, texts in page.figures.items() if key.startswith("waterfall-") for t in texts}
    assert {"✖ botocore.exceptions.ClientError", "✖ timeout"} <= {
        t.split(". ", 1)[-1] for t in ends
    }


def test_the_panels_values_are_the_documents_figures(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "demo.ndjson"
    assert cli("demo", *FIXED, "--sessions", "12", "--out", str(path)).code == 0
    documents = bulk_documents(path)
    pictures = {p.key: p for p in build.pictures(documents, list(traces.build(documents).values()))}
    # cost per function: the sum of each function's REPORT cost
    cost: dict[str, float] = defaultdict(float)
    for doc in documents:
        if doc.get("aws.lambda.event") == "report":
            cost[doc["faas.name"]] += doc["aws.lambda.cost_usd"]
    rows = pictures["cost-per-function"].spec["data"]["values"]
    assert {r["x"]: r["value"] for r in rows} == pytest.approx(dict(cost))
    # invocations over time: every REPORT line counted once, per function
    rows = pictures["invocations"].spec["data"]["values"]
    counted: dict[str, float] = defaultdict(float)
    for row in rows:
        counted[row["series"]] += row["value"]
    reports = [d for d in documents if d.get("aws.lambda.event") == "report"]
    assert counted == {name: sum(1 for d in reports if d["faas.name"] == name) for name in cost}


def test_the_vega_panels_get_the_response_their_own_query_gets(cli: Any, tmp_path: Path) -> None:
    # GIVEN the demo documents, THEN the values the report gives each saved Vega spec are what
    # OpenSearch answers that spec's aggregations (computed by the test fake)
    path = tmp_path / "demo.ndjson"
    assert cli("demo", *FIXED, "--sessions", "15", "--out", str(path)).code == 0
    documents = bulk_documents(path)
    found = list(traces.build(documents).values())
    nested = [nest(d) for d in documents]
    vega = [p for p in saved_panels("CreateSessionLatency").values() if p.vis_type == "vega"]
    assert len(vega) >= 2
    for panel in vega:
        assert panel.vega_lite is not None
        expected = search_response(nested, panel.vega_lite["data"]["url"]["body"])
        got = vega_response(panel.vega_lite, documents, found)
        prop = panel.vega_lite["data"]["format"]["property"]
        assert picked(got, prop) == picked(expected, prop), panel.key
        assert picked(got, prop), panel.key


def picked(response: dict[str, Any], prop: str) -> Any:
    node: Any = response
    for part in prop.split("."):
        node = node[part]
    return node


def nest(document: dict[str, Any]) -> dict[str, Any]:
    """A flat dotted document as OpenSearch's _source (the fake reads nested objects)."""
    nested: dict[str, Any] = {}
    for key, value in document.items():
        node = nested
        *parents, leaf = key.split(".") if key != "@timestamp" else [key]
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = copy.deepcopy(value)
    return nested


def test_every_saved_panel_query_is_read_or_refused() -> None:
    panels = saved_panels("Latency")
    for key, _dashboard in build.PANELS:
        assert key in panels
    for panel in panels.values():
        matcher(panel.query)  # raises ReportError on a form it cannot read
    with pytest.raises(ReportError):
        matcher("faas.name:api and not log.level:INFO")


def test_without_vl_convert_the_report_says_what_to_install(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # `import vl_convert` fails
    result = cli("demo", "--out", str(tmp_path / "d.ndjson"), "--html", str(tmp_path / "r.html"))
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "pip install 'lambda-logs-opensearch[report]'" in result.err
    assert not (tmp_path / "r.html").exists()


def test_the_readme_pictures_are_the_reports_and_make_pictures_writes_them(
    tmp_path: Path,
) -> None:
    from lambdalogs.report.pictures import README_PICTURES, write_pictures

    root = Path(__file__).resolve().parents[2]
    shown = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+)\)", (root / "README.md").read_text())
    assert sorted(shown) == sorted(f"docs/images/{key}.png" for key in README_PICTURES)
    for path in shown:
        assert (root / path).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), path
    written = write_pictures(tmp_path, README_PICTURES[:1])
    assert [p.name for p in written] == [f"{README_PICTURES[0]}.png"]
    assert written[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "$(PY) -m lambdalogs.report.pictures docs/images" in (root / "Makefile").read_text()


def test_many_failing_traces_are_capped_and_odd_metric_names_skipped(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdalogs.report import write

    path = tmp_path / "demo.ndjson"
    assert cli("demo", *FIXED, "--out", str(path)).code == 0
    documents = bulk_documents(path)
    documents[0] = {**documents[0], "metrics.Latency ms": 12.5}  # not a name Dashboards charts
    monkeypatch.setattr(write, "MAX_WATERFALLS", 1)
    monkeypatch.setattr(build, "MAX_WATERFALLS", 1)
    found = list(traces.build(documents).values())
    written = write.write_report(tmp_path / "r.html", documents, found, title="t", lead=[])
    page = read_page(tmp_path / "r.html")
    assert written.waterfalls == 1 and "waterfall-2" not in page.figures
    assert "Failing traces: the first 1 of 2 are drawn." in (tmp_path / "r.html").read_text()
    assert not [key for key in page.figures if "Latency ms" in key]


def test_html_into_a_folder_or_nowhere(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    result = cli(
        "demo", "--sessions", "3", "--out", str(tmp_path / "d.ndjson"), "--html", str(folder)
    )
    assert result.code == 0, result.err
    assert read_page(folder / "lambda-logs-report.html").svgs >= 4
    # a folder that does not exist: one line before any work, nothing written
    bulk = tmp_path / "e.ndjson"
    missing = cli("demo", "--out", str(bulk), "--html", str(tmp_path / "no" / "r.html"))
    assert missing.code == 2 and "no folder" in missing.err and missing.out == ""
    assert not bulk.exists()
