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
from functools import partial
from typing import Final, NamedTuple

from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS
from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_put import FirehoseClient, RecordPutter
from lambda_shared.routing import route

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


class Routes:
    """Which stream each input record's documents are re-ingested into: with `names` (the
    pipeline's DELIVERY_STREAM_NAMES), `lambda_shared.routing.route` of the record's log group,
    the stream the subscriber points that group at; without, `default`, the stream the batch
    came from."""

    def __init__(self, names: tuple[str, ...], default: str) -> None:
        self._names = names
        self.default = default
        self.routed = bool(names)
        self._owners: dict[int, str] = {}
        self._groups: dict[str, str] = {}

    def assign(self, owner: int, log_group: str) -> None:
        if not self._names:
            return
        stream = self._groups.get(log_group)
        if stream is None:
            stream = self._groups[log_group] = route(log_group, self._names)
        self._owners[owner] = stream

    def stream_of(self, owner: int) -> str:
        return self._owners.get(owner, self.default)


Reingesters = Callable[[str], Reingester]
"""The stream's name → its Reingester (one per stream, each with its own calls and deadline
checks)."""


class Spool:
    """Documents waiting for re-ingestion, by stream, sent as soon as they exceed `max_bytes`
    together (and at `flush`), so a batch never holds more than about that much of them; what
    could not be sent is in `outcome.failed_owners`. `reingesters` is None when there is no
    stream to send to (every document held fails)."""

    def __init__(self, reingesters: Reingesters | None, routes: Routes, max_bytes: int) -> None:
        self._reingesters = reingesters
        self._made: dict[str, Reingester] = {}
        self._routes = routes
        self._max_bytes = max_bytes
        self._pending: dict[str, Pending] = {}
        self._bytes = 0
        self.outcome = Outcome()

    @classmethod
    def to_streams(
        cls,
        client: FirehoseClient,
        routes: Routes,
        remaining_seconds: Callable[[], float],
        sleep: Callable[[float], None],
        concurrency: int,
        max_bytes: int,
    ) -> Spool:
        """The batch's spool, re-ingesting through `client` into the streams `routes` names
        (none when the batch names no stream)."""
        if not routes.default:
            return cls(None, routes, max_bytes)
        reingesters = partial(
            Reingester,
            client,
            remaining_seconds=remaining_seconds,
            sleep=sleep,
            concurrency=concurrency,
        )
        return cls(reingesters, routes, max_bytes)

    def hold(self, owner: int, documents: Sequence[bytes]) -> None:
        if not documents:
            return
        stream = self._routes.stream_of(owner)
        pending = self._pending.get(stream)
        if pending is None:
            pending = self._pending[stream] = Pending([], [])
        pending.documents.extend(documents)
        pending.owners.extend([owner] * len(documents))
        self._bytes += sum(map(len, documents))
        if self._bytes > self._max_bytes:
            self.flush()

    def flush(self) -> None:
        """Every stream's pending documents sent, one stream after the other."""
        pending, self._pending, self._bytes = self._pending, {}, 0
        for stream, documents in pending.items():
            self._send(stream, documents)

    def _send(self, stream: str, pending: Pending) -> None:
        outcome = self.outcome
        if self._reingesters is None or not stream:
            if not outcome.failed_owners:
                outcome.errors.append(
                    f"deliveryStreamArn names no stream ({self._routes.default!r}): cannot "
                    "re-ingest"
                )
            outcome.failed_owners.update(pending.owners)
            return
        reingester = self._made.get(stream)
        if reingester is None:
            reingester = self._made[stream] = self._reingesters(stream)
        sent = reingester.send(pending)
        outcome.sent += sent.sent
        outcome.retries += sent.retries
        outcome.calls += sent.calls
        outcome.failed_owners.update(sent.failed_owners)
        named = self._routes.routed  # with several streams, an error names its stream
        outcome.errors.extend(f"{stream}: {error}" if named else error for error in sent.errors)
