"""The backfill window: since the group's creation, at most the look-back."""

from __future__ import annotations

from lambda_shared.limits import LOG_EVENT_MAX_AGE_DAYS
from subscriptions.backfill import FUTURE_TOLERANCE_MS, HOUR_MS, plan_backfill
from subscriptions.logs_api import LogGroup

BOUNDARY = 1_800_000_000_000
ARN = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/x"


def test_a_young_group_is_read_for_the_whole_look_back_before_its_creation() -> None:
    # Events carry the writer's timestamps, up to 14 days older than their ingestion (so than
    # the group's creation): a young group is read as far back as the look-back allows.
    group = LogGroup("/aws/lambda/x", ARN, BOUNDARY - 5 * 60_000)
    job = plan_backfill(group, "999999999999", BOUNDARY, 24)
    assert job is not None
    assert job.start_ms == BOUNDARY - 24 * HOUR_MS
    assert job.end_ms == BOUNDARY + FUTURE_TOLERANCE_MS
    assert job.boundary_ms == BOUNDARY
    assert job.owner == "111122223333"


def test_an_old_group_is_read_for_the_look_back_only() -> None:
    group = LogGroup("/aws/lambda/x", "", BOUNDARY - 90 * 24 * HOUR_MS)
    job = plan_backfill(group, "999999999999", BOUNDARY, 1.5)
    assert job is not None
    assert job.start_ms == BOUNDARY - int(1.5 * HOUR_MS)
    assert job.owner == "999999999999"


def test_a_zero_look_back_disables_the_backfill() -> None:
    group = LogGroup("/aws/lambda/x", ARN, BOUNDARY - 60_000)
    assert plan_backfill(group, "1", BOUNDARY, 0) is None


def test_never_before_the_oldest_event_a_group_created_then_can_hold() -> None:
    group = LogGroup("/aws/lambda/x", ARN, BOUNDARY - HOUR_MS)
    job = plan_backfill(group, "1", BOUNDARY, 24 * 30)
    assert job is not None
    assert job.start_ms == BOUNDARY - HOUR_MS - LOG_EVENT_MAX_AGE_DAYS * 24 * HOUR_MS
