"""CloudWatch subscription records built for the backfill: sizes and format (the batching is\nlambda_shared.firehose_put's, tested in tests/lambda_shared)."""

from __future__ import annotations

import base64
import json
import os
import zlib
from typing import Any

from lambda_shared.limits import FIREHOSE_RECORD_MAX_BYTES as RECORD_MAX_BYTES
from subscriptions.envelope import ENVELOPE_TARGET_BYTES, encode
from subscriptions.logs_api import LogEvent


def _event(i: int, stream: str = "s1", message: str | None = None) -> LogEvent:
    return LogEvent(
        str(i), stream, 1_700_000_000_000 + i, 1_700_000_000_500 + i, message or f"m{i}"
    )


def _decode(record: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(zlib.decompress(record, 31))
    return decoded


def test_one_envelope_per_stream_in_cloudwatch_format() -> None:
    # GIVEN interleaved events of two streams
    events = [_event(0, "s1"), _event(1, "s2"), _event(2, "s1")]

    # WHEN they are encoded
    encoded = encode("123456789012", "/aws/lambda/x", "pipeline", events)

    # THEN there is one gzip JSON envelope per stream, events in order
    first, second = (_decode(r) for r in encoded.records)
    assert first == {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": "/aws/lambda/x",
        "logStream": "s1",
        "subscriptionFilters": ["pipeline"],
        "logEvents": [
            {"id": "0", "timestamp": 1_700_000_000_000, "message": "m0"},
            {"id": "2", "timestamp": 1_700_000_000_002, "message": "m2"},
        ],
    }
    assert second["logStream"] == "s2"
    assert encoded.truncated_events == 0


def test_a_large_stream_is_split_into_envelopes_under_the_target() -> None:
    # GIVEN 100 events of 10 KB in one stream (1 MB of JSON)
    events = [_event(i, message="x" * 10_000) for i in range(100)]

    # WHEN they are encoded
    encoded = encode("1", "/g", "f", events)

    # THEN they span several envelopes, each under the target, none lost or repeated
    decoded = [_decode(r) for r in encoded.records]
    assert len(decoded) >= 4
    assert all(len(zlib.decompress(r, 31)) <= ENVELOPE_TARGET_BYTES for r in encoded.records)
    ids = [e["id"] for d in decoded for e in d["logEvents"]]
    assert ids == [str(i) for i in range(100)]


def test_an_event_too_large_for_a_record_even_compressed_is_truncated() -> None:
    # GIVEN one incompressible event of 1.5 MB
    message = base64.b64encode(os.urandom(1_125_000)).decode()

    # WHEN it is encoded
    encoded = encode("1", "/g", "f", [_event(0, message=message)])

    # THEN its record fits Firehose's 1,000 KiB, keeping the start of the message
    (record,) = encoded.records
    assert len(record) <= RECORD_MAX_BYTES
    kept = _decode(record)["logEvents"][0]["message"]
    assert message.startswith(kept)
    assert len(kept) > 500_000
    assert encoded.truncated_events == 1
