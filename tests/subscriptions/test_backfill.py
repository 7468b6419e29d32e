"""Backfill against moto: what the stream receives, decoded from the ExtendedS3 destination."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from subscriptions import logs_api
from tests.subscriptions.conftest import ACCOUNT, FILTER, Aws, FakeContext
from tests.subscriptions.helpers import error_response, fail_first

RECONCILE = {"action": "reconcile"}
GROUP = "/aws/lambda/checkout"


def test_events_before_the_filter_arrive_once_and_later_ones_are_not_resent(aws: Aws) -> None:
    # GIVEN a group whose function already logged, in two log streams
    aws.group(GROUP, "a1", "a2", "a3", stream="2026/11/23/[$LATEST]aaa")
    aws.put_events(GROUP, "b1", "b2", stream="2026/11/23/[$LATEST]bbb")

    # ... and which logs again after the filter exists, before the backfill reads (back-dated,
    # so only the ingestion time tells it from the earlier events)
    def log_during_backfill(**_: Any) -> None:
        time.sleep(0.003)
        aws.put_events(
            GROUP, "during", stream="2026/11/23/[$LATEST]aaa", ts=int(time.time() * 1000) - 60_000
        )

    aws.hooks.append(("before-call.logs.FilterLogEvents", _once(log_during_backfill)))

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE)

    # THEN each event reached the stream exactly once: the earlier ones by the backfill,
    # the later one by the filter
    assert sorted(aws.delivered_messages()) == ["a1", "a2", "a3", "b1", "b2", "during"]
    assert result["backfillEvents"] == 5
    assert result["backfillRecords"] == 2

    # AND WHEN the function logs more and the subscriber runs again
    aws.put_events(GROUP, "later", stream="2026/11/23/[$LATEST]aaa")
    aws.calls.operations.clear()
    second = aws.run(RECONCILE)

    # THEN nothing is sent again
    assert aws.calls.writes() == []
    assert second["backfillEvents"] == 0
    assert sorted(aws.delivered_messages()) == ["a1", "a2", "a3", "b1", "b2", "during", "later"]


def test_backfill_records_have_the_cloudwatch_subscription_format(aws: Aws) -> None:
    # GIVEN a group with events in two streams
    aws.group(GROUP, "a1", "a2", stream="2026/11/23/[$LATEST]aaa")
    aws.put_events(GROUP, "b1", stream="2026/11/23/[1]bbb")
    events = aws.logs.filter_log_events(logGroupName=GROUP)["events"]
    ids = {e["message"]: (e["eventId"], e["timestamp"]) for e in events}

    # WHEN the subscriber reconciles
    aws.run(RECONCILE)

    # THEN the stream received one gzip JSON envelope per log stream, as CloudWatch sends them
    envelopes = sorted(aws.delivered(), key=lambda e: str(e["logStream"]))
    assert [set(e) for e in envelopes] == [
        {"messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents"}
    ] * 2
    first, second = envelopes
    assert first["messageType"] == "DATA_MESSAGE"
    assert first["owner"] == ACCOUNT
    assert first["logGroup"] == GROUP
    assert first["subscriptionFilters"] == [FILTER]
    assert first["logStream"] == "2026/11/23/[$LATEST]aaa"
    # AND each event carries the system fields the filter emits (emitSystemFields), so a hub's
    # transformer knows the group's account and region for backfilled events too
    system = {"@aws.account": ACCOUNT, "@aws.region": "eu-west-1"}
    assert first["logEvents"] == [
        {"id": ids[m][0], "timestamp": ids[m][1], "message": m, "extractedFields": system}
        for m in ("a1", "a2")
    ]
    assert second["logStream"] == "2026/11/23/[1]bbb"
    assert [e["message"] for e in second["logEvents"]] == ["b1"]


def test_no_backfill_when_the_look_back_is_zero(aws: Aws) -> None:
    # GIVEN a group with events and BACKFILL_LOOKBACK_HOURS=0
    aws.group(GROUP, "early")

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, settings=aws.settings(BACKFILL_LOOKBACK_HOURS="0"))

    # THEN the group is subscribed but nothing is read or sent
    assert result["outcomes"] == {"created": 1}
    assert aws.calls.count("FilterLogEvents") == 0
    assert aws.delivered_messages() == []


def test_a_backfill_stopped_by_the_time_budget_resumes_without_duplicates(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a group with 10 events, read 4 per page, and time for only two pages
    monkeypatch.setattr(logs_api, "EVENTS_PAGE_SIZE", 4)
    aws.group(GROUP, *[f"e{i}" for i in range(10)])
    aws.group("/aws/lambda/zzz-after", "z1")

    def remaining() -> int:
        return 60_000 if aws.calls.count("PutRecordBatch") < 2 else 1_000

    # WHEN the subscriber reconciles, then the continuation runs (at the highest byte budget, so
    # that each page's records fit the time left)
    fast = aws.settings(BACKFILL_BYTES_PER_SECOND=str(5 << 20))
    first = aws.run(RECONCILE, context=FakeContext(remaining), settings=fast)
    assert first["stopReason"] == "time_budget"
    assert aws.invocations[0]["continuation"]["backfill"]["logGroup"] == GROUP
    second = aws.run(aws.invocations[0])

    # THEN every event arrived exactly once, and the walk went on to the next group
    assert first["backfillEvents"] == 8
    assert second["complete"] is True
    assert sorted(aws.delivered_messages()) == sorted([f"e{i}" for i in range(10)] + ["z1"])
    assert second["outcomes"] == {"created": 1}
    assert FILTER in aws.filters("/aws/lambda/zzz-after")


def test_a_failing_backfill_is_reported_and_the_run_goes_on(aws: Aws) -> None:
    # GIVEN Firehose throttles every PutRecordBatch of the first group's backfill
    aws.group("/aws/lambda/a-first", "lost?")
    aws.group("/aws/lambda/b-second", "fine")
    aws.hooks.append(
        (
            "before-call.firehose.PutRecordBatch",
            fail_first(8, lambda: error_response("ServiceUnavailableException", "Slow down.")),
        )
    )
    emitted: list[str] = []

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, emitted=emitted)

    # THEN the failure is reported with the window to replay, the next group is backfilled
    assert result["complete"] is True
    assert result["backfillFailed"] == ["/aws/lambda/a-first"]
    assert aws.delivered_messages() == ["fine"]
    errors = [json.loads(line) for line in emitted if '"ERROR"' in line]
    assert errors[0]["logGroup"] == "/aws/lambda/a-first"
    assert {"startMs", "endMs", "boundaryMs"} <= set(errors[0])
    emf = json.loads(emitted[-1])
    assert emf["BackfillFailed"] == 1
    # ... and, with no BACKFILL_STATE_BUCKET to keep it for a retry, reported permanent at once
    assert result["backfillPermanentlyFailed"] == ["/aws/lambda/a-first"]
    assert emf["BackfillPermanentlyFailed"] == 1


def _once(action: Any) -> Any:
    state = {"done": False}

    def hook(**kwargs: Any) -> None:
        if not state["done"]:
            state["done"] = True
            action(**kwargs)

    return hook


@pytest.mark.parametrize(
    ("code", "outcomes", "failed"),
    [
        ("ResourceNotFoundException", {"created": 2, "vanished": 1}, []),
        ("AccessDeniedException", {"created": 2}, ["/aws/lambda/a-first"]),
    ],
)
def test_a_backfill_read_refused_for_good_skips_that_group_and_the_run_goes_on(
    aws: Aws, code: str, outcomes: dict[str, int], failed: list[str]
) -> None:
    # GIVEN the first group is deleted (or unreadable) between its filter and its backfill
    aws.group("/aws/lambda/a-first", "gone")
    aws.group("/aws/lambda/b-second", "fine")
    aws.hooks.append(
        ("before-call.logs.FilterLogEvents", fail_first(1, lambda: error_response(code, "no")))
    )
    emitted: list[str] = []

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, emitted=emitted)

    # THEN the run completes, the group is reported, the next group is backfilled
    assert result["complete"] is True
    assert result["outcomes"] == outcomes
    assert aws.delivered_messages() == ["fine"]
    assert FILTER in aws.filters("/aws/lambda/b-second")
    assert result["backfillFailed"] == failed
    errors = [json.loads(line) for line in emitted if '"ERROR"' in line]
    assert sorted({e["logGroup"] for e in errors}) == failed


def test_a_refused_read_back_of_the_new_filter_still_backfills(aws: Aws) -> None:
    # GIVEN DescribeSubscriptionFilters refuses the read-back right after the put
    aws.group(GROUP, "early")
    refused = fail_first(1, lambda: error_response("AccessDeniedException", "no"), skip=1)
    aws.hooks.append(("before-call.logs.DescribeSubscriptionFilters", refused))

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE)

    # THEN the boundary falls back to the request time and the backfill runs
    assert result["complete"] is True
    assert aws.delivered_messages() == ["early"]


def test_a_new_functions_first_lines_stamped_before_its_group_was_created_are_backfilled(
    aws: Aws,
) -> None:
    # GIVEN a group whose first lines (INIT_START, START) carry timestamps from before the
    # group's creationTime: the function's clock, the group created on the first write
    aws.group(GROUP)
    created = aws.logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]
    aws.put_events(
        GROUP,
        "INIT_START Runtime Version: python:3.12",
        "START",
        ts=created["creationTime"] - 8_000,
    )

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE)

    # THEN those lines are backfilled
    assert sorted(aws.delivered_messages()) == ["INIT_START Runtime Version: python:3.12", "START"]
    assert result["backfillEvents"] == 2
