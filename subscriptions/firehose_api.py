"""Thin adapter over the Firehose client for the backfill: `lambda_shared.firehose_put` sends
(limits, partial failures, backoff); a record that still failed is a BackfillDeliveryError."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_put import RecordPutter
from subscriptions.errors import BackfillDeliveryError
from subscriptions.retry import RetryStats


class FirehoseApi:
    def __init__(
        self, client: Any, stream_name: str, policy: RetryPolicy, stats: RetryStats
    ) -> None:
        self._putter = RecordPutter(client, stream_name, policy)
        self._stream = stream_name
        self._stats = stats

    def put_records(self, records: Sequence[bytes]) -> int:
        """Put every record; retry only the failed ones. Returns the PutRecordBatch call count."""
        outcome = self._putter.put(records)
        self._stats.retries += outcome.retry_rounds
        if outcome.failed:
            raise BackfillDeliveryError(
                f"Firehose stream {self._stream} rejected {len(outcome.failed)} backfill records: "
                f"{'; '.join(outcome.errors)}. Check the stream's state, its role and its "
                "throughput quota"
            )
        return outcome.calls
