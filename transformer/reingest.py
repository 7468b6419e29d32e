"""Put the extra documents of a CloudWatch record back into the delivery stream.

PutRecordBatch takes at most 500 records and 4 MiB per call. Throttling, service errors and
per-record failures are retried with exponential backoff and full jitter until the invocation's
time runs short; what still failed is reported by owner (the input record's index) so that
record can be answered `ProcessingFailed` and nothing is lost."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
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


class Pending(NamedTuple):
    """Documents to send, each with its owner: the index of the input record it belongs to."""

    documents: list[bytes]
    owners: list[int]


@dataclass
class Outcome:
    sent: int = 0
    retries: int = 0
    calls: int = 0
    failed_owners: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def batch_bounds(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """(start, end) of consecutive batches within the PutRecordBatch limits.

    Found by bisecting the running total of the sizes, so the per-document work stays in C."""
    totals = list(accumulate(sizes))
    bounds: list[tuple[int, int]] = []
    start, before = 0, 0
    while start < len(totals):
        last = min(len(totals), start + MAX_BATCH_RECORDS)
        end = max(start + 1, bisect_right(totals, before + MAX_BATCH_BYTES, start, last))
        bounds.append((start, end))
        before, start = totals[end - 1], end
    return bounds


class Reingester:
    """Sends pending documents to one stream; `remaining_seconds` and `sleep` are injected for
    tests."""

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

    def send(self, pending: Pending) -> Outcome:
        outcome = Outcome()
        attempt = 0
        while pending.documents:
            retry = Pending([], [])
            for start, end in batch_bounds([len(document) for document in pending.documents]):
                batch = Pending(pending.documents[start:end], pending.owners[start:end])
                failed = self._put(batch, outcome)
                retry.documents.extend(failed.documents)
                retry.owners.extend(failed.owners)
            if not retry.documents:
                break
            attempt += 1
            delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt) * self._jitter()
            if self._remaining() - delay < self._reserve:
                outcome.failed_owners.update(retry.owners)
                outcome.errors.append(
                    f"{len(retry.documents)} documents not re-ingested after {attempt} attempts: "
                    "time ran out"
                )
                break
            outcome.retries += len(retry.documents)
            self._sleep(delay)
            pending = retry
        return outcome

    def _put(self, batch: Pending, outcome: Outcome) -> Pending:
        """Send one batch; return what to retry. Permanent errors fail their owners."""
        outcome.calls += 1
        try:
            response = self._client.put_record_batch(
                DeliveryStreamName=self._stream,
                Records=[{"Data": document} for document in batch.documents],
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
            if code in PERMANENT_ERRORS:
                outcome.failed_owners.update(batch.owners)
                outcome.errors.append(f"PutRecordBatch failed permanently: {code}: {exc}")
                return Pending([], [])
            return batch
        except BotoCoreError:
            return batch
        return self._failed(batch, response, outcome)

    @staticmethod
    def _failed(batch: Pending, response: dict[str, Any], outcome: Outcome) -> Pending:
        if not response.get("FailedPutCount"):
            outcome.sent += len(batch.documents)
            return Pending([], [])
        answers = response.get("RequestResponses") or []
        if len(answers) != len(batch.documents):  # cannot tell which failed: retry them all
            return batch
        failed = [i for i, answer in enumerate(answers) if answer.get("ErrorCode")]
        outcome.sent += len(batch.documents) - len(failed)
        return Pending([batch.documents[i] for i in failed], [batch.owners[i] for i in failed])
