"""The bench's `folded` request (bench.document_counts.paired_request): whole invocations of the
typical lines, sized like the other 6 MB requests, and folding really removes START and END."""

from __future__ import annotations

import base64
import json
import zlib

from bench import runs
from bench.document_counts import paired_request
from transformer.settings import Settings

TARGET = 300_000


def test_the_paired_request_fits_its_size_and_counts_its_events() -> None:
    request = paired_request(TARGET)
    records = request.event["records"]
    messages = [json.loads(zlib.decompress(base64.b64decode(r["data"]), 31)) for r in records]
    assert TARGET * 0.9 < len(json.dumps(request.event)) <= TARGET
    assert request.events == sum(len(m["logEvents"]) for m in messages)
    lines = [e["message"] for m in messages for e in m["logEvents"]]
    starts = sum(line.startswith("START ") for line in lines)
    reports = sum(line.startswith("REPORT ") for line in lines)
    assert abs(starts - reports) <= 1 and starts > 100  # whole invocations, cut at most once


def test_folding_on_the_paired_request_removes_start_and_end_of_every_invocation() -> None:
    request = paired_request(TARGET)
    plain = runs.in_memory(request.event)
    folded = runs.in_memory(
        request.event, settings=Settings(region="eu-west-1", fold_platform_events=True)
    )
    documents = int(plain["documents"])
    folded_documents = int(folded["documents"])
    # each invocation is START, four lines, END, REPORT: folding removes START and END of
    # every whole one (at most one invocation is cut at the request's end)
    assert documents == request.events
    assert folded_documents <= documents * 5 / 7 + 2
