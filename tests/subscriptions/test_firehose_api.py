"""PutRecordBatch partial failures: only the failed records are sent again."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_shared.backoff import RetryPolicy
from subscriptions.errors import BackfillDeliveryError
from subscriptions.firehose_api import FirehoseApi
from subscriptions.retry import RetryStats


class FakeFirehose:
    """Fails the records whose data is in `failing`, `times` times each."""

    def __init__(self, failing: set[bytes], times: int) -> None:
        self.failing = dict.fromkeys(failing, times)
        self.calls: list[list[bytes]] = []

    def put_record_batch(self, DeliveryStreamName: str, Records: list[dict[str, bytes]]) -> Any:
        data = [r["Data"] for r in Records]
        self.calls.append(data)
        answers = []
        for item in data:
            if self.failing.get(item, 0) > 0:
                self.failing[item] -= 1
                answers.append(
                    {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}
                )
            else:
                answers.append({"RecordId": "id"})
        failed = sum(1 for a in answers if "ErrorCode" in a)
        return {"FailedPutCount": failed, "RequestResponses": answers}


def test_resends_only_the_failed_records() -> None:
    # GIVEN a stream that rejects two of five records twice
    fake = FakeFirehose({b"r1", b"r3"}, times=2)
    stats = RetryStats()
    api = FirehoseApi(fake, "s", RetryPolicy(sleep=lambda _: None), stats)

    # WHEN the five records are put
    calls = api.put_records([b"r0", b"r1", b"r2", b"r3", b"r4"])

    # THEN the retries carried only the failed records
    assert fake.calls == [[b"r0", b"r1", b"r2", b"r3", b"r4"], [b"r1", b"r3"], [b"r1", b"r3"]]
    assert calls == 3
    assert stats.retries == 2


def test_gives_up_with_a_clear_error() -> None:
    # GIVEN a stream that always rejects one record
    fake = FakeFirehose({b"bad"}, times=99)
    api = FirehoseApi(fake, "s", RetryPolicy(max_attempts=3, sleep=lambda _: None), RetryStats())

    # WHEN / THEN putting it fails, naming the error code
    with pytest.raises(
        BackfillDeliveryError,
        match=r"rejected 1 backfill records.*after 3 attempts \(ServiceUnavailableException\)",
    ):
        api.put_records([b"ok", b"bad"])
    assert fake.calls[-1] == [b"bad"]
