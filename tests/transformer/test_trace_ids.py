"""`trace.id` lent to the lines of a request that did not log it (transformer/trace_ids.py): a
timed-out trace's lead time runs to its timeout, not to its last application line (issue 16)."""

from __future__ import annotations

import json
from typing import Any

from lambdalogs.local.firehose import LoopbackFirehose, opensearch_document
from lambdalogs.search.traces import build
from tests.transformer.helpers import cw_record, run
from transformer.cost import StaticArchitectures
from transformer.trace_ids import RequestTraces

T0 = 1_795_169_647_000
REQUEST = "9fc2f946-04a1-4ca5-b8f9-104001da2b9f"
OTHER = "0c4f2a9e-5d3b-4e71-9a26-7b8c1d2e3f40"


def event(offset: int, message: str) -> dict[str, Any]:
    return {"id": f"{T0 + offset:056d}", "timestamp": T0 + offset, "message": message}


def app(request: str, trace: str, offset: int) -> dict[str, Any]:
    line = {"level": "INFO", "requestId": request, "traceId": trace, "message": "saving"}
    return event(offset, json.dumps(line) + "\n")


def timeout(request: str, offset: int) -> dict[str, Any]:
    time = "2026-11-20T10:14:13.000Z"
    return event(offset, f"{time} {request} Task timed out after 6.00 seconds\n\n")


def report(request: str, offset: int) -> dict[str, Any]:
    return event(
        offset,
        f"REPORT RequestId: {request}\tDuration: 6000.00 ms\tBilled Duration: 6000 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 64 MB\tStatus: timeout\n",
    )


def documents(records: list[bytes], traces: RequestTraces | None = None) -> list[dict[str, Any]]:
    """What OpenSearch receives: the inline documents and the re-ingested ones."""
    stream = LoopbackFirehose()
    answered = run(records, stream, architectures=StaticArchitectures("arm64"), traces=traces)
    return answered.documents() + [opensearch_document(data) for data in stream.pending]


def test_a_timeout_and_report_carry_the_trace_id_of_their_request() -> None:
    found = documents(
        [cw_record([app(REQUEST, "t-1", 0), timeout(REQUEST, 6000), report(REQUEST, 6001)])]
    )
    by_kind = {d.get("aws.lambda.event"): d for d in found}
    assert by_kind["timeout"]["trace.id"] == "t-1"
    assert by_kind["report"]["trace.id"] == "t-1"
    # THEN the trace's lead time runs to its timeout (and the REPORT that closes it)
    assert build(found)["t-1"].lead_ms == 6001


def test_a_request_that_logged_two_trace_ids_lends_none() -> None:
    found = documents(
        [cw_record([app(REQUEST, "t-1", 0), app(REQUEST, "t-2", 1), timeout(REQUEST, 6000)])]
    )
    (line,) = [d for d in found if d.get("aws.lambda.event") == "timeout"]
    assert "trace.id" not in line


def test_another_requests_lines_get_nothing() -> None:
    found = documents([cw_record([app(REQUEST, "t-1", 0), timeout(OTHER, 6000)])])
    (line,) = [d for d in found if d.get("aws.lambda.event") == "timeout"]
    assert "trace.id" not in line


def test_the_container_remembers_a_request_for_its_next_batch() -> None:
    traces = RequestTraces()
    documents([cw_record([app(REQUEST, "t-1", 0)])], traces)
    later = documents([cw_record([timeout(REQUEST, 6000)])], traces)
    assert later[0]["trace.id"] == "t-1"
    # without the container's memory (another container), the next batch cannot know
    assert "trace.id" not in documents([cw_record([timeout(REQUEST, 6000)])])[0]


def test_the_memory_is_bounded_and_forgets_the_oldest_first() -> None:
    traces = RequestTraces(max_requests=2)
    for request, trace in (("r-1", "t-1"), ("r-2", "t-2"), ("r-3", "t-3")):
        traces.carry({"faas.execution": request, "trace.id": trace})
    lent = [{"faas.execution": r} for r in ("r-1", "r-2", "r-3")]
    for fields in lent:
        traces.carry(fields)
    assert [f.get("trace.id") for f in lent] == [None, "t-2", "t-3"]
