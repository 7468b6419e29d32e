"""Put the extra documents of a CloudWatch record back into the delivery stream.

The sending is `lambda_shared.firehose_put` (PutRecordBatch within its limits; throttling and
per-record failures retried with full-jitter backoff). Here: the transformer's time rule and
what a failure costs. No call starts unless one call's worst case (connect + read timeout)
still fits before the invocation's deadline, so the function never runs past its timeout
because of a slow Firehose; what could not be sent is reported by owner (the input record's
index), so that record is answered `ProcessingFailed` and nothing is lost."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS
from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_put import FirehoseClient, RecordPutter

BACKOFF_BASE_SECONDS: Final = 0.1
BACKOFF_CAP_SECONDS: Final = 5.0
# A call may start only while its worst case (one attempt: connect + read timeout) plus this
# margin for answering Firehose is left: 23 s + 2 s.
RESERVE_SECONDS: Final = FIREHOSE_TIMEOUTS.worst_case + 2.0


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


class Reingester:
    """Sends pending documents to one stream, `concurrency` calls in flight at once (the
    deadline is checked as each call would start); `remaining_seconds` and `sleep` are
    injected for tests."""

    def __init__(
        self,
        client: FirehoseClient,
        stream_name: str,
        remaining_seconds: Callable[[], float],
        sleep: Callable[[float], None],
        jitter: Callable[[], float] = random.random,
        reserve_seconds: float = RESERVE_SECONDS,
        concurrency: int = 1,
    ) -> None:
        policy = RetryPolicy(
            max_attempts=None,  # bounded by the deadline
            base_seconds=BACKOFF_BASE_SECONDS,
            cap_seconds=BACKOFF_CAP_SECONDS,
            sleep=sleep,
            jitter=jitter,
        )
        self._putter = RecordPutter(
            client,
            stream_name,
            policy,
            time_left=lambda wait: remaining_seconds() - wait >= reserve_seconds,
            concurrency=concurrency,
        )

    def send(self, pending: Pending) -> Outcome:
        put = self._putter.put(pending.documents)
        failed_owners = {pending.owners[index] for index in put.failed}
        return Outcome(put.sent, put.retried_records, put.calls, failed_owners, put.errors)


class Spool:
    """Documents waiting for re-ingestion, sent as soon as they exceed `max_bytes` (and at
    `flush`), so a batch never holds more than about that much of them; what could not be
    sent is in `outcome.failed_owners`."""

    def __init__(self, reingester: Reingester | None, stream: str, max_bytes: int) -> None:
        self._reingester = reingester
        self._stream = stream
        self._max_bytes = max_bytes
        self._pending = Pending([], [])
        self._bytes = 0
        self.outcome = Outcome()

    def hold(self, owner: int, documents: Sequence[bytes]) -> None:
        if not documents:
            return
        self._pending.documents.extend(documents)
        self._pending.owners.extend([owner] * len(documents))
        self._bytes += sum(map(len, documents))
        if self._bytes > self._max_bytes:
            self.flush()

    def flush(self) -> None:
        pending, self._pending, self._bytes = self._pending, Pending([], []), 0
        if not pending.documents:
            return
        outcome = self.outcome
        if self._reingester is None:
            if not outcome.failed_owners:
                outcome.errors.append(
                    f"deliveryStreamArn names no stream ({self._stream!r}): cannot re-ingest"
                )
            outcome.failed_owners.update(pending.owners)
            return
        sent = self._reingester.send(pending)
        outcome.sent += sent.sent
        outcome.retries += sent.retries
        outcome.calls += sent.calls
        outcome.failed_owners.update(sent.failed_owners)
        outcome.errors.extend(sent.errors)
