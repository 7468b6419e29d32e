"""Thin adapter over the Firehose client: PutRecordBatch within its limits, partial retries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from subscriptions.envelope import batches
from subscriptions.errors import BackfillDeliveryError
from subscriptions.retry import BackoffApi, RetryPolicy, RetryStats


class FirehoseApi(BackoffApi):
    def __init__(
        self, client: Any, stream_name: str, policy: RetryPolicy, stats: RetryStats
    ) -> None:
        super().__init__(client, policy, stats)
        self._stream = stream_name

    def put_records(self, records: Sequence[bytes]) -> int:
        """Put every record; retry only the failed ones. Returns the PutRecordBatch call count."""
        calls = 0
        for batch in batches(records):
            calls += self._put_batch(batch)
        return calls

    def _put(self, records: list[bytes]) -> dict[str, Any]:
        entries = [{"Data": record} for record in records]
        response: dict[str, Any] = self._call(
            f"Firehose PutRecordBatch({self._stream})",
            lambda: self._client.put_record_batch(DeliveryStreamName=self._stream, Records=entries),
        )
        return response

    def _put_batch(self, batch: list[bytes]) -> int:
        pending = batch
        for attempt in range(self._policy.max_attempts):
            response = self._put(pending)
            if int(response.get("FailedPutCount", 0)) == 0:
                return attempt + 1
            answers = response.get("RequestResponses", [])
            pending = [
                record
                for record, answer in zip(pending, answers, strict=True)
                if answer.get("ErrorCode")
            ]
            if attempt + 1 < self._policy.max_attempts:
                self._stats.retries += 1
                self._policy.sleep(self._policy.delay(attempt))
        codes = sorted({str(a.get("ErrorCode")) for a in answers if a.get("ErrorCode")})
        raise BackfillDeliveryError(
            f"Firehose stream {self._stream} rejected {len(pending)} backfill records after "
            f"{self._policy.max_attempts} attempts ({', '.join(codes)}): check the stream's "
            "state and throughput quota"
        )
