"""Put records into a Firehose stream: PutRecordBatch within its limits, partial failures and
throttling retried with full-jitter backoff, and a time check before every call.

The one implementation for the transformer's re-ingestion and the subscriber's backfill. What
could not be delivered is returned by index, so the caller decides what it costs (the
transformer answers the owning record `ProcessingFailed`; the subscriber reports the backfill).
A caller may also name call errors after which the records are handed back to it unsent
(`hand_off`): the transformer sends them to another stream instead."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Final, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from lambda_shared.backoff import RetryPolicy, error_code
from lambda_shared.limits import PUT_RECORD_BATCH_BUDGET_BYTES, PUT_RECORD_BATCH_MAX_RECORDS

# Errors that another attempt cannot mend (the stream, its role or the request is wrong).
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

TimeLeft = Callable[[float], bool]
"""`time_left(wait)`: is there time to sleep `wait` seconds and then make one more call?"""


class FirehoseClient(Protocol):
    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]: ...


@dataclass
class PutOutcome:
    sent: int = 0
    calls: int = 0
    retried_records: int = 0
    """Record sends beyond the first (ReingestRetries)."""
    retry_rounds: int = 0
    """Backoff sleeps taken."""
    failed: list[int] = field(default_factory=list)
    """Indexes of the records not delivered."""
    handed_off: list[int] = field(default_factory=list)
    """Indexes of the records not sent because a call was refused with a `hand_off` code (not
    in `failed`, no error: the caller decides)."""
    handed_off_codes: set[str] = field(default_factory=set)
    error_codes: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def batch_bounds(
    sizes: Sequence[int],
    max_bytes: int = PUT_RECORD_BATCH_BUDGET_BYTES,
    max_records: int = PUT_RECORD_BATCH_MAX_RECORDS,
) -> list[tuple[int, int]]:
    """(start, end) of consecutive batches within the PutRecordBatch limits, each as full as
    they allow (a record larger than `max_bytes` goes alone).

    Found by bisecting the running total of the sizes, so the per-record work stays in C."""
    totals = list(accumulate(sizes))
    bounds: list[tuple[int, int]] = []
    start, before = 0, 0
    while start < len(totals):
        last = min(len(totals), start + max_records)
        end = max(start + 1, bisect_right(totals, before + max_bytes, start, last))
        bounds.append((start, end))
        before, start = totals[end - 1], end
    return bounds


def _always(_: float) -> bool:
    return True


@dataclass
class _CallResult:
    """What one PutRecordBatch call did; merged into the outcome by the calling thread."""

    sent: int = 0
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    handed_off: list[int] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    error: str = ""
    started: bool = True
    called: bool = True
    """False: handed back without a call (the stream had refused with a `hand_off` code)."""


class RecordPutter:
    """Sends records to one stream. Rounds repeat for what failed until all is in, the policy's
    attempts are used up, or `time_left` says no (checked before every call and every sleep).

    With `concurrency` > 1, that many calls of a round are in flight at once (the client must
    be thread-safe: boto3's clients and FirehoseHttpClient are). A call refused with an error
    code in `hand_off` neither fails nor retries its records: they are in `handed_off`."""

    def __init__(
        self,
        client: FirehoseClient,
        stream_name: str,
        policy: RetryPolicy,
        time_left: TimeLeft = _always,
        concurrency: int = 1,
        hand_off: frozenset[str] = frozenset(),
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be 1 or more, got {concurrency}")
        self._client = client
        self._stream = stream_name
        self._policy = policy
        self._time_left = time_left
        self._concurrency = concurrency
        self._hand_off = hand_off
        self._refusal = ""
        """The `hand_off` code the stream answered: no more calls to it (set once; a batch in
        flight meanwhile still makes its own call)."""

    def put(self, records: Sequence[bytes]) -> PutOutcome:
        outcome = PutOutcome()
        pending = list(range(len(records)))
        attempts = 0
        while pending:
            attempts += 1
            pending = self._round(records, pending, outcome)
            if not pending:
                break
            delay = self._policy.delay(attempts - 1)
            if not self._policy.allows(attempts):
                self._give_up(pending, outcome, f"after {attempts} attempts")
                break
            if not self._time_left(delay):
                self._give_up(pending, outcome, f"after {attempts} attempts: time ran out")
                break
            outcome.retry_rounds += 1
            outcome.retried_records += len(pending)
            self._policy.sleep(delay)
        return outcome

    def _round(
        self, records: Sequence[bytes], pending: list[int], outcome: PutOutcome
    ) -> list[int]:
        """One pass over `pending` in batches; returns the indexes to send again."""
        batches = [
            pending[start:end] for start, end in batch_bounds([len(records[i]) for i in pending])
        ]
        if self._concurrency == 1 or len(batches) == 1:
            results = self._in_turn(records, batches)
        else:
            results = self._in_flight(records, batches)
        retry: list[int] = []
        unstarted: list[int] = []
        for result in results:
            if not result.started:
                unstarted.extend(result.failed)
                continue
            outcome.calls += result.called
            outcome.sent += result.sent
            outcome.failed.extend(result.failed)
            outcome.handed_off.extend(result.handed_off)
            codes = outcome.handed_off_codes if result.handed_off else outcome.error_codes
            codes.update(result.codes)
            outcome.errors.extend([result.error] if result.error else [])
            retry.extend(result.retry)
        if unstarted:
            self._give_up(retry + unstarted, outcome, "as time ran out before a call")
            return []
        return retry

    def _in_turn(self, records: Sequence[bytes], batches: list[list[int]]) -> list[_CallResult]:
        results: list[_CallResult] = []
        for number, batch in enumerate(batches):
            result = self._started(records, batch)
            results.append(result)
            if not result.started:  # time only runs on: the later batches would not start either
                later = [i for rest in batches[number + 1 :] for i in rest]
                results.append(_CallResult(failed=later, started=False))
                break
        return results

    def _in_flight(self, records: Sequence[bytes], batches: list[list[int]]) -> list[_CallResult]:
        from concurrent.futures import ThreadPoolExecutor  # only when calls overlap

        with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
            futures = [pool.submit(self._started, records, batch) for batch in batches]
            return [future.result() for future in futures]

    def _started(self, records: Sequence[bytes], batch: list[int]) -> _CallResult:
        """The call, if there is still time to make it (checked as it would start)."""
        if self._refusal:
            return _CallResult(handed_off=batch, codes={self._refusal}, called=False)
        if not self._time_left(0.0):
            return _CallResult(failed=batch, started=False)
        return self._call(records, batch)

    def _call(self, records: Sequence[bytes], batch: list[int]) -> _CallResult:
        """One PutRecordBatch. Permanent errors fail the batch, `hand_off` ones hand it back;
        anything else is retried."""
        try:
            response = self._client.put_record_batch(
                DeliveryStreamName=self._stream, Records=[{"Data": records[i]} for i in batch]
            )
        except ClientError as exc:
            code = error_code(exc) or "Unknown"
            if code in self._hand_off:
                self._refusal = code
                return _CallResult(handed_off=batch, codes={code})
            if code in PERMANENT_ERRORS:
                error = f"PutRecordBatch({self._stream}) failed: {code}: {exc}"
                return _CallResult(failed=batch, codes={code}, error=error)
            return _CallResult(retry=batch, codes={code})
        except BotoCoreError as exc:
            return _CallResult(retry=batch, codes={type(exc).__name__})
        return _answered(response, batch)

    def _give_up(self, indexes: list[int], outcome: PutOutcome, why: str) -> None:
        outcome.failed.extend(indexes)
        outcome.errors.append(
            f"{len(indexes)} records not put into {self._stream} {why} "
            f"({', '.join(sorted(outcome.error_codes)) or 'no error code'})"
        )


def _answered(response: dict[str, Any], batch: list[int]) -> _CallResult:
    """Which records of an answered call failed (all of them when the answer can't tell)."""
    if not response.get("FailedPutCount"):
        return _CallResult(sent=len(batch))
    answers = response.get("RequestResponses") or []
    if len(answers) != len(batch):
        return _CallResult(retry=batch)
    failed = [
        index for index, answer in zip(batch, answers, strict=True) if answer.get("ErrorCode")
    ]
    codes = {str(answer["ErrorCode"]) for answer in answers if answer.get("ErrorCode")}
    return _CallResult(sent=len(batch) - len(failed), retry=failed, codes=codes)
