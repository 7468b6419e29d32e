"""Decode: one Firehose record's data → what it holds (a CloudWatch Logs subscription message,
one of our own re-ingested documents, or something that cannot be read), and one log event of
a message → its line, timestamp and id."""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass
from typing import Any, Final, Literal

from transformer.document import DOCUMENT_PREFIX
from transformer.jsonlib import STDLIB, Codec, JsonDecodeError

MAX_DECOMPRESSED_BYTES: Final = 64 * 1024 * 1024
# orjson (yyjson) reserves about 15 times its input while it parses; the standard library
# about 2 to 4 times. A message larger than this is parsed by the standard library, so a record
# that decompresses to 64 MiB costs ~250 MB to read rather than ~1 GB (orjson is 2x faster on
# the small messages CloudWatch really sends, which stay with it).
FAST_PARSE_MAX_BYTES: Final = 1024 * 1024
# The 15-byte prefix is five whole base64 groups, so its encoding is fixed: 20 characters.
DOCUMENT_PREFIX_B64: Final = base64.b64encode(DOCUMENT_PREFIX).decode("ascii")

Kind = Literal["cloudwatch", "document", "control", "invalid"]


@dataclass(frozen=True)
class Decoded:
    kind: Kind
    message: dict[str, Any] | None = None
    reason: str = ""
    size: int = 0  # bytes of the decompressed message


def _invalid(reason: str) -> Decoded:
    return Decoded("invalid", None, reason)


def is_document(data: str) -> bool:
    """A record we re-ingested ourselves: base64 of `{"@timestamp":"…`. Checked in O(1)."""
    return data.startswith(DOCUMENT_PREFIX_B64)


def _gunzip(raw: bytes) -> bytes:
    inflater = zlib.decompressobj(31)
    out = inflater.decompress(raw, MAX_DECOMPRESSED_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes")
    if not inflater.eof:
        raise ValueError("truncated gzip stream")
    return out


def _check_message(message: object) -> Decoded:
    if not isinstance(message, dict):
        return _invalid("the JSON is not a CloudWatch Logs subscription message")
    kind = message.get("messageType")
    if kind == "CONTROL_MESSAGE":
        return Decoded("control", message)
    if kind != "DATA_MESSAGE":
        return _invalid(f"messageType {kind!r} is neither DATA_MESSAGE nor CONTROL_MESSAGE")
    for key in ("owner", "logGroup", "logStream"):
        if not isinstance(message.get(key), str):
            return _invalid(f"{key} is missing or not a string")
    if not isinstance(message.get("logEvents"), list):
        return _invalid("logEvents is missing or not a list")
    return Decoded("cloudwatch", message)


def decode(data: object, codec: Codec) -> Decoded:
    """Classify and decode one record's base64 `data`."""
    if not isinstance(data, str):
        return _invalid("data is not a base64 string")
    if is_document(data):
        return Decoded("document")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return _invalid("data is not valid base64")
    if raw[:2] != b"\x1f\x8b":
        return _invalid("data is neither gzip (CloudWatch Logs) nor a transformed document")
    try:
        text = _gunzip(raw)
    except (zlib.error, ValueError) as exc:
        return _invalid(f"data is not valid gzip: {exc}")
    try:
        message = (codec if len(text) <= FAST_PARSE_MAX_BYTES else STDLIB).loads(text)
    except JsonDecodeError:
        return _invalid("the gzip content is not valid JSON")
    checked = _check_message(message)
    return Decoded(checked.kind, checked.message, checked.reason, len(text))


def _odd_event(event: object, codec: Codec) -> tuple[str, object, object]:
    """(line, timestamp, id) of a logEvents entry that is not {id, timestamp, message: str}:
    a key missing, a message that is not a string, or no object at all."""
    if not isinstance(event, dict):
        return bytes(codec.dumps(event)).decode("utf-8"), None, None
    message = event.get("message")
    if isinstance(message, str):
        line = message
    else:
        line = "" if message is None else bytes(codec.dumps(message)).decode("utf-8")
    return line, event.get("timestamp"), event.get("id")


def read_event(event: Any, codec: Codec) -> tuple[str, object, object]:
    """(line, timestamp, id) of one logEvents entry; a malformed one keeps what it holds (JSON
    for a message or an entry that is not text). The timestamp and id are checked where used."""
    try:  # only a JSON object (a dict) can be read with string keys
        line, epoch_ms, event_id = event["message"], event["timestamp"], event["id"]
    except (KeyError, TypeError, IndexError):
        return _odd_event(event, codec)
    if type(line) is not str:
        return _odd_event(event, codec)
    return line, epoch_ms, event_id
