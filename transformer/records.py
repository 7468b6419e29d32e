"""One Firehose input record → its result and documents (decode → parse → document → encode)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from transformer.cost import ArchitectureSource, invocation_cost
from transformer.document import (
    DOCUMENT_PREFIX,
    MAX_TIMESTAMP_MS,
    MILLIS,
    StreamInfo,
    build_fields,
    iso_timestamp,
    second_text,
    shrink,
    valid_epoch_ms,
)
from transformer.envelope import decode
from transformer.jsonlib import Codec
from transformer.jsonlog import Fields
from transformer.parse import parse_line
from transformer.settings import FIREHOSE_RECORD_MAX_BYTES, Settings

Result = Literal["Ok", "Dropped", "ProcessingFailed"]


@dataclass
class RecordResult:
    """What the handler answers for one input record, before the response budget is applied."""

    record_id: str
    result: Result
    original: str  # the input's base64 data, echoed on Dropped / ProcessingFailed / pass-through
    documents: list[bytes] = field(default_factory=list)
    passthrough: bool = False
    inline: bool = False  # documents[0] is returned in the response; the rest are re-ingested
    reason: str = ""
    truncated: int = 0
    parser_errors: int = 0


@dataclass(frozen=True)
class Context:
    """What a batch's records share."""

    settings: Settings
    codec: Codec
    architectures: ArchitectureSource
    region: str
    fallback_epoch_ms: int


def _included(info: StreamInfo, prefixes: tuple[str, ...]) -> bool:
    if not prefixes or info.log_group.startswith(prefixes):
        return True
    return info.lambda_stream


def _add_cost(fields: Fields, info: StreamInfo, ctx: Context) -> None:
    billed = fields.get("aws.lambda.billed_duration_ms")
    memory = fields.get("aws.lambda.memory_size_mb")
    name = info.function_name or fields.get("faas.name")
    if not isinstance(billed, int) or not isinstance(memory, int) or not isinstance(name, str):
        return
    architecture = ctx.architectures.architecture(name, info.account_id)
    fields["aws.lambda.cost_usd"] = invocation_cost(
        billed, memory, architecture, ctx.settings.prices
    )


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


def _oversized(line: str, ctx: Context, result: RecordResult) -> Fields:
    """Fields of a line that may be over the configured size (truncated and flagged if so)."""
    fields = build_fields(line, ctx.settings, ctx.codec)
    result.truncated += "log.truncated" in fields
    return fields


def _timestamp(epoch_ms: object, fallback_ms: int) -> bytes:
    valid = valid_epoch_ms(epoch_ms)
    return iso_timestamp(fallback_ms if valid is None else valid)


def _documents(events: list[Any], info: StreamInfo, ctx: Context, result: RecordResult) -> None:
    """One encoded document per event, appended to result.documents. The hot loop.

    A document is spliced from bytes: `{"@timestamp":"<ts>",` + the record's shared fields
    (encoded once per record) + the event's own fields. The shared fields are cloud.* and
    aws.cloudwatch.*, which no parser writes, so no name can appear twice. Kept in one piece on
    purpose: it runs once per log event, and a function call costs as much as several of its
    lines (see the benchmark in the README)."""
    codec = ctx.codec
    dumps = codec.raw_dumps
    after_timestamp = b'",' + codec.dumps(info.shared)[1:-1] + b","
    name, version = info.function_name, info.version
    last_second, opening = -1, b""
    append = result.documents.append
    settings = ctx.settings
    short_line = settings.max_message_bytes // 4  # this many characters can't be over the size
    max_timestamp = MAX_TIMESTAMP_MS
    for event in events:
        try:  # only a JSON object (a dict) can be read with string keys
            line, epoch_ms, event_id = event["message"], event["timestamp"], event["id"]
        except (KeyError, TypeError, IndexError):
            line = None
        if type(line) is not str:
            line, epoch_ms, event_id = _odd_event(event, codec)
        try:
            if len(line) <= short_line:
                fields = parse_line(line, settings, codec)
            else:
                fields = _oversized(line, ctx, result)
            if (
                "aws.lambda.billed_duration_ms" in fields
                and fields.get("aws.lambda.event") == "report"
            ):
                _add_cost(fields, info, ctx)
        except Exception:  # a parser bug costs the event its parse, never the event itself
            result.parser_errors += 1
            fields = {}
        if "message" not in fields:  # every document has one (and so is never empty)
            fields["message"] = line
        if type(epoch_ms) is int and 0 <= epoch_ms <= max_timestamp:
            seconds = epoch_ms // 1000
            if seconds != last_second:
                last_second, opening = seconds, DOCUMENT_PREFIX + second_text(seconds)
            stamp = opening + MILLIS[epoch_ms - seconds * 1000]  # {"@timestamp":"<ISO time>
        else:
            stamp = DOCUMENT_PREFIX + _timestamp(epoch_ms, ctx.fallback_epoch_ms)
        if name:
            fields["faas.name"] = name  # the log group's function name wins over a logged one
        if version and "faas.version" not in fields:
            fields["faas.version"] = version
        if type(event_id) is str:
            fields["aws.cloudwatch.event_id"] = event_id
        try:
            body = dumps(fields)
        except (UnicodeEncodeError, TypeError, ValueError):
            body = codec.dumps(fields)
        data = stamp + after_timestamp + body[1:]
        if len(data) > FIREHOSE_RECORD_MAX_BYTES:
            timestamp = stamp[len(DOCUMENT_PREFIX) :].decode()
            document = {"@timestamp": timestamp, **info.shared, **fields}
            data = shrink(document, codec)
        append(data)


def transform_record(record: dict[str, Any], ctx: Context) -> RecordResult:
    """Decode one record and build its documents; never raises for bad input."""
    record_id = str(record.get("recordId"))
    data = record.get("data")
    original = data if isinstance(data, str) else ""
    decoded = decode(data, ctx.codec)
    if decoded.kind == "document":
        return RecordResult(record_id, "Ok", original, passthrough=True)
    if decoded.kind == "control":
        return RecordResult(record_id, "Dropped", original, reason="control message")
    if decoded.kind == "invalid" or decoded.message is None:
        return RecordResult(record_id, "ProcessingFailed", original, reason=decoded.reason)
    message = decoded.message
    info = StreamInfo.of(message["owner"], ctx.region, message["logGroup"], message["logStream"])
    if not _included(info, ctx.settings.log_group_prefixes):
        return RecordResult(record_id, "Dropped", original, reason="log group not included")
    result = RecordResult(record_id, "Ok", original)
    _documents(message["logEvents"], info, ctx, result)
    if result.documents:
        result.inline = True
    else:
        result.result, result.reason = "Dropped", "no log events"
    return result
