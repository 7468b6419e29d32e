"""One Firehose input record → what it became: decode → parse → enrich → document.

The per-event loop runs those steps, one call each, and does no I/O. A REPORT document's cost
needs the function's architecture (an S3 read of its account's map when not cached yet), so
REPORT documents are finished after the loop, the architecture resolved once per function."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from lambda_shared.pipeline_groups import is_pipeline_log_group
from transformer.budget import HELD_DOCUMENTS_MAX_BYTES
from transformer.cost import ArchitectureSource
from transformer.decode import decode, read_event
from transformer.document import Encode, encoder, line_is_oversized, truncate
from transformer.enrich import BILLED, StreamInfo, Usage, add_cost, enrich, usage
from transformer.jsonlib import Codec
from transformer.parse import parse_capped, parse_line
from transformer.redaction import wrap_encoder
from transformer.settings import Settings
from transformer.source_region import source_region
from transformer.trace_ids import RequestTraces
from transformer.types import Fields, Transformed

# What encoding parsed fields can raise: orjson's JSONEncodeError (a TypeError) beyond its
# depth, and the standard library's RecursionError or ValueError.
UNENCODABLE: Final = (RecursionError, TypeError, ValueError)
# A record's events are made into documents this many at a time (or fewer, when their lines
# add up to a quarter of the held-documents bound), so its documents can be handed to
# re-ingestion before they all exist.
CHUNK_EVENTS: Final = 2_000

Spill = Callable[[list[bytes]], None]
"""Takes documents of the record being transformed for re-ingestion (its first one never)."""
Screen = Callable[[Fields, str, object, object], bool]
"""screen(fields, line, epoch_ms, event_id): False for an event that makes no document now
(transformer/reduction.py: left out by a rule, or held for its REPORT)."""
BeginRecord = Callable[[int, StreamInfo], Screen | None]
"""The screen of the record at an index of the batch, given what its events share."""


@dataclass(frozen=True)
class Context:
    """What a batch's records share."""

    settings: Settings
    codec: Codec
    architectures: ArchitectureSource
    region: str
    fallback_epoch_ms: int
    held_max_bytes: int = HELD_DOCUMENTS_MAX_BYTES
    begin_record: BeginRecord | None = None
    traces: RequestTraces = field(default_factory=RequestTraces)
    """Request id → its trace id, lent to the request's other lines (transformer/trace_ids.py)."""


@dataclass
class _Tally:
    """Counts of one record's events, for the invocation summary."""

    truncated: int = 0
    parser_errors: int = 0


class _Report(NamedTuple):
    """A REPORT event waiting for its cost: where its document goes, and what it needs."""

    position: int
    usage: Usage
    fields: Fields
    line: str
    epoch_ms: object
    event_id: object


def _documents(
    events: list[Any], info: StreamInfo, ctx: Context, tally: _Tally, screen: Screen | None
) -> list[bytes]:
    """One encoded document per event, in the events' order. The hot loop."""
    codec = ctx.codec
    encode = wrap_encoder(encoder(info.shared, codec, ctx.fallback_epoch_ms), ctx.settings.redactor)
    short_line = ctx.settings.max_message_bytes // 4  # this many characters can't be over it
    documents: list[bytes] = []
    reports: list[_Report] = []
    settings = ctx.settings
    carry = ctx.traces.carry
    for event in events:
        try:  # read_event, inlined: a well-formed entry costs no call
            line, epoch_ms, event_id = event["message"], event["timestamp"], event["id"]
        except (KeyError, TypeError, IndexError):
            line, epoch_ms, event_id = read_event(event, codec)
        if type(line) is not str:
            line, epoch_ms, event_id = read_event(event, codec)
        try:  # a parser bug costs the event its parse, never the event itself
            if len(line) <= short_line:
                fields = parse_line(line, settings, codec)
            else:
                fields = parse_capped(line, settings, codec)
                tally.truncated += "log.truncated" in fields
        except Exception:
            tally.parser_errors += 1
            fields = {}
        if screen is not None and not screen(fields, line, epoch_ms, event_id):
            continue  # held to be folded into its REPORT (which gets the trace id)
        if "faas.execution" in fields:  # only a line of a request lends or takes a trace id
            carry(fields)
        if BILLED in fields:
            billed = usage(fields, info)
            if billed is not None:  # its document is written after the loop, with its cost
                reports.append(_Report(len(documents), billed, fields, line, epoch_ms, event_id))
                documents.append(b"")
                continue
        enrich(fields, line, event_id, info)
        try:
            documents.append(encode(fields, epoch_ms))
        except UNENCODABLE:
            documents.append(_as_text(line, epoch_ms, event_id, info, ctx, encode))
    if reports:
        _finish_reports(reports, documents, info, ctx, encode)
    return documents


def _finish_reports(
    reports: list[_Report], documents: list[bytes], info: StreamInfo, ctx: Context, encode: Encode
) -> None:
    """The REPORT documents, each with its invocation's cost; the architecture is asked for
    once per function of the record."""
    architectures: dict[str, str] = {}
    for report in reports:
        name = report.usage.function_name
        if name not in architectures:  # asked for the group's account and region
            region = str(info.shared.get("cloud.region", ctx.region))
            architectures[name] = ctx.architectures.architecture(name, info.account_id, region)
        add_cost(report.fields, report.usage, architectures[name], ctx.settings.prices)
        enrich(report.fields, report.line, report.event_id, info)
        try:
            documents[report.position] = encode(report.fields, report.epoch_ms)
        except UNENCODABLE:
            text = _as_text(report.line, report.epoch_ms, report.event_id, info, ctx, encode)
            documents[report.position] = text


def _as_text(
    line: str, epoch_ms: object, event_id: object, info: StreamInfo, ctx: Context, encode: Encode
) -> bytes:
    """The document of a line whose parsed fields cannot be encoded (JSON nested deeper than
    the codecs go): the line as plain text, flagged `event.unparsed`; its record is unharmed."""
    fields: Fields = {"message": line, "event.unparsed": True}
    if line_is_oversized(line, ctx.settings.max_message_bytes):
        truncate(fields, line, ctx.settings.max_message_bytes)
    enrich(fields, line, event_id, info)
    return encode(fields, epoch_ms)


def _chunks(events: list[Any], max_line_bytes: int) -> Iterator[list[Any]]:
    """Consecutive slices of `events`: CHUNK_EVENTS at most, their lines `max_line_bytes`."""
    start, size = 0, 0
    for index, event in enumerate(events):
        message = event.get("message") if isinstance(event, dict) else None
        size += len(message) if isinstance(message, str) else 64
        if index + 1 - start >= CHUNK_EVENTS or size >= max_line_bytes:
            yield events[start : index + 1]
            start, size = index + 1, 0
    if start < len(events):
        yield events[start:]


def _bounded_documents(
    events: list[Any],
    size: int,
    info: StreamInfo,
    ctx: Context,
    tally: _Tally,
    spill: Spill | None,
    screen: Screen | None,
) -> tuple[list[bytes], int]:
    """The record's documents, and how many of them went to `spill` on the way: whenever those
    held exceed `ctx.held_max_bytes`, all but the first are spilled."""
    max_line_bytes = ctx.held_max_bytes // 4
    if spill is None or (size <= max_line_bytes and len(events) <= CHUNK_EVENTS):
        return _documents(events, info, ctx, tally, screen), 0  # what CloudWatch sends: one piece
    documents: list[bytes] = []
    held, spilled = 0, 0
    for chunk in _chunks(events, max_line_bytes):
        made = _documents(chunk, info, ctx, tally, screen)
        documents.extend(made)
        held += sum(map(len, made))
        if held > ctx.held_max_bytes and len(documents) > 1:
            spill(documents[1:])
            spilled += len(documents) - 1
            del documents[1:]
            held = len(documents[0])
    return documents, spilled


def transform_record(
    record: dict[str, Any], ctx: Context, spill: Spill | None = None, owner: int = 0
) -> Transformed:
    """Decode one record and build its documents; never raises for bad input. With `spill`,
    a record whose documents exceed the held-documents bound hands them over as it goes;
    `owner`: its index in the batch (for `ctx.begin_record`)."""
    record_id = str(record.get("recordId"))
    data = record.get("data")
    original = data if isinstance(data, str) else ""
    decoded = decode(data, ctx.codec)
    if decoded.kind == "document":
        return Transformed(record_id, original, "passthrough")
    if decoded.kind == "control":
        return Transformed(record_id, original, "dropped")
    if decoded.kind == "invalid" or decoded.message is None:
        return Transformed(record_id, original, "failed", reason=decoded.reason)
    message = decoded.message
    if is_pipeline_log_group(message["logGroup"]):  # any deployment's own logs, whatever the
        return Transformed(record_id, original, "dropped", pipeline=True)  # prefixes say
    region = source_region(message, ctx.region)  # the log group's (transformer/source_region.py)
    info = StreamInfo.of(message["owner"], region, message["logGroup"], message["logStream"])
    if not info.included(ctx.settings.log_group_prefixes):
        return Transformed(record_id, original, "dropped")
    tally = _Tally()
    screen = ctx.begin_record(owner, info) if ctx.begin_record is not None else None
    documents, spilled = _bounded_documents(
        message["logEvents"], decoded.size, info, ctx, tally, spill, screen
    )
    if not documents:
        return Transformed(record_id, original, "dropped")
    return Transformed(
        record_id,
        original,
        "documents",
        documents,
        tally.truncated,
        tally.parser_errors,
        spilled=spilled,
    )
