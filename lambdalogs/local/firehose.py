"""Run CloudWatch log events through the real transformer exactly as Firehose would, locally.

Firehose invokes the transformer with batches of records; the transformer answers each record
and re-ingests extra documents with PutRecordBatch; those come back in later batches and pass
through. `deliver` plays Firehose's part: batching, the loop-back of re-ingested records, and
collecting what would be delivered to OpenSearch. No AWS is involved."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from lambda_shared.cloudwatch_message import LogEventPayload, compress, data_message
from transformer.budget import b64_length
from transformer.cost import ArchitectureSource, StaticArchitectures
from transformer.handler import process
from transformer.jsonlib import Codec
from transformer.settings import Settings

DEFAULT_STREAM_ARN: Final = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/lambda-logs"
MAX_RECORDS_PER_INVOCATION: Final = 500
MAX_INVOCATION_BYTES: Final = 3 * 1024 * 1024  # Firehose's largest processor buffer: 3 MB


_ACCEPTED: Final = {"RecordId": "local"}


class LoopbackFirehose:
    """Stands in for the Firehose API: keeps the records the transformer re-ingests."""

    def __init__(self) -> None:
        self.pending: list[bytes] = []

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        records = kwargs["Records"]
        self.pending.extend([record["Data"] for record in records])
        # Every record accepted; the transformer reads the answers only when some failed.
        answers = [_ACCEPTED] * len(records)
        return {"FailedPutCount": 0, "Encrypted": False, "RequestResponses": answers}

    def take(self) -> list[bytes]:
        taken, self.pending = self.pending, []
        return taken


@dataclass
class Delivery:
    """What Firehose would have delivered to OpenSearch, and what it would not."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0
    failed: list[bytes] = field(default_factory=list)
    invocations: int = 0
    reingested: int = 0
    reingested_bytes: int = 0
    """The bytes of the documents the transformer re-ingested (Direct PUT again)."""


def subscription_record(
    log_group: str,
    log_stream: str,
    owner: str,
    events: Sequence[dict[str, Any]],
    filter_name: str = "lambda-logs",
) -> bytes:
    """The gzip of a CloudWatch Logs subscription message, as CloudWatch sends it to Firehose
    (`events` are passed as they are, so tests can send malformed ones too)."""
    payloads = cast("list[LogEventPayload]", list(events))
    return compress(data_message(owner, log_group, log_stream, [filter_name], payloads))


def firehose_event(records: Sequence[bytes], stream_arn: str, first_id: int = 0) -> dict[str, Any]:
    """A Firehose data-transformation event carrying `records`."""
    now = int(time.time() * 1000)
    region = stream_arn.split(":")[3] if stream_arn.count(":") >= 5 else ""
    return {
        "invocationId": f"local-{first_id}",
        "deliveryStreamArn": stream_arn,
        "region": region,
        "records": [
            {
                "recordId": f"{first_id + i:020d}",
                "approximateArrivalTimestamp": now,
                "data": base64.b64encode(data).decode("ascii"),
            }
            for i, data in enumerate(records)
        ],
    }


def _invocations(records: list[bytes]) -> Iterable[list[bytes]]:
    batch: list[bytes] = []
    size = 0
    for data in records:
        encoded = b64_length(len(data))
        if batch and (
            len(batch) >= MAX_RECORDS_PER_INVOCATION or size + encoded > MAX_INVOCATION_BYTES
        ):
            yield batch
            batch, size = [], 0
        batch.append(data)
        size += encoded
    if batch:
        yield batch


class _Context:
    """The Lambda context's one method the transformer reads."""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


def deliver(
    records: Iterable[bytes],
    *,
    settings: Settings | None = None,
    architectures: ArchitectureSource | None = None,
    stream_arn: str = DEFAULT_STREAM_ARN,
    quiet: bool = True,
    codec: Codec | None = None,
) -> Delivery:
    """Run raw Firehose records (gzip CloudWatch messages, or documents) through the transformer
    until every re-ingested document has come back; return what OpenSearch would receive."""
    settings = settings or Settings()  # the region comes from the event, as in AWS
    architectures = architectures or StaticArchitectures(settings.default_architecture)
    firehose = LoopbackFirehose()
    delivery = Delivery()
    queue = list(records)
    next_id = 0
    while queue:
        for batch in _invocations(queue):
            event = firehose_event(batch, stream_arn, next_id)
            next_id += len(batch)
            response = process(
                event,
                _Context(),
                firehose=firehose,
                architectures=architectures,
                settings=settings,
                log=(lambda _line: None) if quiet else print,
                codec=codec,
            )
            delivery.invocations += 1
            _collect(event, response, delivery)
        queue = firehose.take()
        delivery.reingested += len(queue)
        delivery.reingested_bytes += sum(map(len, queue))
    return delivery


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate field {key!r}: OpenSearch would reject this document")
        found[key] = value
    return found


def opensearch_document(data: bytes) -> dict[str, Any]:
    """Parse a document as OpenSearch would: a JSON object without duplicate field names
    (OpenSearch's parser rejects them, and the document with them)."""
    document = json.loads(data, object_pairs_hook=_unique_keys)
    if not isinstance(document, dict):
        raise ValueError("a document must be a JSON object")
    return document


def _collect(event: dict[str, Any], response: dict[str, Any], delivery: Delivery) -> None:
    originals = {record["recordId"]: record["data"] for record in event["records"]}
    for answer in response["records"]:
        if answer["result"] == "Ok":
            delivery.documents.append(opensearch_document(base64.b64decode(answer["data"])))
        elif answer["result"] == "Dropped":
            delivery.dropped += 1
        else:
            delivery.failed.append(base64.b64decode(originals[answer["recordId"]]))
