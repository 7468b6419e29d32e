"""Put the extra documents of a CloudWatch record back into the delivery stream.

PutRecordBatch takes at most 500 records and 4 MiB per call. Throttling, service errors and
per-record failures are retried with exponential backoff and full jitter until the invocation's
time runs short; what still failed is reported by owner (the input record's index) so that
record can be answered `ProcessingFailed` and nothing is lost."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, Protocol

from botocore.exceptions import BotoCoreError, ClientError

MAX_BATCH_RECORDS: Final = 500
MAX_BATCH_BYTES: Final = 4 * 1024 * 1024 - 64 * 1024  # under 4 MiB, with room for the envelope
BACKOFF_BASE_SECONDS: Final = 0.1
BACKOFF_CAP_SECONDS: Final = 5.0
PERMANENT_ERRORS: Final = frozenset(
    {
        "ResourceNotFoundException",
        "InvalidArgumentException",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidKMSResourceException",
        "InvalidSourceException",
        "ValidationException",
    }
)


class FirehoseClient(Protocol):
    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]: ...


class Item(NamedTuple):
    owner: int  # index of the input record the document belongs to
    data: bytes


@dataclass
class Outcome:
    sent: int = 0
    retries: int = 0
    calls: int = 0
    failed_owners: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def batches(items: Sequence[Item]) -> list[list[Item]]:
    """Consecutive batches within the PutRecordBatch limits."""
    result: list[list[Item]] = []
    current: list[Item] = []
    size = 0
    for item in items:
        if current and (
            len(current) == MAX_BATCH_RECORDS or size + len(item.data) > MAX_BATCH_BYTES
        ):
            result.append(current)
            current, size = [], 0
        current.append(item)
        size += len(item.data)
    if current:
        result.append(current)
    return result


class Reingester:
    """Sends items to one stream; `remaining_seconds` and `sleep` are injected for tests."""

    def __init__(
        self,
        client: FirehoseClient,
        stream_name: str,
        remaining_seconds: Callable[[], float],
        sleep: Callable[[float], None],
        jitter: Callable[[], float] = random.random,
        reserve_seconds: float = 5.0,
    ) -> None:
        self._client = client
        self._stream = stream_name
        self._remaining = remaining_seconds
        self._sleep = sleep
        self._jitter = jitter
        self._reserve = reserve_seconds

    def send(self, items: Sequence[Item]) -> Outcome:
        outcome = Outcome()
        pending = list(items)
        attempt = 0
        while pending:
            retry: list[Item] = []
            for batch in batches(pending):
                retry.extend(self._put(batch, outcome))
            if not retry:
                break
            attempt += 1
            delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt) * self._jitter()
            if self._remaining() - delay < self._reserve:
                outcome.failed_owners.update(item.owner for item in retry)
                outcome.errors.append(
                    f"{len(retry)} documents not re-ingested after {attempt} attempts: time ran out"
                )
                break
            outcome.retries += len(retry)
            self._sleep(delay)
            pending = retry
        return outcome

    def _put(self, batch: list[Item], outcome: Outcome) -> list[Item]:
        """Send one batch; return the items to retry. Permanent errors fail their owners."""
        outcome.calls += 1
        try:
            response = self._client.put_record_batch(
                DeliveryStreamName=self._stream, Records=[{"Data": item.data} for item in batch]
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
            if code in PERMANENT_ERRORS:
                outcome.failed_owners.update(item.owner for item in batch)
                outcome.errors.append(f"PutRecordBatch failed permanently: {code}: {exc}")
                return []
            return batch
        except BotoCoreError:
            return batch
        return self._failed_items(batch, response, outcome)

    @staticmethod
    def _failed_items(batch: list[Item], response: dict[str, Any], outcome: Outcome) -> list[Item]:
        if not response.get("FailedPutCount"):
            outcome.sent += len(batch)
            return []
        answers = response.get("RequestResponses") or []
        if len(answers) != len(batch):  # cannot tell which failed: retry them all
            return batch
        retry = [
            item for item, answer in zip(batch, answers, strict=True) if answer.get("ErrorCode")
        ]
        outcome.sent += len(batch) - len(retry)
        return retry
