"""CloudWatch Logs subscription records, built exactly as CloudWatch sends them: pure, no I/O.

A record is gzip(JSON envelope) with one log stream's events; Firehose base64-encodes it for the
transformer, which cannot tell a backfilled record from a delivered one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from lambda_shared.cloudwatch_message import (
    LogEventPayload,
    SubscriptionMessage,
    compress,
    data_message,
)
from lambda_shared.limits import FIREHOSE_RECORD_MAX_BYTES
from subscriptions.logs_api import LogEvent

# Uncompressed JSON per envelope: keeps the transformer's fan-out per record moderate. A single
# event larger than this still gets its own envelope (up to FIREHOSE_RECORD_MAX_BYTES
# compressed).
ENVELOPE_TARGET_BYTES: Final = 256 * 1024
_ENVELOPE_OVERHEAD: Final = 1024


@dataclass(frozen=True)
class Encoded:
    records: tuple[bytes, ...]
    truncated_events: int


def _payload(event: LogEvent, system: dict[str, str]) -> LogEventPayload:
    payload: LogEventPayload = {
        "id": event.event_id,
        "timestamp": event.timestamp,
        "message": event.message,
    }
    if system:
        payload["extractedFields"] = dict(system)
    return payload


def _fit_single(message: SubscriptionMessage) -> bytes:
    """Cut the one log message of an envelope that cannot fit a Firehose record even
    compressed."""
    data = compress(message)
    while len(data) > FIREHOSE_RECORD_MAX_BYTES:
        event = message["logEvents"][0]
        cut = len(event["message"]) * 3 // 4
        message["logEvents"][0] = {**event, "message": event["message"][:cut]}
        data = compress(message)
    return data


def encode(
    owner: str, group: str, filter_name: str, events: Iterable[LogEvent], region: str = ""
) -> Encoded:
    """One or more records per log stream, in the order the streams first appear. With
    `region`, each event carries the system fields the subscriber's filters emit
    (`extractedFields` `@aws.account`, `@aws.region`, as CloudWatch Logs adds them), so a hub's
    transformer gives a spoke's backfilled documents the log group's region, as it does the
    delivered ones (transformer/source_region.py)."""
    system = {"@aws.account": owner, "@aws.region": region} if region else {}
    by_stream: dict[str, list[LogEventPayload]] = {}
    for event in events:
        by_stream.setdefault(event.stream, []).append(_payload(event, system))
    records: list[bytes] = []
    truncated = 0
    for stream, payloads in by_stream.items():
        for chunk in _chunks(payloads):
            message = data_message(owner, group, stream, [filter_name], chunk)
            data = compress(message)
            if len(data) > FIREHOSE_RECORD_MAX_BYTES:
                data = _fit_single(message)
                truncated += 1
            records.append(data)
    return Encoded(tuple(records), truncated)


def _size(payload: LogEventPayload) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8")) + 1


def _chunks(payloads: list[LogEventPayload]) -> Iterable[list[LogEventPayload]]:
    """Consecutive events whose JSON stays under the envelope target (at least one each)."""
    chunk: list[LogEventPayload] = []
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
