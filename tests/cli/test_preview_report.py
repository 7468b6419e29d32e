"""`preview --html`: the report of a user's own logs (here `aws logs filter-log-events` output
of one function: its invocations, a timeout and the trace it ended)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambdalogs.local import workload
from tests.cli.conftest import bulk_documents
from tests.cli.report_html import assert_self_contained, read_page

GROUP = "/aws/lambda/conference-notify-slack"


def filter_log_events(path: Path) -> None:
    """The function's log events as `aws logs filter-log-events --output json` prints them."""
    load = workload.generate(seed=7, sessions=40, start=workload.DEFAULT_START)
    events = [
        {
            "logStreamName": stream.log_stream,
            "timestamp": event["timestamp"],
            "message": event["message"],
            "ingestionTime": event["timestamp"] + 300,
            "eventId": event["id"],
        }
        for stream in load.streams
        if stream.log_group == GROUP
        for event in stream.events
    ]
    path.write_text(json.dumps({"events": events}))


def test_preview_html_draws_the_users_own_logs(cli: Any, tmp_path: Path) -> None:
    source, out, report = tmp_path / "events.json", tmp_path / "docs.ndjson", tmp_path / "r.html"
    filter_log_events(source)
    result = cli(
        "preview", str(source), "--log-group", GROUP, "--out", str(out), "--html", str(report)
    )
    assert result.code == 0, result.err
    page = read_page(report)
    assert_self_contained(page)
    assert page.svgs >= 4
    assert {"invocations", "duration", "cold-starts", "cost-per-function"} <= set(page.figures)
    assert f"Report: {report} ({page.svgs} pictures" in result.out
    # the timed-out invocation's trace is drawn, ending where the timeout stopped it
    documents = bulk_documents(out)
    timed_out = {d["faas.execution"] for d in documents if d.get("aws.lambda.status") == "timeout"}
    assert timed_out
    traces = {
        d["trace.id"]
        for d in documents
        if d.get("faas.execution") in timed_out and d.get("trace.id")
    }
    waterfalls = [texts for key, texts in page.figures.items() if key.startswith("waterfall-")]
    assert len(waterfalls) == len(traces)
    titles = {
        t.removeprefix("Failing trace ")
        for texts in waterfalls
        for t in texts
        if t.startswith("Failing trace ")
    }
    assert titles == traces
    assert all(any("Task timed out" in t for t in texts) for texts in waterfalls)
