"""A failed backfill is retried on the next runs until it succeeds or is given up."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.subscriptions.conftest import REGION, Aws
from tests.subscriptions.helpers import error_response, fail_first

RECONCILE = {"action": "reconcile"}
GROUP = "/aws/lambda/checkout"
STATE_BUCKET = "subscriber-state"
ATTEMPTS = 8  # RetryPolicy's default max_attempts: one failed backfill put


@pytest.fixture
def state(aws: Aws) -> dict[str, str]:
    aws.s3.create_bucket(
        Bucket=STATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return {"BACKFILL_STATE_BUCKET": STATE_BUCKET}


def _firehose_throttles(aws: Aws, failed_backfills: int) -> None:
    refuse = fail_first(
        ATTEMPTS * failed_backfills,
        lambda: error_response("ServiceUnavailableException", "Slow down."),
    )
    aws.hooks.append(("before-call.firehose.PutRecordBatch", refuse))


def test_a_backfill_lost_to_throttling_is_retried_by_the_next_run(
    aws: Aws, state: dict[str, str]
) -> None:
    # GIVEN a new group whose backfill Firehose throttles on the first run only
    aws.group(GROUP, "INIT_START", "START")
    _firehose_throttles(aws, 1)
    settings = aws.settings(**state)

    # WHEN the subscriber runs three times
    first = aws.run(RECONCILE, settings=settings)
    second = aws.run(RECONCILE, settings=settings)
    third = aws.run(RECONCILE, settings=settings)

    # THEN the first run reports the failure, the second sends the gap although the filter is
    # unchanged, and the third sends nothing again
    assert first["backfillFailed"] == [GROUP]
    assert second["outcomes"] == {"unchanged": 1}
    assert second["backfillEvents"] == 2
    assert first.get("backfillPermanentlyFailed") == []
    assert third["backfillEvents"] == 0
    assert sorted(aws.delivered_messages()) == ["INIT_START", "START"]


def test_a_backfill_still_failing_after_the_retry_window_is_reported_permanently_failed(
    aws: Aws, state: dict[str, str]
) -> None:
    # GIVEN Firehose refuses the backfill on two runs, and a retry window shorter than that
    aws.group(GROUP, "INIT_START")
    _firehose_throttles(aws, 2)
    settings = aws.settings(**state, BACKFILL_RETRY_HOURS="0.000005")  # 18 ms
    emitted: list[str] = []

    # WHEN the subscriber runs three times
    first = aws.run(RECONCILE, settings=settings)
    time.sleep(0.05)
    second = aws.run(RECONCILE, settings=settings, emitted=emitted)
    third = aws.run(RECONCILE, settings=settings)

    # THEN the second failure gives it up: reported (result, ERROR line with the window,
    # metric) once, and never retried again
    assert first["backfillPermanentlyFailed"] == []
    assert second["backfillPermanentlyFailed"] == [GROUP]
    lines = [json.loads(line) for line in emitted]
    given_up = [line for line in lines if "permanently" in line.get("message", "")]
    assert [(g["level"], g["logGroup"]) for g in given_up] == [("ERROR", GROUP)]
    assert {"startMs", "endMs", "boundaryMs", "firstFailedMs"} <= set(given_up[0])
    assert lines[-1]["BackfillPermanentlyFailed"] == 1
    assert third["backfillFailed"] == third["backfillPermanentlyFailed"] == []
    assert aws.delivered_messages() == []


def test_a_failure_recorded_before_the_run_crashes_is_still_retried(
    aws: Aws, state: dict[str, str]
) -> None:
    # GIVEN the first group's backfill fails, then the run fails on the second group
    aws.group("/aws/lambda/a-first", "INIT_START")
    aws.group("/aws/lambda/b-second")
    _firehose_throttles(aws, 1)
    wrong = fail_first(1, lambda: error_response("InvalidParameterException", "bad"), skip=1)
    aws.hooks.append(("before-call.logs.PutSubscriptionFilter", wrong))
    settings = aws.settings(**state)
    with pytest.raises(ClientError):
        aws.run(RECONCILE, settings=settings)

    # WHEN the subscriber runs again
    second = aws.run(RECONCILE, settings=settings)

    # THEN the failure recorded by the crashed run is retried
    assert second["backfillEvents"] == 1
    assert aws.delivered_messages() == ["INIT_START"]


class _ArchivedS3:
    """An S3 client whose state object was archived by the bucket's lifecycle rules."""

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def get_object(self, **_: object) -> object:
        from botocore.exceptions import ClientError

        error = {"Error": {"Code": "InvalidObjectState", "Message": "archived"}}
        raise ClientError(error, "GetObject")

    def delete_object(self, Bucket: str, Key: str) -> None:
        self.deleted.append(f"{Bucket}/{Key}")


def test_an_archived_state_reads_as_none_and_an_empty_state_is_deleted_not_kept() -> None:
    from lambda_shared.backoff import RetryPolicy
    from subscriptions.pending import S3StateStore
    from subscriptions.retry import RetryStats

    s3 = _ArchivedS3()
    store = S3StateStore(s3, "bucket", "lambda-logs", RetryPolicy(), RetryStats())
    assert store.load() is None
    store.save('{"version":1,"pending":[]}')
    assert s3.deleted == ["bucket/subscriber/pending-backfills/lambda-logs.json"]
