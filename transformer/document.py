"""CloudWatch log event + parsed fields → one encoded OpenSearch document (bytes).

The first key is always `@timestamp`; the transformer recognises its own re-ingested documents
by that prefix. Sizes: a line over `max_message_bytes` is indexed truncated (flagged
`log.truncated`) and kept whole, unindexed, in `event.original`; a document that would not fit a
Firehose record (1,000 KiB) has `event.original` cut too (flagged `event.original_truncated`)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Final

from transformer.jsonlib import Codec
from transformer.jsonlog import Fields
from transformer.parse import parse_line
from transformer.settings import FIREHOSE_RECORD_MAX_BYTES, Settings

DOCUMENT_PREFIX: Final = b'{"@timestamp":"'
MAX_TIMESTAMP_MS: Final = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
_RECORD_MARGIN: Final = 2048
_TEXT_FIELDS: Final = ("message", "error.message", "error.stack_trace")
# Lambda log streams: "2026/11/20/[$LATEST]<id>", and in custom groups
# "2026/11/20/<function name>[<version>]<id>".
_STREAM: Final = re.compile(r"\d{4}/\d\d/\d\d/([^\[\]/]*)\[([^\]]*)\]")
_LAMBDA_GROUP: Final = "/aws/lambda/"


@dataclass(frozen=True)
class StreamInfo:
    """What every document of one CloudWatch record shares."""

    account_id: str
    log_group: str
    function_name: str | None
    version: str | None
    lambda_stream: bool  # a function's own stream ("…/[<version>]…"), even in a custom group
    # cloud.* and aws.cloudwatch.*: fields of the record that no log line can set
    shared: dict[str, str] = field(compare=False, repr=False)

    @classmethod
    def of(cls, owner: str, region: str, log_group: str, log_stream: str) -> StreamInfo:
        stream = _STREAM.match(log_stream)
        name: str | None = None
        if log_group.startswith(_LAMBDA_GROUP) and len(log_group) > len(_LAMBDA_GROUP):
            name = log_group[len(_LAMBDA_GROUP) :]
        elif stream and stream.group(1):
            name = stream.group(1)
        shared = {
            "cloud.provider": "aws",
            "cloud.account.id": owner,
            "aws.cloudwatch.log_group": log_group,
            "aws.cloudwatch.log_stream": log_stream,
        }
        if region:
            shared["cloud.region"] = region
        version = (stream.group(2) or None) if stream else None
        return cls(owner, log_group, name, version, stream is not None and name is not None, shared)


_SECOND_CACHE: dict[int, bytes] = {}
# ".000Z" … ".999Z": the milliseconds of a timestamp, formatted once
MILLIS: Final = tuple(f".{ms:03d}Z".encode() for ms in range(1000))


def second_text(epoch_seconds: int) -> bytes:
    """1795169647 → b'2026-11-20T10:14:07'."""
    text = _SECOND_CACHE.get(epoch_seconds)
    if text is None:
        if len(_SECOND_CACHE) > 4096:
            _SECOND_CACHE.clear()
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds)).encode()
        _SECOND_CACHE[epoch_seconds] = text
    return text


def iso_timestamp(epoch_ms: int) -> bytes:
    """1795169647121 → b'2026-11-20T10:14:07.121Z'."""
    seconds, millis = divmod(epoch_ms, 1000)
    return second_text(seconds) + MILLIS[millis]


def valid_epoch_ms(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or not 0 <= value <= MAX_TIMESTAMP_MS:  # NaN or out of range
        return None
    return int(value)


def _cut(text: str, max_bytes: int) -> str:
    if len(text) * 4 <= max_bytes:
        return text
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def _truncate(fields: Fields, line: str, max_bytes: int) -> None:
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


def build_fields(line: str, settings: Settings, codec: Codec) -> Fields:
    """Parsed fields of one line, truncated when the line is over the configured size."""
    oversized = line_is_oversized(line, settings.max_message_bytes)
    fields = parse_line(line, settings, codec, keep_json=not oversized)
    if oversized:
        _truncate(fields, line, settings.max_message_bytes)
    return fields


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
