"""The pending backfills keep unfinished jobs beside failed ones: an unfinished job has no retry
window (it is not failing) until it fails; the state stays readable by the previous version
(failed jobs under "pending", unfinished ones under a key it ignores)."""

from __future__ import annotations

import json
from dataclasses import replace

from lambda_shared.backoff import RetryPolicy
from subscriptions.continuation import BackfillJob, Cursor
from subscriptions.pacing import VirtualClock
from subscriptions.pending import PendingBackfills, S3StateStore
from subscriptions.report import RunReport
from subscriptions.retry import RetryStats
from tests.subscriptions.fake_account import BUCKET, Calls, FakeS3

HOUR = 3_600_000
JOB = BackfillJob("/aws/lambda/a", "123456789012", 1_000, 9_000, 5_000)


class Memory:
    def __init__(self, body: str | None = None) -> None:
        self.body = body

    def load(self) -> str | None:
        return self.body

    def save(self, body: str) -> None:
        self.body = body


def _pending(store: Memory | None, now: list[int]) -> tuple[PendingBackfills, RunReport]:
    report = RunReport("reconcile", namespace="test", emit=lambda _line: None)
    return PendingBackfills(store, report, lambda: now[0], 24 * HOUR), report


def test_an_unfinished_job_is_kept_without_its_token_and_without_a_retry_window() -> None:
    store, now = Memory(), [0]
    pending, _ = _pending(store, now)
    pending.unfinished(replace(JOB, next_token="t", read_to_ms=4_000), "time_budget")
    pending.save()
    state = json.loads(store.body or "")
    assert state["pending"] == []
    assert state["unfinished"][0]["job"]["startMs"] == 4_000
    assert state["unfinished"][0]["job"]["nextToken"] is None

    # a later run, long after, still resumes it; a failure then starts its own window
    now[0] = 100 * HOUR
    later, report = _pending(store, now)
    assert [job.start_ms for job in later.due()] == [4_000]
    later.failed(JOB, RuntimeError("refused"))
    assert report.backfill_given_up == []
    later.save()
    assert json.loads(store.body or "")["pending"][0]["firstFailedMs"] == 100 * HOUR


def test_a_failed_job_cut_short_keeps_its_retry_window() -> None:
    store, now = Memory(), [0]
    pending, _ = _pending(store, now)
    pending.failed(JOB, RuntimeError("refused"))
    pending.unfinished(JOB, "time_budget")  # retried, progressed, then cut by the chain
    pending.save()
    now[0] = 25 * HOUR
    later, report = _pending(store, now)
    later.failed(JOB, RuntimeError("refused again"))
    assert report.backfill_given_up == [JOB.group]


def test_without_a_store_an_unfinished_job_counts_as_permanently_failed() -> None:
    pending, report = _pending(None, [0])
    pending.unfinished(JOB, "time_budget")
    assert report.backfill_given_up == [JOB.group]


def test_a_state_of_the_previous_version_is_read_and_both_kinds_round_trip() -> None:
    job: dict[str, object] = dict(JOB.to_token())
    del job["readToMs"]  # not written by the previous version
    old = {"version": 1, "pending": [{"job": job, "firstFailedMs": 7}]}
    store = Memory(json.dumps(old))
    pending, _ = _pending(store, [0])
    assert pending.due() == (JOB,)
    other = BackfillJob("/aws/lambda/b", "123456789012", 1, 2, 3)
    pending.unfinished(other, "throttled")
    pending.save()
    state = json.loads(store.body or "")
    assert [e["job"]["logGroup"] for e in state["pending"]] == [JOB.group]
    assert [e["job"]["logGroup"] for e in state["unfinished"]] == [other.group]


def test_the_state_object_is_deleted_only_when_no_job_of_either_kind_is_left() -> None:
    s3 = FakeS3(Calls(VirtualClock()))
    store = S3StateStore(s3, BUCKET, "f", RetryPolicy(sleep=lambda _: None), RetryStats())
    store.save(json.dumps({"version": 1, "pending": [], "unfinished": [{"job": JOB.to_token()}]}))
    assert len(s3.objects) == 1
    store.save(json.dumps({"version": 1, "pending": []}))
    assert s3.objects == {}


def test_a_job_without_its_token_restarts_at_the_newest_timestamp_read() -> None:
    paged = replace(JOB, next_token="t", read_to_ms=4_000)
    assert paged.without_token() == replace(JOB, start_ms=4_000)
    assert JOB.without_token() == JOB
    cursor = Cursor(backfill=paged)
    assert Cursor.from_token(cursor.to_token()) == cursor
    token = JOB.to_token()
    del token["readToMs"]  # a token of the previous version
    assert BackfillJob.from_token(token) == JOB
