"""Amplification: a small Firehose record can decompress to up to 64 MiB and a million events.
The documents a batch holds are bounded (re-ingested as soon as they exceed the held-documents
bound), so memory does not grow with what the records decompress to, and nothing is lost."""

from __future__ import annotations

import base64
import gc
import json
import tracemalloc
from dataclasses import dataclass, field
from typing import Any

import pytest

from lambdalogs.local.firehose import firehose_event
from tests.transformer.helpers import STREAM_ARN, Context, FlakyFirehose, cw_record, events
from transformer import records as records_module
from transformer.cost import StaticArchitectures
from transformer.handler import process
from transformer.settings import Settings

HELD = 1024 * 1024  # a lowered bound, so the test stays small and fast
LINE = "x" * 4000 + " {i}"
EVENTS = 5_000  # ~20 MiB decompressed from a ~100 KiB record


@dataclass
class CountingFirehose:
    """Accepts everything and keeps only the event ids (the memory under test is the
    transformer's, not the stream's)."""

    event_ids: list[str] = field(default_factory=list)
    calls: int = 0

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        for record in kwargs["Records"]:
            self.event_ids.append(json.loads(record["Data"])["aws.cloudwatch.event_id"])
        return {
            "FailedPutCount": 0,
            "RequestResponses": [{"RecordId": "r"}] * len(kwargs["Records"]),
        }


def hostile(start_ms: int) -> bytes:
    return cw_record(events(EVENTS, start_ms=start_ms, text=LINE))


def peak_bytes(records: list[bytes], firehose: Any, held: int = HELD) -> tuple[int, Any]:
    event = firehose_event(records, STREAM_ARN)
    gc.collect()
    tracemalloc.start()
    try:
        response = process(
            event,
            Context(),
            firehose=firehose,
            architectures=StaticArchitectures(),
            settings=Settings(region="eu-west-1"),
            log=lambda _line: None,
            held_max_bytes=held,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, response


def inline_ids(response: dict[str, Any]) -> list[str]:
    return [
        json.loads(base64.b64decode(r["data"]))["aws.cloudwatch.event_id"]
        for r in response["records"]
        if r["result"] == "Ok"
    ]


def test_two_hostile_records_take_no_more_memory_than_one_and_lose_nothing() -> None:
    # GIVEN records of ~100 KiB that each decompress to ~20 MiB (5,000 documents of 4 KB)
    one = [hostile(1_795_169_647_000)]
    two = [*one, hostile(1_795_169_747_000)]
    assert len(one[0]) < 200 * 1024
    # WHEN one, then two, are transformed with a held-documents bound of 1 MiB
    firehose_one, firehose_two = CountingFirehose(), CountingFirehose()
    peak_one, _ = peak_bytes(one, firehose_one)
    peak_two, response = peak_bytes(two, firehose_two)
    # THEN the peak does not grow with the second record (the documents of one record alone are
    # ~21 MiB: held all at once, the second record would add as much again)
    documents_of_one = 21 * 1024 * 1024
    assert peak_two < peak_one + documents_of_one / 4, (peak_one, peak_two)
    # AND re-ingestion started while the records were read: many calls, none over the limits
    assert firehose_two.calls >= 2 * EVENTS * 4000 // (4 * 1024 * 1024)
    # AND every event arrived exactly once (inline or re-ingested), both records answered Ok
    assert [r["result"] for r in response["records"]] == ["Ok", "Ok"]
    delivered = inline_ids(response) + firehose_two.event_ids
    assert len(delivered) == len(set(delivered)) == 2 * EVENTS


def test_the_documents_held_stay_within_the_bound_whatever_a_record_decompresses_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a count of the documents made and of those sent, at every moment
    firehose = CountingFirehose()
    made = [0]
    held: list[int] = []
    original = records_module._documents

    def counted(*args: Any) -> list[bytes]:
        documents = original(*args)
        made[0] += len(documents)
        held.append(made[0] - len(firehose.event_ids))
        return documents

    monkeypatch.setattr(records_module, "_documents", counted)
    # WHEN two hostile records (~20 MiB of 4 KB documents each) are transformed, 1 MiB bound
    _, response = peak_bytes([hostile(1_795_169_647_000), hostile(1_795_169_747_000)], firehose)
    # THEN never more than about the bound's worth of documents is held (plus one piece)
    assert made[0] == 2 * EVENTS
    assert max(held) * 4100 < 2 * HELD, max(held)
    assert len(inline_ids(response)) + len(firehose.event_ids) == 2 * EVENTS


def test_a_record_whose_early_pieces_cannot_be_reingested_is_processing_failed() -> None:
    # GIVEN a stream that refuses the first call for good (its pieces go while it is read)
    firehose = FlakyFirehose(plan=["AccessDeniedException"])
    small = cw_record(events(3))
    _, response = peak_bytes([hostile(1_795_169_647_000), small], firehose)
    # THEN that record is ProcessingFailed with its original data (kept in S3 for replay) and
    # the other record is unharmed
    first, second = response["records"]
    assert first["result"] == "ProcessingFailed"
    assert second["result"] == "Ok"
