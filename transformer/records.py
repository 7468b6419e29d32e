"""One Firehose input record → its result and documents (decode → parse → document → encode)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from transformer.cost import ArchitectureSource, invocation_cost
from transformer.document import (
    StreamInfo,
    assemble,
    build_fields,
    encode,
    iso_timestamp,
    valid_epoch_ms,
)
from transformer.envelope import decode
from transformer.jsonlib import Codec
from transformer.jsonlog import Fields
from transformer.settings import Settings

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
    return info.is_lambda_stream()


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


def _event_fields(event: object, ctx: Context) -> tuple[str, int | None, str | None]:
    """(line, epoch ms, event id) of one logEvents entry, tolerating any shape."""
    if not isinstance(event, dict):
        return bytes(ctx.codec.dumps(event)).decode("utf-8"), None, None
    message = event.get("message")
    if message is None:
        line = ""
    elif isinstance(message, str):
        line = message
    else:
        line = bytes(ctx.codec.dumps(message)).decode("utf-8")
    event_id = event.get("id")
    return (
        line,
        valid_epoch_ms(event.get("timestamp")),
        (event_id if isinstance(event_id, str) else None),
    )


def _document(event: object, info: StreamInfo, ctx: Context, result: RecordResult) -> bytes:
    line, epoch_ms, event_id = _event_fields(event, ctx)
    try:
        fields = build_fields(line, ctx.settings, ctx.codec)
        if fields.get("aws.lambda.event") == "report":
            _add_cost(fields, info, ctx)
    except Exception:
        result.parser_errors += 1
        fields = {"message": line}
    if fields.get("log.truncated"):
        result.truncated += 1
    timestamp = iso_timestamp(epoch_ms if epoch_ms is not None else ctx.fallback_epoch_ms)
    return encode(assemble(timestamp, info, event_id, fields), ctx.codec)


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
    result.documents = [_document(event, info, ctx, result) for event in message["logEvents"]]
    if result.documents:
        result.inline = True
    else:
        result.result, result.reason = "Dropped", "no log events"
    return result
