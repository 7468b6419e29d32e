"""The transformer as the benchmark runs it: `process` on a request, re-ingesting into an
in-memory stream or through a real client, as the Lambda handler calls it."""

from __future__ import annotations

import json
from typing import Any

from lambda_shared.firehose_put import FirehoseClient
from lambdalogs.local.firehose import LoopbackFirehose
from transformer import jsonlib
from transformer.cost import StaticArchitectures
from transformer.handler import REINGEST_CONCURRENCY, process
from transformer.settings import Settings


class _Context:
    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


def handle(
    event: dict[str, Any],
    firehose: FirehoseClient,
    codec: jsonlib.Codec | None = None,
    concurrency: int = REINGEST_CONCURRENCY,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """`process` on `event` re-ingesting through `firehose`, `concurrency` calls in flight (as
    the Lambda handler does); its summary line. `settings`: the bench's (no folding) unless
    given."""
    logs: list[str] = []
    process(
        event,
        _Context(),
        firehose=firehose,
        architectures=StaticArchitectures("arm64"),
        settings=settings or Settings(region="eu-west-1"),
        log=logs.append,
        codec=codec,
        concurrency=concurrency,
    )
    summary: dict[str, Any] = json.loads(logs[0]) if logs else {}
    return summary


def in_memory(
    event: dict[str, Any], codec: jsonlib.Codec | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """`process` with re-ingestion into an in-memory stream (no network)."""
    return handle(event, LoopbackFirehose(), codec, concurrency=1, settings=settings)


def reingested(event: dict[str, Any], settings: Settings | None = None) -> list[bytes]:
    """The documents `process` re-ingests for `event`."""
    stream = LoopbackFirehose()
    handle(event, stream, concurrency=1, settings=settings)
    return stream.take()
