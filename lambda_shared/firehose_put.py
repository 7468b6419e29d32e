"""Put records into a Firehose stream: PutRecordBatch within its limits, partial failures and
throttling retried with full-jitter backoff, and a time check before every call.

The one implementation for the transformer's re-ingestion and the subscriber's backfill. What
could not be delivered is returned by index, so the caller decides what it costs (the
transformer answers the owning record `ProcessingFailed`; the subscriber reports the backfill)."""

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


class RecordPutter:
    """Sends records to one stream. Rounds repeat for what failed until all is in, the policy's
    attempts are used up, or `time_left` says no (checked before every call and every sleep)."""

    def __init__(
        self,
        client: FirehoseClient,
        stream_name: str,
        policy: RetryPolicy,
        time_left: TimeLeft = _always,
    ) -> None:
        self._client = client
        self._stream = stream_name
        self._policy = policy
        self._time_left = time_left

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
        retry: list[int] = []
        for start, end in batch_bounds([len(records[i]) for i in pending]):
            if not self._time_left(0.0):
                self._give_up(retry + pending[start:], outcome, "as time ran out before a call")
                return []
            retry.extend(self._call(records, pending[start:end], outcome))
        return retry

    def _call(self, records: Sequence[bytes], batch: list[int], outcome: PutOutcome) -> list[int]:
        """One PutRecordBatch; returns the indexes to retry. Permanent errors fail the batch."""
        outcome.calls += 1
        try:
            response = self._client.put_record_batch(
                DeliveryStreamName=self._stream, Records=[{"Data": records[i]} for i in batch]
            )
        except ClientError as exc:
            code = error_code(exc) or "Unknown"
            outcome.error_codes.add(code)
            if code in PERMANENT_ERRORS:
                outcome.failed.extend(batch)
                outcome.errors.append(f"PutRecordBatch({self._stream}) failed: {code}: {exc}")
                return []
            return batch
        except BotoCoreError as exc:
            outcome.error_codes.add(type(exc).__name__)
            return batch
        return self._failed_in(response, batch, outcome)

    @staticmethod
    def _failed_in(response: dict[str, Any], batch: list[int], outcome: PutOutcome) -> list[int]:
        if not response.get("FailedPutCount"):
            outcome.sent += len(batch)
            return []
        answers = response.get("RequestResponses") or []
        if len(answers) != len(batch):  # cannot tell which failed: send them all again
            return batch
        failed = [
            index for index, answer in zip(batch, answers, strict=True) if answer.get("ErrorCode")
        ]
        outcome.error_codes.update(str(a["ErrorCode"]) for a in answers if a.get("ErrorCode"))
        outcome.sent += len(batch) - len(failed)
        return failed

    def _give_up(self, indexes: list[int], outcome: PutOutcome, why: str) -> None:
        outcome.failed.extend(indexes)
        outcome.errors.append(
            f"{len(indexes)} records not put into {self._stream} {why} "
            f"({', '.join(sorted(outcome.error_codes)) or 'no error code'})"
        )
