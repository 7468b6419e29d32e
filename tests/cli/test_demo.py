"""`demo` end to end: the printed figures are checked against the documents it wrote."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result, bulk_documents, stored
from tests.fakes.opensearch_http import FakeOpenSearch

FUNCTIONS = ("conference-create-session", "conference-save-session", "conference-notify-slack")


def nearest_rank(values: list[float], share: int) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered) / 100) - 1]


def table_row(output: str, function: str) -> list[str]:
    for line in output.splitlines():
        if line.startswith(function + " "):
            return line.split()
    raise AssertionError(f"no row for {function} in\n{output}")


def test_demo_prints_the_dashboard_figures_of_the_documents_it_wrote(
    demo_file: Path, cli: Any
) -> None:
    # GIVEN the documents of the default demo, WHEN it is run again with the same seed
    documents = bulk_documents(demo_file)
    result: Result = cli("demo", "--out", str(demo_file))
    assert result.code == 0
    # THEN every figure of the per-function table matches the documents
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in documents:
        if doc.get("aws.lambda.event") == "report":
            reports[doc["faas.name"]].append(doc)
    assert set(reports) == set(FUNCTIONS)
    for function in FUNCTIONS:
        row = table_row(result.out, function)
        durations = [d["aws.lambda.duration_ms"] for d in reports[function]]
        errors = sum(
            1 for d in documents if d["faas.name"] == function and d.get("log.level") == "ERROR"
        )
        timeouts = sum(1 for d in reports[function] if d.get("aws.lambda.status") == "timeout")
        cold = sum(1 for d in reports[function] if d.get("faas.coldstart") is True)
        cost = sum(d["aws.lambda.cost_usd"] for d in reports[function])
        assert int(row[1]) == len(reports[function])
        assert int(row[2]) == errors
        assert int(row[3]) == timeouts
        assert int(row[4]) == cold
        assert float(row[5]) == round(nearest_rank(durations, 50), 2)
        assert float(row[6]) == round(nearest_rank(durations, 95), 2)
        assert float(row[7]) == round(nearest_rank(durations, 99), 2)
        assert row[8] == f"{cost:.8f}"


def test_demo_workload_is_realistic(demo_file: Path) -> None:
    documents = bulk_documents(demo_file)
    events = {d.get("aws.lambda.event") for d in documents}
    assert {"init_start", "start", "end", "report", "timeout"} <= events
    assert any(
        d.get("faas.coldstart") is True and d.get("aws.lambda.init_duration_ms") for d in documents
    )
    assert any(d.get("aws.lambda.status") == "timeout" for d in documents)
    assert any(
        "Traceback" in (d.get("error.stack_trace") or d.get("message", "")) for d in documents
    )
    assert {k for d in documents for k in d if k.startswith("metrics.")} == {
        "metrics.CreateSessionLatency",
        "metrics.PutItemLatency",
        "metrics.SlackPostLatency",
    }
    # Python ([INFO]\t…) and Node.js (…\tINFO\t…) prefixes both parsed to levels and request ids
    for function in ("conference-save-session", "conference-notify-slack"):
        app = [d for d in documents if d["faas.name"] == function and "labels.milestone" in d]
        assert app and all(d.get("log.level") and d.get("faas.execution") for d in app)
        assert all(d.get("trace.id") for d in app)
    assert len({d["aws.cloudwatch.event_id"] for d in documents}) == len(documents)


def test_demo_reports_the_fan_out_and_the_failing_traces(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "out.ndjson"
    result = cli("demo", "--out", str(path))
    documents = bulk_documents(path)
    found = re.search(r"(\d+) documents \((\d+) re-ingested", result.out)
    assert found and int(found.group(1)) == len(documents) and int(found.group(2)) > 0
    failing = {
        d["trace.id"] for d in documents if d.get("trace.id") and d.get("log.level") == "ERROR"
    }
    failing |= {
        t["trace.id"]
        for t in documents
        if t.get("trace.id")
        and any(
            r.get("aws.lambda.status") == "timeout"
            and r.get("faas.execution") == t.get("faas.execution")
            for r in documents
        )
    }
    assert len(failing) == 2
    section = result.out.split("Failing traces (2)")[1]
    for trace_id in failing:
        assert f"trace {trace_id}" in section
        milestones = [
            d["labels.milestone"]
            for d in sorted(
                documents, key=lambda d: (d["@timestamp"], d["aws.cloudwatch.event_id"])
            )
            if d.get("trace.id") == trace_id and "labels.milestone" in d
        ]
        block = section.split(f"trace {trace_id}")[1].split("\ntrace ")[0]
        printed = re.findall(r"^\s+\+\s*\d+ ms\s+\S+\s+(\S+)$", block, re.M)
        assert printed == milestones
        assert f"stopped after {milestones[-1]}" in block
    assert "Task timed out after 6.00 seconds" in section
    assert "ClientError" in section


def test_slowest_trace_lead_time_is_computed_from_the_trace_documents(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "out.ndjson"
    result = cli("demo", "--out", str(path), "--seed", "11", "--sessions", "12")
    times: dict[str, list[float]] = defaultdict(list)
    for doc in bulk_documents(path):
        if doc.get("trace.id"):
            moment = datetime.fromisoformat(doc["@timestamp"].replace("Z", "+00:00"))
            times[doc["trace.id"]].append(moment.timestamp() * 1000)
    leads = sorted(((round(max(t) - min(t)), trace) for trace, t in times.items()), reverse=True)
    first = result.out.split("Slowest traces")[1].splitlines()[3].split()  # title, header, rule
    assert int(first[1]) == leads[0][0]
    assert first[0] in {trace for lead, trace in leads if lead == leads[0][0]}


def test_demo_is_deterministic_for_a_seed(cli: Any, tmp_path: Path) -> None:
    a, b, c = (tmp_path / name for name in ("a.ndjson", "b.ndjson", "c.ndjson"))
    cli("demo", "--out", str(a), "--seed", "5", "--sessions", "10")
    cli("demo", "--out", str(b), "--seed", "5", "--sessions", "10")
    cli("demo", "--out", str(c), "--seed", "6", "--sessions", "10")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_demo_writes_to_the_current_directory_by_default(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("demo", "--sessions", "3").code == 0
    assert (tmp_path / "lambda-logs-demo.ndjson").stat().st_size > 0


def test_demo_with_opensearch_applies_content_and_indexes_idempotently(
    cli: Any, tmp_path: Path, fake: FakeOpenSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.ndjson"
    fake.require_basic_auth("admin", "secret")
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "secret")
    args = ("demo", "--out", str(path), "--sessions", "8", "--opensearch", fake.url)
    first = cli(*args, "--user", "admin")
    assert first.code == 0, first.err
    documents = bulk_documents(path)
    assert "lambda-logs" in fake.objects["index_template"]
    assert fake.objects["saved_objects"]
    assert sorted(d["aws.cloudwatch.event_id"] for d in stored(fake)) == sorted(
        d["aws.cloudwatch.event_id"] for d in documents
    )
    # a second run overwrites the same ids: still one document per event
    assert cli(*args, "--user", "admin").code == 0
    assert len(stored(fake)) == len(documents)
