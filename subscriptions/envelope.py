"""CloudWatch Logs subscription records, built exactly as CloudWatch sends them: pure, no I/O.

A record is gzip(JSON envelope) with one log stream's events; Firehose base64-encodes it for the
transformer, which cannot tell a backfilled record from a delivered one.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypedDict

from subscriptions.logs_api import LogEvent

RECORD_MAX_BYTES: Final = 1_000 * 1024  # PutRecordBatch: per record
BATCH_MAX_RECORDS: Final = 500  # PutRecordBatch: records per call
BATCH_MAX_BYTES: Final = 4 * 1024 * 1024  # PutRecordBatch: bytes per call
# Uncompressed JSON per envelope: keeps the transformer's fan-out per record moderate. A single
# event larger than this still gets its own envelope (up to RECORD_MAX_BYTES compressed).
ENVELOPE_TARGET_BYTES: Final = 256 * 1024
_ENVELOPE_OVERHEAD: Final = 1024


class EventPayload(TypedDict):
    id: str
    timestamp: int
    message: str


class Envelope(TypedDict):
    messageType: Literal["DATA_MESSAGE"]
    owner: str
    logGroup: str
    logStream: str
    subscriptionFilters: list[str]
    logEvents: list[EventPayload]


@dataclass(frozen=True)
class Encoded:
    records: tuple[bytes, ...]
    truncated_events: int


def _payload(event: LogEvent) -> EventPayload:
    return {"id": event.event_id, "timestamp": event.timestamp, "message": event.message}


def _envelope(
    owner: str, group: str, stream: str, filter_name: str, events: list[EventPayload]
) -> Envelope:
    return {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": [filter_name],
        "logEvents": events,
    }


def _compress(envelope: Envelope) -> bytes:
    text = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), mtime=0)


def _fit_single(envelope: Envelope) -> bytes:
    """Cut the one message of an envelope that cannot fit a Firehose record even compressed."""
    data = _compress(envelope)
    while len(data) > RECORD_MAX_BYTES:
        event = envelope["logEvents"][0]
        cut = len(event["message"]) * 3 // 4
        envelope["logEvents"][0] = {**event, "message": event["message"][:cut]}
        data = _compress(envelope)
    return data


def encode(owner: str, group: str, filter_name: str, events: Iterable[LogEvent]) -> Encoded:
    """One or more records per log stream, in the order the streams first appear."""
    by_stream: dict[str, list[EventPayload]] = {}
    for event in events:
        by_stream.setdefault(event.stream, []).append(_payload(event))
    records: list[bytes] = []
    truncated = 0
    for stream, payloads in by_stream.items():
        for chunk in _chunks(payloads):
            envelope = _envelope(owner, group, stream, filter_name, chunk)
            data = _compress(envelope)
            if len(data) > RECORD_MAX_BYTES:
                data = _fit_single(envelope)
                truncated += 1
            records.append(data)
    return Encoded(tuple(records), truncated)


def _size(payload: EventPayload) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8")) + 1


def _chunks(payloads: list[EventPayload]) -> Iterable[list[EventPayload]]:
    """Consecutive events whose JSON stays under the envelope target (at least one each)."""
    chunk: list[EventPayload] = []
    size = _ENVELOPE_OVERHEAD
    for payload in payloads:
        item = _size(payload)
        if chunk and size + item > ENVELOPE_TARGET_BYTES:
            yield chunk
            chunk, size = [], _ENVELOPE_OVERHEAD
        chunk.append(payload)
        size += item
    if chunk:
        yield chunk


def batches(records: Sequence[bytes]) -> list[list[bytes]]:
    """Split records into PutRecordBatch calls: ≤ 500 records and ≤ 4 MiB each."""
    result: list[list[bytes]] = []
    current: list[bytes] = []
    size = 0
    for record in records:
        if current and (len(current) == BATCH_MAX_RECORDS or size + len(record) > BATCH_MAX_BYTES):
            result.append(current)
            current, size = [], 0
        current.append(record)
        size += len(record)
    if current:
        result.append(current)
    return result
