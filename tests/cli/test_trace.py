"""`trace ID`: events across functions in time order, milestones first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.conftest import bulk_documents
from tests.fakes.opensearch_http import FakeOpenSearch


def _failing_trace(documents: list[dict[str, Any]]) -> str:
    """The first trace failed by an application error (the save-session one; the timed-out trace
    fails on a platform line, which carries its trace id too)."""
    return str(
        next(
            d["trace.id"]
            for d in documents
            if d.get("trace.id") and d.get("log.level") == "ERROR" and "aws.lambda.event" not in d
        )
    )


def _section(output: str, name: str) -> list[str]:
    block = output.split(f"\n{name}\n")[1].split("\n\n")[0]
    return [line for line in block.splitlines() if line.strip()]


def test_trace_from_a_file_lists_milestones_then_every_event_in_time_order(
    cli: Any, demo_file: Path
) -> None:
    documents = bulk_documents(demo_file)
    trace_id = _failing_trace(documents)
    requests = {d.get("faas.execution") for d in documents if d.get("trace.id") == trace_id} - {
        None
    }
    expected = sorted(
        (
            d
            for d in documents
            if d.get("faas.execution") in requests or d.get("trace.id") == trace_id
        ),
        key=lambda d: (d["@timestamp"], d["aws.cloudwatch.event_id"]),
    )
    result = cli("trace", trace_id, "--file", str(demo_file))
    assert result.code == 0, result.err
    assert result.out.index("\nmilestones\n") < result.out.index("\nevents\n")
    milestones = _section(result.out, "milestones")
    assert [line.split()[5] for line in milestones] == [
        d["labels.milestone"] for d in expected if "labels.milestone" in d
    ]
    events = _section(result.out, "events")
    assert len(events) == len(expected)
    assert [line.split()[0] for line in events] == [d["@timestamp"][11:23] for d in expected]
    assert [line.split()[4] for line in events] == [d["faas.name"] for d in expected]
    # the platform lines of the requests are included: START first, REPORT of the last request
    assert "START" in events[0]
    assert {d["faas.name"] for d in expected} == {
        "conference-create-session",
        "conference-save-session",
    }


def test_trace_by_request_id_and_from_opensearch(
    cli: Any, demo_file: Path, fake: FakeOpenSearch
) -> None:
    fake.store.bulk(demo_file.read_bytes(), None)
    documents = bulk_documents(demo_file)
    request_id = next(
        d["faas.execution"] for d in documents if d.get("aws.lambda.status") == "timeout"
    )
    from_file = cli("trace", request_id, "--file", str(demo_file))
    from_cluster = cli("trace", request_id, "--opensearch", fake.url)
    assert from_cluster.code == 0, from_cluster.err
    assert from_cluster.out == from_file.out
    assert "TIMEOUT" in from_cluster.out


def test_unknown_trace_is_one_line(cli: Any, demo_file: Path) -> None:
    result = cli("trace", "no-such-trace", "--file", str(demo_file))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "no events for trace" in result.err


def test_trace_with_sigv4_signs_every_request(
    cli: Any, demo_file: Path, fake: FakeOpenSearch
) -> None:
    fake.store.bulk(demo_file.read_bytes(), None)
    trace_id = _failing_trace(bulk_documents(demo_file))
    result = cli("trace", trace_id, "--opensearch", fake.url, "--sigv4", "--region", "eu-west-1")
    assert result.code == 0, result.err
    searches = fake.requests_to(r"/lambda-logs-\*/_search")
    assert searches
    for request in searches:
        assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")
        assert "/eu-west-1/es/aws4_request" in request.headers["authorization"]
        assert request.headers["x-amz-security-token"] == "testing"
