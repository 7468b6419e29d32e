"""Thin adapter over the Firehose client for the backfill: `lambda_shared.firehose_put` sends
(limits, partial failures, backoff); a record that still failed is a BackfillDeliveryError.
With a `BytePacer`, the records go out in slices of one second's budget, each after the bytes
before it were paid for: the backfill never bursts above its byte budget."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_put import RecordPutter
from subscriptions.errors import BackfillDeliveryError
from subscriptions.pacing import BytePacer
from subscriptions.retry import RetryStats


class FirehoseApi:
    def __init__(
        self,
        client: Any,
        stream_name: str,
        policy: RetryPolicy,
        stats: RetryStats,
        pacer: BytePacer | None = None,
    ) -> None:
        self._putter = RecordPutter(client, stream_name, policy)
        self._stream = stream_name
        self._stats = stats
        self._pacer = pacer

    def put_records(self, records: Sequence[bytes]) -> int:
        """Put every record; retry only the failed ones. Returns the PutRecordBatch call count."""
        if self._pacer is None:
            return self._put(records)
        calls = 0
        for chunk in self._pacer.chunks(records):
            self._pacer.wait()
            try:
                calls += self._put(chunk)
            finally:  # a refused batch was sent all the same: it counts
                self._pacer.sent(sum(len(record) for record in chunk))
        return calls

    def _put(self, records: Sequence[bytes]) -> int:
        outcome = self._putter.put(records)
        self._stats.retries += outcome.retry_rounds
        if outcome.failed:
            raise BackfillDeliveryError(
                f"Firehose stream {self._stream} rejected {len(outcome.failed)} backfill records: "
                f"{'; '.join(outcome.errors)}. Check the stream's state, its role and its "
                "throughput quota"
            )
        return outcome.calls
