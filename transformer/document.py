"""Parsed and enriched fields → one encoded OpenSearch document (bytes), within its sizes.

The first key is always `@timestamp`; the transformer recognises its own re-ingested documents
by that prefix. Sizes: a line over `max_message_bytes` is indexed truncated (flagged
`log.truncated`) and kept whole, unindexed, in `event.original`; a document that would not fit a
Firehose record (1,000 KiB) has `event.original` cut too (flagged `event.original_truncated`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from lambda_shared.limits import FIREHOSE_RECORD_MAX_BYTES
from transformer.jsonlib import Codec
from transformer.types import Fields

DOCUMENT_PREFIX: Final = b'{"@timestamp":"'
MAX_TIMESTAMP_MS: Final = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
_RECORD_MARGIN: Final = 2048
_TEXT_FIELDS: Final = ("message", "error.message", "error.stack_trace")

Encode = Callable[[Fields, object], bytes]
"""encode(fields, epoch_ms) → the document of one event of a record."""

_SECOND_CACHE: dict[int, bytes] = {}
# ".000Z" … ".999Z": the milliseconds of a timestamp, formatted once
_MILLIS: Final = tuple(f".{ms:03d}Z".encode() for ms in range(1000))


def _second_text(epoch_seconds: int) -> bytes:
    """1795169647 → b'2026-11-20T10:14:07'."""
    text = _SECOND_CACHE.get(epoch_seconds)
    if text is None:
        if len(_SECOND_CACHE) > 4096:
            _SECOND_CACHE.clear()
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds)).encode()
        _SECOND_CACHE[epoch_seconds] = text
    return text


def _iso_timestamp(epoch_ms: int) -> bytes:
    """1795169647121 → b'2026-11-20T10:14:07.121Z'."""
    seconds, millis = divmod(epoch_ms, 1000)
    return _second_text(seconds) + _MILLIS[millis]


def _valid_epoch_ms(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or not 0 <= value <= MAX_TIMESTAMP_MS:  # NaN or out of range
        return None
    return int(value)


def _any_timestamp(epoch_ms: object, fallback_ms: int) -> bytes:
    valid = _valid_epoch_ms(epoch_ms)
    return _iso_timestamp(fallback_ms if valid is None else valid)


def timestamp_text(epoch_ms: int) -> str:
    """A valid CloudWatch timestamp as `@timestamp` writes it (the fields folding adds)."""
    return _iso_timestamp(epoch_ms).decode()


def encoder(shared: Fields, codec: Codec, fallback_epoch_ms: int) -> Encode:
    """The document encoder of one CloudWatch record. A document is spliced from bytes:
    `{"@timestamp":"<ts>",` + the record's `shared` fields (encoded once, here) + the event's
    own fields. The shared fields are cloud.* and aws.cloudwatch.*, which no parser writes, so
    no name can appear twice. An event without a valid timestamp is stamped with
    `fallback_epoch_ms` (the time the batch was handled)."""
    dumps, safe_dumps = codec.raw_dumps, codec.dumps
    after_timestamp = b'",' + codec.dumps(shared)[1:-1] + b","
    last_second, opening = -1, b""  # the text of the last second met: a record's events share it

    def encode(fields: Fields, epoch_ms: object) -> bytes:
        nonlocal last_second, opening
        if type(epoch_ms) is int and 0 <= epoch_ms <= MAX_TIMESTAMP_MS:
            seconds = epoch_ms // 1000
            if seconds != last_second:
                last_second, opening = seconds, DOCUMENT_PREFIX + _second_text(seconds)
            stamp = opening + _MILLIS[epoch_ms - seconds * 1000]  # {"@timestamp":"<ISO time>
        else:
            stamp = DOCUMENT_PREFIX + _any_timestamp(epoch_ms, fallback_epoch_ms)
        try:
            body = dumps(fields)
        except (UnicodeEncodeError, TypeError, ValueError):
            body = safe_dumps(fields)
        data = stamp + after_timestamp + body[1:]
        if len(data) > FIREHOSE_RECORD_MAX_BYTES:
            timestamp = stamp[len(DOCUMENT_PREFIX) :].decode()
            data = shrink({"@timestamp": timestamp, **shared, **fields}, codec)
        return data

    return encode


def _cut(text: str, max_bytes: int) -> str:
    if len(text) * 4 <= max_bytes:
        return text
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def truncate(fields: Fields, line: str, max_bytes: int) -> None:
    """Cut the text fields of an oversized line to `max_bytes`, flagged, the line kept whole."""
    for name in _TEXT_FIELDS:
        value = fields.get(name)
        if isinstance(value, str):
            fields[name] = _cut(value, max_bytes)
    fields["log.truncated"] = True
    fields["event.original"] = line


def line_is_oversized(line: str, max_bytes: int) -> bool:
    """Over `max_bytes` of UTF-8; cheap for the common short line."""
    if len(line) * 4 <= max_bytes:
        return False
    return len(line) > max_bytes or len(line.encode("utf-8", "surrogatepass")) > max_bytes


def shrink(document: Fields, codec: Codec) -> bytes:
    """Cut a document that is over 1,000 KiB: `event.original` keeps what fits, flagged."""
    original = document.get("event.original")
    if not isinstance(original, str):
        original = str(document.get("message", ""))
    document["log.truncated"] = True
    document["event.original_truncated"] = True
    document.pop("json", None)
    for name in _TEXT_FIELDS:
        if isinstance(document.get(name), str):
            document[name] = _cut(document[name], 32 * 1024)
    if len(codec.dumps({**document, "event.original": ""})) > FIREHOSE_RECORD_MAX_BYTES // 2:
        # Pathological: thousands of metrics or labels. Keep the typed core only.
        document = {k: v for k, v in document.items() if not k.startswith(("metrics.", "labels."))}
    budget = FIREHOSE_RECORD_MAX_BYTES - _RECORD_MARGIN
    room = budget - len(codec.dumps({**document, "event.original": ""}))
    while True:
        document["event.original"] = _cut(original, max(room, 0))
        data = codec.dumps(document)
        if len(data) <= FIREHOSE_RECORD_MAX_BYTES:
            return data
        room = (room * 2) // 3  # JSON escapes take up to six bytes per byte: shrink and retry
