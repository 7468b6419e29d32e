"""Builders and fakes shared by the transformer tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from lambdalogs.local.firehose import (
    LoopbackFirehose,
    firehose_event,
    opensearch_document,
    subscription_record,
)
from transformer.budget import HELD_DOCUMENTS_MAX_BYTES
from transformer.cost import StaticArchitectures
from transformer.handler import process
from transformer.settings import Settings
from transformer.trace_ids import RequestTraces

STREAM_ARN = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/lambda-logs"
GROUP = "/aws/lambda/orders-api"
STREAM = "2026/11/20/[$LATEST]ec964d3d4496eba592913bcbacbb07b7"
OWNER = "123456789012"


def events(
    count: int, start_ms: int = 1_795_169_647_000, text: str = "line {i}"
) -> list[dict[str, Any]]:
    return [
        {"id": f"{start_ms + i:056d}", "timestamp": start_ms + i, "message": text.format(i=i)}
        for i in range(count)
    ]


def cw_record(evts: Sequence[dict[str, Any]], group: str = GROUP, stream: str = STREAM) -> bytes:
    return subscription_record(group, stream, OWNER, evts)


@dataclass
class Context:
    remaining_ms: int = 300_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Run:
    response: dict[str, Any]
    logs: list[str]

    def by_id(self) -> dict[str, dict[str, str]]:
        return {r["recordId"]: r for r in self.response["records"]}

    def documents(self) -> list[dict[str, Any]]:
        return [
            opensearch_document(base64.b64decode(r["data"]))
            for r in self.response["records"]
            if r["result"] == "Ok"
        ]

    def summary(self) -> dict[str, Any]:
        assert len(self.logs) == 1, "exactly one summary line per invocation"
        result: dict[str, Any] = json.loads(self.logs[0])
        return result


def run(
    records: Sequence[bytes],
    firehose: Any = None,
    settings: Settings | None = None,
    context: Any = None,
    sleep: Callable[[float], None] = lambda _s: None,
    architectures: Any = None,
    held_max_bytes: int = HELD_DOCUMENTS_MAX_BYTES,
    traces: RequestTraces | None = None,
) -> Run:
    logs: list[str] = []
    response = process(
        firehose_event(records, STREAM_ARN),
        context or Context(),
        firehose=firehose if firehose is not None else LoopbackFirehose(),
        architectures=architectures or StaticArchitectures("x86_64"),
        settings=settings or Settings(region="eu-west-1"),
        sleep=sleep,
        log=logs.append,
        held_max_bytes=held_max_bytes,
        traces=traces,
    )
    return Run(response, logs)


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "PutRecordBatch")


@dataclass
class FlakyFirehose(LoopbackFirehose):
    """Fails as scripted, then behaves: `plan` is consumed one entry per call.

    An entry is an error code (the whole call raises it), or an int N (the first N records of the
    call are answered with ErrorCode ServiceUnavailableException), or None (success)."""

    plan: list[str | int | None] = field(default_factory=list)
    call_sizes: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        records = kwargs["Records"]
        self.call_sizes.append((len(records), sum(len(r["Data"]) for r in records)))
        step = self.plan.pop(0) if self.plan else None
        if isinstance(step, str):
            raise client_error(step)
        failing = step or 0
        answers: list[dict[str, Any]] = []
        for index, record in enumerate(records):
            if index < failing:
                answers.append({"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "slow"})
            else:
                self.pending.append(bytes(record["Data"]))
                answers.append({"RecordId": f"r{len(self.pending)}"})
        return {"FailedPutCount": min(failing, len(records)), "RequestResponses": answers}
