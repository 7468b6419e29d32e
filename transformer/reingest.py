"""Put the extra documents of a CloudWatch record back into the delivery stream.

The sending is `lambda_shared.firehose_put` (PutRecordBatch within its limits; throttling and
per-record failures retried with full-jitter backoff). Here: the transformer's time rule and
what a failure costs. No call starts unless one call's worst case (connect + read timeout)
still fits before the invocation's deadline, so the function never runs past its timeout
because of a slow Firehose; what could not be sent is reported by owner (the input record's
index), so that record is answered `ProcessingFailed` and nothing is lost.

With several streams, a stream other than the batch's own that refuses the call because it is
not there (yet) or not allowed (yet) — `REROUTED_ERRORS` — gets no more calls in the invocation,
and its documents go to the batch's own stream instead (`Spool`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS
from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_put import FirehoseClient, RecordPutter
from lambda_shared.routing import route
from transformer.summary import Summary

BACKOFF_BASE_SECONDS: Final = 0.1
BACKOFF_CAP_SECONDS: Final = 5.0
# A call may start only while its worst case (one attempt: connect + read timeout) plus this
# margin for answering Firehose is left: 23 s + 2 s.
RESERVE_SECONDS: Final = FIREHOSE_TIMEOUTS.worst_case + 2.0
REROUTED_ERRORS: Final = frozenset(
    {"ResourceNotFoundException", "AccessDeniedException", "ResourceInUseException"}
)
"""A routed stream's refusals whose documents go to the batch's own stream instead of failing.
On `deliveryStreams` N → N + 1 Pulumi updates the transformer (DELIVERY_STREAM_NAMES names the
new stream) before it creates that stream, which needs the transformer's ARN as its processor.
Until it exists PutRecordBatch answers ResourceNotFoundException ("The specified resource could
not be found"). The role's policy naming it follows the stream, and IAM is eventually
consistent ("Any change that you make in IAM ... takes time to become visible from all possible
endpoints", IAM User Guide): AccessDeniedException. ResourceInUseException ("The resource is
already in use and not available for this operation") is not among PutRecordBatch's documented
errors: taken in case a stream still CREATING answers so (else it is retried until the
deadline). The batch's own stream exists (it invoked the transformer) and is allowed (the same
policy, in effect since that stream was made); every stream delivers to the same indices, so
nothing is lost or misplaced: the new stream's share travels through the old ones a while. The
own stream's refusals stay what they were (`firehose_put.PERMANENT_ERRORS`: the record fails)."""


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
    rerouted: int = 0
    """Documents a routed stream refused, sent to the batch's own stream instead."""
    warnings: list[str] = field(default_factory=list)

    def tally(self, summary: Summary) -> None:
        summary.reingested = self.sent
        summary.reingest_retries = self.retries
        summary.reingest_calls = self.calls
        summary.rerouted = self.rerouted
        summary.errors.extend(self.errors)
        summary.warnings.extend(self.warnings)


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
        hand_off: frozenset[str] = frozenset(),
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
            hand_off=hand_off,
        )

    def send(self, pending: Pending) -> Sent:
        put = self._putter.put(pending.documents)
        failed_owners = {pending.owners[index] for index in put.failed}
        outcome = Outcome(put.sent, put.retried_records, put.calls, failed_owners, put.errors)
        handed_off = Pending(
            [pending.documents[index] for index in put.handed_off],
            [pending.owners[index] for index in put.handed_off],
        )
        return Sent(outcome, handed_off, put.handed_off_codes)


class Sent(NamedTuple):
    """What one `Reingester.send` did: its outcome, and the documents the stream refused with
    one of its `hand_off` codes (neither sent nor failed), with those codes."""

    outcome: Outcome
    handed_off: Pending
    refusals: set[str]


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


Reingesters = Callable[[str, frozenset[str]], Reingester]
"""The stream's name and the refusals to hand back → its Reingester (one per stream, each with
its own calls and deadline checks)."""


class Spool:
    """Documents waiting for re-ingestion, by stream, sent as soon as they exceed `max_bytes`
    together (and at `flush`), so a batch never holds more than about that much of them; what
    could not be sent is in `outcome.failed_owners`. `reingesters` is None when there is no
    stream to send to (every document held fails). A routed stream that refuses with one of
    `REROUTED_ERRORS` is sent nothing more in the invocation: its documents go to the batch's
    own stream (`routes.default`), counted in `outcome.rerouted`, with one warning per stream."""

    def __init__(self, reingesters: Reingesters | None, routes: Routes, max_bytes: int) -> None:
        self._reingesters = reingesters
        self._made: dict[str, Reingester] = {}
        self._routes = routes
        self._max_bytes = max_bytes
        self._pending: dict[str, Pending] = {}
        self._bytes = 0
        self._refused: set[str] = set()
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

        def reingester(stream: str, hand_off: frozenset[str]) -> Reingester:
            return Reingester(
                client,
                stream,
                remaining_seconds,
                sleep,
                concurrency=concurrency,
                hand_off=hand_off,
            )

        return cls(reingester, routes, max_bytes)

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
        own = self._routes.default
        if stream in self._refused:
            self._reroute(pending)
            return
        reingester = self._made.get(stream)
        if reingester is None:
            hand_off = REROUTED_ERRORS if stream != own else frozenset()
            reingester = self._made[stream] = self._reingesters(stream, hand_off)
        sent, handed_off, refusals = reingester.send(pending)
        outcome.sent += sent.sent
        outcome.retries += sent.retries
        outcome.calls += sent.calls
        outcome.failed_owners.update(sent.failed_owners)
        named = self._routes.routed  # with several streams, an error names its stream
        outcome.errors.extend(f"{stream}: {error}" if named else error for error in sent.errors)
        if handed_off.documents:
            self._refused.add(stream)
            outcome.warnings.append(
                f"{stream} refused PutRecordBatch ({', '.join(sorted(refusals))}): its "
                f"documents go to {own}, the batch's own stream, for the rest of the "
                "invocation (a stream not created yet or not allowed yet: a scale-out under way?)"
            )
            self._reroute(handed_off)

    def _reroute(self, pending: Pending) -> None:
        """A refused stream's documents, sent to the batch's own stream."""
        self.outcome.rerouted += len(pending.documents)
        self._send(self._routes.default, pending)
