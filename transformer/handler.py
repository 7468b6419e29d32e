"""Firehose data-transformation Lambda: CloudWatch Logs subscription records in, one OpenSearch
document per log event out (one inline per record, the others re-ingested into the stream).

`handler` is the Lambda entry point; `process` is the same with its collaborators injected."""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Final, NamedTuple

from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS, LOOKUP_TIMEOUTS, make_client
from lambda_shared.firehose_http import FirehoseHttpClient
from lambda_shared.firehose_put import FirehoseClient
from transformer import passthrough
from transformer.answer import final_answer
from transformer.architecture_map import ArchitectureMap
from transformer.budget import (
    HELD_DOCUMENTS_MAX_BYTES,
    RESPONSE_BUDGET_BYTES,
    b64_length,
    beyond_budget,
)
from transformer.cost import ArchitectureSource, defaulted_count
from transformer.jsonlib import Codec, default_codec
from transformer.records import Context, transform_record
from transformer.redaction import redaction_counts
from transformer.reduction import Reduction
from transformer.reingest import Outcome, Routes, Spool
from transformer.settings import Settings
from transformer.summary import Summary, only_pipeline_records, summary_record
from transformer.trace_ids import RequestTraces
from transformer.types import Answer, Transformed

LOCAL_TIME_BUDGET_SECONDS: Final = 300.0
# PutRecordBatch calls in flight at once in the Lambda (a flush of 16 MiB of held documents is
# four full calls); `process` makes one at a time unless told otherwise.
REINGEST_CONCURRENCY: Final = 4


class InvalidEventError(ValueError):
    """The invocation is not a Firehose data-transformation event."""


def stream_name(stream_arn: str) -> str:
    """arn:aws:firehose:<region>:<account>:deliverystream/<name> → <name>."""
    _, _, name = stream_arn.partition(":deliverystream/")
    return name


def _region_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def _remaining_seconds(context: Any, started: float) -> Callable[[], float]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        return lambda: float(remaining()) / 1000.0
    return lambda: LOCAL_TIME_BUDGET_SECONDS - (time.monotonic() - started)


def _write_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _transform_all(
    records: list[Any], ctx: Context, summary: Summary, spool: Spool
) -> tuple[list[Transformed], frozenset[int]]:
    """Every record transformed, in order, its documents but the first handed to `spool` as
    they are made; and the records whose first document went too (see `_hold`)."""
    transformed: list[Transformed] = []
    seen: set[str] = set()
    inline = _Inline()
    for record in records:
        if not isinstance(record, dict) or "recordId" not in record:
            summary.errors.append("a record without recordId cannot be answered; skipped")
            continue
        record_id = str(record["recordId"])
        if record_id in seen:
            summary.errors.append(f"recordId {record_id} appears twice; answered once")
            continue
        seen.add(record_id)
        index = len(transformed)
        try:
            done = transform_record(record, ctx, partial(spool.hold, index), index)
        except Exception as exc:
            summary.record_errors += 1
            summary.errors.append(f"record {record_id}: {type(exc).__name__}: {exc}")
            data = record.get("data")
            original = data if isinstance(data, str) else ""
            done = Transformed(record_id, original, "failed")
        transformed.append(_hold(index, done, spool, inline))
    return transformed, frozenset(inline.moved)


@dataclass
class _Inline:
    """The first documents kept for the response so far, and the records whose first went."""

    bytes: int = 0
    moved: set[int] = field(default_factory=set)


def _hold(index: int, record: Transformed, spool: Spool, inline: _Inline) -> Transformed:
    """`record` with only its first document left; the others are in `spool`. When the first
    documents kept would exceed the response budget on their own, this one goes too (the
    record is answered without it), so what a batch holds never grows with its input."""
    if record.kind != "documents" or not record.documents:
        return record
    first, rest = record.documents[0], record.documents[1:]
    spool.hold(index, rest)
    size = b64_length(len(first))
    if inline.bytes + size > RESPONSE_BUDGET_BYTES:
        spool.hold(index, [first])
        inline.moved.add(index)
        return replace(record, documents=[], spilled=record.spilled + len(rest) + 1)
    inline.bytes += size
    return replace(record, documents=[first], spilled=record.spilled + len(rest))


def _response_budget(
    records: list[Transformed], early: frozenset[int], budget: int
) -> frozenset[int]:
    """The records whose first document leaves the response: those already sent, and those
    the response budget moves (beyond_budget, seeing the first as non-inline)."""
    if not early:
        return beyond_budget(records, budget)
    view = [replace(r, kind="dropped") if i in early else r for i, r in enumerate(records)]
    return early | beyond_budget(view, budget)


def _count(
    records: list[Transformed], answers: list[Answer], outcome: Outcome, summary: Summary
) -> None:
    for record, answer in zip(records, answers, strict=True):
        if answer.result == "Ok":
            summary.records_ok += 1
        elif answer.result == "Dropped":
            summary.records_dropped += 1
            summary.pipeline_dropped += record.pipeline
        else:
            summary.records_failed += 1
            if record.reason:
                summary.errors.append(f"record {record.record_id}: {record.reason}")
        if answer.result != "ProcessingFailed":
            summary.documents += len(record.documents) + record.spilled
        summary.passthrough += record.kind == "passthrough"
        summary.truncated += record.truncated
        summary.parser_errors += record.parser_errors
    outcome.tally(summary)


class _Limits(NamedTuple):
    held_bytes: int
    concurrency: int
    traces: RequestTraces


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A batch allocates several small dicts per log event and makes no reference cycles; left
    on, the cyclic collector would walk the growing heap again and again (up to a fifth of the
    time of a 1 MB batch). It is switched back on, as it was, when the batch is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def process(
    event: dict[str, Any],
    context: Any,
    *,
    firehose: FirehoseClient,
    architectures: ArchitectureSource,
    settings: Settings,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = _write_line,
    codec: Codec | None = None,
    held_max_bytes: int = HELD_DOCUMENTS_MAX_BYTES,
    concurrency: int = 1,
    traces: RequestTraces | None = None,
) -> dict[str, list[dict[str, str]]]:
    """Transform one Firehose batch; see the module docstring. `codec` defaults to orjson when
    it is importable, the standard library otherwise; `held_max_bytes`: the documents held
    before they are re-ingested (tests lower it); `concurrency`: PutRecordBatch calls in flight
    (`firehose` must then be thread-safe); `traces`: the request ids' trace ids remembered from
    earlier batches (transformer/trace_ids.py), none by default."""
    limits = _Limits(held_max_bytes, concurrency, traces or RequestTraces())
    with _cyclic_gc_paused():
        return _process(
            event, context, firehose, architectures, settings, sleep, log, codec, limits
        )


def _count_lookups(summary: Summary, settings: Settings, architectures: ArchitectureSource) -> None:
    """What the batch's redaction rules replaced, and the functions priced at the default."""
    summary.redactions = redaction_counts(settings.redactor)
    summary.architecture_defaulted = defaulted_count(architectures)


def _process(
    event: dict[str, Any],
    context: Any,
    firehose: FirehoseClient,
    architectures: ArchitectureSource,
    settings: Settings,
    sleep: Callable[[float], None],
    log: Callable[[str], None],
    codec: Codec | None,
    limits: _Limits,
) -> dict[str, list[dict[str, str]]]:
    started = time.monotonic()
    settings = settings.for_batch()  # redaction: this batch's counts (transformer/redaction.py)
    records = _records_of(event)
    stream_arn = str(event.get("deliveryStreamArn") or "")
    stream = stream_name(stream_arn)
    codec = codec or default_codec()
    region = settings.region or str(event.get("region") or "") or _region_of(stream_arn)
    fallback_ms = int(time.time() * 1000)
    routes = Routes(settings.delivery_stream_names, stream)
    remaining = _remaining_seconds(context, started)
    spool = Spool.to_streams(
        firehose, routes, remaining, sleep, limits.concurrency, limits.held_bytes
    )
    reduction = Reduction(settings, codec, fallback_ms, routes)
    ctx = Context(
        settings,
        codec,
        architectures,
        region,
        fallback_ms,
        limits.held_bytes,
        reduction.begin,
        limits.traces,
    )
    summary = Summary(records_in=len(records))
    passing = passthrough.split(records)  # our own documents coming back: answered at once
    transformed, early = _transform_all(passing.rest, ctx, summary, spool)
    reduction.finish(transformed, spool)
    moved = _response_budget(transformed, early, RESPONSE_BUDGET_BYTES - passing.budget_bytes)
    for index in moved - early:
        spool.hold(index, transformed[index].documents[:1])
    spool.flush()
    outcome = spool.outcome
    failed = reduction.failures(outcome.failed_owners, transformed)
    reduction.tally(summary)
    answers = [
        final_answer(record, inline=index not in moved, reingest_failed=index in failed)
        for index, record in enumerate(transformed)
    ]
    _count(transformed, answers, outcome, summary)
    _count_lookups(summary, settings, architectures)
    passing.count(summary)
    entries = [answer.entry() for answer in answers]
    response = {"records": passing.merged(entries)}
    summary.response_bytes = passing.response_bytes(len(codec.dumps({"records": entries})))
    summary.duration_ms = round((time.monotonic() - started) * 1000.0, 3)
    if not only_pipeline_records(summary):
        _log_summary(summary, stream, str(event.get("invocationId", "")), settings, codec, log)
    return response


def _records_of(event: Any) -> list[Any]:
    records = event.get("records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise InvalidEventError(
            "the event has no 'records' list: invoke this function as a Firehose "
            "data-transformation processor"
        )
    return records


def _log_summary(
    summary: Summary,
    stream: str,
    invocation_id: str,
    settings: Settings,
    codec: Codec,
    log: Callable[[str], None],
) -> None:
    """The batch's one summary line (EMF: the transformer's metrics)."""
    now_ms = int(time.time() * 1000)
    record = summary_record(summary, stream, invocation_id, settings.metrics_namespace, now_ms)
    log(codec.dumps(record).decode("utf-8"))


def _lean_firehose(region: str) -> FirehoseClient:
    """The lean PutRecordBatch client (lambda_shared.firehose_http): a fifth of boto3's CPU per
    re-ingested document (`python -m bench`)."""
    return FirehoseHttpClient.for_region(region, FIREHOSE_TIMEOUTS)


def _boto3_firehose(region: str) -> FirehoseClient:
    client: FirehoseClient = make_client("firehose", region, FIREHOSE_TIMEOUTS)
    return client


class _LazyFirehose:
    """Creates the client at the first call: no cost for batches with nothing to re-ingest.
    The lean client when it can be built, else boto3's (same calls, answers and errors, so
    RecordPutter's retries and deadline checks treat both alike). Thread-safe, as both are."""

    def __init__(
        self,
        region: str,
        factories: tuple[Callable[[str], FirehoseClient], ...] = (),
    ) -> None:
        self._region = region
        self._factories = factories
        self._client: FirehoseClient | None = None
        self._lock = threading.Lock()
        self.kind = ""
        """Which client was built: the factory's name (for tests and the summary)."""

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        return self._built().put_record_batch(**kwargs)

    def _built(self) -> FirehoseClient:
        with self._lock:
            if self._client is None:
                self._client = self._build()
            return self._client

    def _build(self) -> FirehoseClient:
        *preferred, last = self._factories or (_lean_firehose, _boto3_firehose)
        for factory in preferred:
            try:
                client = factory(self._region)
            except Exception as exc:  # any failure falls back to boto3's client
                why = (
                    f"lean Firehose client unavailable, using boto3's: {type(exc).__name__}: {exc}"
                )
                _write_line(json.dumps({"level": "WARN", "message": why}))
                continue
            self.kind = factory.__name__
            return client
        self.kind = last.__name__
        return last(self._region)


_CONTAINER: dict[str, Any] = {}  # clients and caches that live as long as the container


def _log_line(level: str, message: str) -> None:
    _write_line(json.dumps({"level": level, "message": message}))


def _architectures(settings: Settings, region: str) -> ArchitectureSource:
    """The subscribers' architecture maps in ARCHITECTURE_BUCKET (transformer/architecture_map.py);
    the transformer has no Lambda permission."""
    bucket = settings.architecture_bucket
    key = f"architectures:{region}:{bucket}:{settings.default_architecture}"
    found: ArchitectureSource | None = _CONTAINER.get(key)
    if found is None:
        found = ArchitectureMap(
            lambda: make_client("s3", region, LOOKUP_TIMEOUTS),
            bucket,
            settings.default_architecture,
            log=_log_line,
        )
        _CONTAINER[key] = found
    return found


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Lambda entry point (Firehose data-transformation contract)."""
    settings = Settings.from_env(os.environ)
    stream_arn = str(event.get("deliveryStreamArn") or "") if isinstance(event, dict) else ""
    region = settings.region or _region_of(stream_arn)  # settings.region: CLOUD_REGION, AWS_REGION
    key = f"firehose:{region}"
    firehose = _CONTAINER.setdefault(key, _LazyFirehose(region))
    return process(
        event,
        context,
        firehose=firehose,
        architectures=_architectures(settings, region),
        settings=settings,
        concurrency=REINGEST_CONCURRENCY,
        traces=_CONTAINER.setdefault("request-traces", RequestTraces()),
    )
