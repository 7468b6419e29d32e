"""The one PutRecordBatch mechanism: batches within the limits, partial failures and throttling
retried, permanent errors and the time check honoured, every record accounted for."""

from __future__ import annotations

import threading
import time
from itertools import pairwise
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from hypothesis import given
from hypothesis import strategies as st

from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_put import RecordPutter, batch_bounds
from lambda_shared.limits import PUT_RECORD_BATCH_BUDGET_BYTES as MAX_BYTES
from lambda_shared.limits import PUT_RECORD_BATCH_MAX_BYTES, PUT_RECORD_BATCH_MAX_RECORDS

Step = str | int | Exception | None


class ScriptedFirehose:
    """`plan`, one entry per call: an error code (the call raises it), an exception, an int N
    (the first N records answered ServiceUnavailableException) or None (all accepted)."""

    def __init__(self, plan: list[Step] | None = None) -> None:
        self.plan = list(plan or [])
        self.calls: list[list[bytes]] = []
        self.delivered: list[bytes] = []

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        data = [bytes(r["Data"]) for r in kwargs["Records"]]
        assert kwargs["DeliveryStreamName"] == "s"
        self.calls.append(data)
        step = self.plan.pop(0) if self.plan else None
        if isinstance(step, Exception):
            raise step
        if isinstance(step, str):
            raise ClientError({"Error": {"Code": step, "Message": step}}, "PutRecordBatch")
        failing = step or 0
        answers = [
            {"ErrorCode": "ServiceUnavailableException"} if i < failing else {"RecordId": "r"}
            for i in range(len(data))
        ]
        self.delivered += data[failing:]
        return {"FailedPutCount": min(failing, len(data)), "RequestResponses": answers}


def putter(fake: ScriptedFirehose, attempts: int | None = 8, **kwargs: Any) -> RecordPutter:
    policy = RetryPolicy(max_attempts=attempts, sleep=lambda _s: None, jitter=lambda: 1.0)
    return RecordPutter(fake, "s", policy, **kwargs)


def records(n: int) -> list[bytes]:
    return [f"r{i}".encode() for i in range(n)]


def test_only_the_failed_records_are_sent_again() -> None:
    fake = ScriptedFirehose([2, 1])
    outcome = putter(fake).put(records(5))
    assert fake.calls == [records(5), [b"r0", b"r1"], [b"r0"]]
    assert sorted(fake.delivered) == sorted(records(5))
    assert (outcome.sent, outcome.calls, outcome.retried_records, outcome.retry_rounds) == (
        5,
        3,
        3,
        2,
    )
    assert outcome.failed == []


def test_a_throttled_or_dropped_call_is_sent_again_whole() -> None:
    fake = ScriptedFirehose(["ThrottlingException", EndpointConnectionError(endpoint_url="x")])
    outcome = putter(fake).put(records(3))
    assert fake.calls == [records(3)] * 3
    assert outcome.sent == 3 and not outcome.failed
    assert outcome.error_codes == {"ThrottlingException", "EndpointConnectionError"}


def test_a_permanent_error_fails_its_batch_at_once_and_is_named() -> None:
    fake = ScriptedFirehose(["ResourceNotFoundException"])
    outcome = putter(fake).put(records(4))
    assert len(fake.calls) == 1
    assert outcome.failed == [0, 1, 2, 3]
    assert "ResourceNotFoundException" in outcome.errors[0]


def test_a_hand_off_error_hands_the_records_back_unsent_not_failed_nor_retried() -> None:
    hand_off = frozenset({"ResourceNotFoundException"})
    # throttled first (retried as ever), then refused: handed back, no error, no more calls
    fake = ScriptedFirehose([1, "ResourceNotFoundException"])
    outcome = putter(fake, hand_off=hand_off).put(records(3))
    assert len(fake.calls) == 2 and fake.delivered == [b"r1", b"r2"]
    assert outcome.handed_off == [0] and outcome.failed == [] and outcome.errors == []
    assert outcome.handed_off_codes == {"ResourceNotFoundException"}
    assert outcome.error_codes == {"ServiceUnavailableException"}
    # a permanent error not handed off still fails its records
    fake = ScriptedFirehose(["AccessDeniedException"])
    outcome = putter(fake, hand_off=hand_off).put(records(2))
    assert outcome.failed == [0, 1] and outcome.handed_off == []


def test_attempts_used_up_report_what_is_left_by_index() -> None:
    fake = ScriptedFirehose([3] * 10)
    outcome = putter(fake, attempts=3).put(records(5))
    assert len(fake.calls) == 3
    assert outcome.failed == [0, 1, 2]
    assert "after 3 attempts" in outcome.errors[0]
    assert "ServiceUnavailableException" in outcome.errors[0]


def test_time_is_checked_before_every_call_not_only_between_rounds() -> None:
    # GIVEN enough records for three batches, and time for exactly two calls
    fake = ScriptedFirehose()
    big = [b"x" * (MAX_BYTES // 2)] * 6
    allowed = iter([True, True, False])
    outcome = putter(fake, time_left=lambda _wait: next(allowed)).put(big)
    # THEN the third call was never started, and its records are reported, not lost
    assert len(fake.calls) == 2
    assert outcome.sent == 4 and outcome.failed == [4, 5]
    assert "time ran out" in outcome.errors[0]


def test_no_sleep_is_taken_that_would_end_past_the_deadline() -> None:
    fake = ScriptedFirehose([1] * 10)
    waits: list[float] = []

    def time_left(wait: float) -> bool:
        waits.append(wait)
        return wait == 0.0

    outcome = putter(fake, attempts=None, time_left=time_left).put(records(2))
    assert len(fake.calls) == 1 and outcome.failed == [0]
    assert waits[-1] > 0.0


@pytest.mark.parametrize(
    "sizes",
    [
        [],
        [1],
        [10] * 1_234,
        [MAX_BYTES // 3] * 7,
        [MAX_BYTES + 1, 5, MAX_BYTES, 1],
        [(i * 7919) % 40_000 for i in range(3_000)],
    ],
)
def test_batch_bounds_cover_every_record_once_within_the_limits(sizes: list[int]) -> None:
    check_bounds(sizes)


@given(st.lists(st.integers(min_value=0, max_value=1_024_000), max_size=600))
def test_batch_bounds_property(sizes: list[int]) -> None:
    check_bounds(sizes)


def check_bounds(sizes: list[int]) -> None:
    bounds = batch_bounds(sizes)
    # contiguous and complete: every record in exactly one batch, in order
    assert [i for start, end in bounds for i in range(start, end)] == list(range(len(sizes)))
    for start, end in bounds:
        assert 1 <= end - start <= PUT_RECORD_BATCH_MAX_RECORDS
        # over the budget only when a single record is (PutRecordBatch then refuses it)
        assert sum(sizes[start:end]) <= MAX_BYTES or end - start == 1
        assert sum(sizes[start:end]) <= PUT_RECORD_BATCH_MAX_BYTES or end - start == 1
    # greedy: no batch could have taken the next record as well
    for (start, end), (following, _) in pairwise(bounds):
        assert end == following
        assert (
            end - start == PUT_RECORD_BATCH_MAX_RECORDS or sum(sizes[start : end + 1]) > MAX_BYTES
        )


def test_nine_hundred_kib_records_go_four_to_a_call() -> None:
    # 4 × 900 KiB = 3.5 MiB fits the budget; a fifth would pass 4 MiB
    sizes = [900 * 1024] * 10
    assert batch_bounds(sizes) == [(0, 4), (4, 8), (8, 10)]
    assert batch_bounds([1] * 1_201) == [(0, 500), (500, 1_000), (1_000, 1_201)]


class OverlapCounter(ScriptedFirehose):
    """Counts how many calls are in flight at once (each takes a few milliseconds)."""

    def __init__(self, plan: list[Step] | None = None) -> None:
        super().__init__(plan)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            answer = super().put_record_batch(**kwargs)
        time.sleep(0.02)
        with self.lock:
            self.in_flight -= 1
        return answer


def test_several_calls_are_in_flight_at_once_and_nothing_is_lost() -> None:
    fake = OverlapCounter([2, None, 5, "ThrottlingException"])
    many = [b"%06d" % i * 2_000 for i in range(1_000)]  # ~12 MB: several batches a round
    outcome = putter(fake, concurrency=4).put(many)
    assert fake.most > 1
    assert sorted(fake.delivered) == sorted(many)
    assert outcome.sent == len(many) and not outcome.failed
    assert outcome.calls == len(fake.calls)


def test_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="concurrency must be 1 or more"):
        putter(ScriptedFirehose(), concurrency=0)
