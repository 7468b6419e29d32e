"""A backfill the chain of continuations stops before its end is kept, never dropped.

A new group holds its filter once the backfill starts, so no later walk would start its
backfill again: when a run stops with a paused (or not yet started) job and does not continue
(the continuation limit, no progress, a refused Invoke), the job is kept in the pending
backfills and the next full run resumes it; without a state bucket the loss is reported
(ERROR with the window, BackfillPermanentlyFailed). From review #12: a backfill paced at the
1,024 bytes/s floor of a hub's share, each page an invocation, lost the rest of its window at
MAX_CONTINUATIONS."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.subscriptions import windowed_events
from tests.subscriptions.fake_account import Account

PAGES = 4
PER_PAGE = 50
KEY = "subscriber/pending-backfills/lambda-logs-pipeline.json"
RECONCILE = {"action": "reconcile"}


def _slow(
    groups: int, events: int, message_bytes: int, *, state: bool = True, **env: str
) -> Account:
    """At the share's floor (1,024 bytes/s) and a short timeout: 30 s of sending an
    invocation beyond the 30 s margin, so a job of a few pages takes several invocations."""
    settings = {"BACKFILL_BYTES_PER_SECOND": "1024", **env}
    account = Account(groups, events_per_group=0, state=state, timeout_s=60, **settings)
    windowed_events.install(account, events=events, per_page=20, message_bytes=message_bytes)
    return account


def _lines(account: Account, level: str) -> list[dict[str, Any]]:
    found = (json.loads(line) for line in account.emitted if line.startswith("{"))
    return [line for line in found if line.get("level") == level]


def _kept(account: Account) -> dict[str, Any]:
    return json.loads(account.s3.objects[KEY]) if KEY in account.s3.objects else {}


@pytest.mark.parametrize(
    ("groups", "runs", "limit"),
    [
        (6, 6, "3"),  # a chain of at most 3 continuations, then 5 runs
        (40, 4, "100"),  # 40 busy groups with the default continuations, then 3 runs
    ],
)
def test_a_slow_backfill_is_never_dropped_when_the_chain_stops(
    groups: int, runs: int, limit: str
) -> None:
    # GIVEN new groups of 4 pages of look-back each, at the 1,024 bytes/s floor
    account = Account(
        groups, timeout_s=900, BACKFILL_BYTES_PER_SECOND="1024", MAX_CONTINUATIONS=limit
    )
    windowed_events.install(account, events=PAGES * PER_PAGE, per_page=PER_PAGE)

    # WHEN the subscriber runs, then the later scheduled runs
    for _ in range(runs):
        account.run_chain(RECONCILE)

    # THEN every event was sent, once
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, PAGES * PER_PAGE)
    assert max(sent.values()) == 1


def test_a_job_cut_by_the_continuation_limit_is_resumed_by_a_later_run() -> None:
    # GIVEN a new group whose backfill (200 events of 1 KB of random hex, ~100 KB of records)
    # takes about 4 invocations at the floor, and a chain of at most 1 continuation
    account = _slow(1, events=200, message_bytes=1000, MAX_CONTINUATIONS="1")

    # WHEN the subscriber runs (the chain stops after 2 invocations)
    chain = account.run_chain(RECONCILE)

    # THEN the job is kept, the ERROR says what the next run does, and nothing is lost yet
    assert [r["selfInvoked"] for r in chain] == [True, False]
    stopped = [line["message"] for line in _lines(account, "ERROR")]
    assert len(stopped) == 1 and "after 1 continuations" in stopped[0]
    assert "an unfinished backfill is kept" in stopped[0]
    assert "starts over" not in stopped[0]
    kept = _kept(account)["unfinished"]
    assert [entry["job"]["logGroup"] for entry in kept] == ["/aws/lambda/fn-00000"]
    assert kept[0]["job"]["nextToken"] is None  # tokens expire: it restarts at a timestamp
    first = windowed_events.sent(account)
    assert 0 < len(first) < 200

    # WHEN later scheduled runs come (the group's filter is unchanged by then)
    later = [account.run_chain(RECONCILE) for _ in range(3)]

    # THEN they resume the job where it stopped: every event sent exactly once, and the kept
    # state is deleted once the job has ended
    assert all("created" not in r["outcomes"] for chain in later for r in chain)
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1
    assert KEY not in account.s3.objects
    assert all(r["backfillPermanentlyFailed"] == [] for chain in later for r in chain)


def test_without_a_state_bucket_the_lost_window_is_reported_and_counted() -> None:
    # GIVEN the same slow job, a chain of at most 1 continuation, and no state bucket
    account = _slow(1, events=200, message_bytes=1000, MAX_CONTINUATIONS="1", state=False)

    # WHEN the subscriber runs
    chain = account.run_chain(RECONCILE)

    # THEN the ERROR names the group and the window not sent, and it counts as permanently
    # failed (the metric the backfill-permanently-failed alarm watches)
    lost = [line for line in _lines(account, "ERROR") if "cannot be kept" in line["message"]]
    assert len(lost) == 1
    assert lost[0]["logGroup"] == "/aws/lambda/fn-00000"
    assert {"startMs", "endMs", "boundaryMs"} <= set(lost[0])
    assert chain[-1]["backfillPermanentlyFailed"] == ["/aws/lambda/fn-00000"]
    metrics = [json.loads(line) for line in account.emitted if '"_aws"' in line]
    assert metrics[-1]["BackfillPermanentlyFailed"] == 1


def test_a_continuation_without_progress_keeps_its_job() -> None:
    # GIVEN the slow job, its chain's second invocation throttled on every FilterLogEvents
    account = _slow(1, events=200, message_bytes=1000)
    first = account.run(RECONCILE)
    assert first["selfInvoked"] is True
    throttled = account.logs.filter_log_events

    def refuse(**params: Any) -> dict[str, Any]:
        account.logs._called("FilterLogEvents")
        raise ClientError({"Error": {"Code": "ThrottlingException"}}, "FilterLogEvents")

    account.logs.filter_log_events = refuse  # type: ignore[method-assign]

    # WHEN the continuation runs (no progress: it does not invoke itself again)
    second = account.run(account.lambda_.invoked.pop(0))
    assert second["selfInvoked"] is False
    assert any("without any progress" in line["message"] for line in _lines(account, "ERROR"))

    # THEN its job is kept, and once the API answers again the scheduled runs send the rest
    assert _kept(account)["unfinished"][0]["job"]["logGroup"] == "/aws/lambda/fn-00000"
    account.logs.filter_log_events = throttled  # type: ignore[method-assign]
    for _ in range(4):
        account.run_chain(RECONCILE)
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)


def test_without_a_state_bucket_a_returned_continuation_is_a_warning_not_a_loss() -> None:
    # GIVEN the slow job, no state bucket, and a synchronous caller (selfInvoke false)
    account = _slow(1, events=200, message_bytes=1000, state=False)

    # WHEN it runs once
    result = account.run({"action": "reconcile", "selfInvoke": False})

    # THEN the job is only in the continuation returned: a WARN says so, nothing is counted lost
    assert result["continuation"] is not None and result["backfillPermanentlyFailed"] == []
    warned = [line["message"] for line in _lines(account, "WARN")]
    assert any("only the returned continuation holds it" in message for message in warned)


def test_a_refused_self_invocation_keeps_the_paused_backfill() -> None:
    # GIVEN the slow job, and a Lambda that refuses the Invoke (AccessDenied: no retry mends it)
    account = _slow(1, events=200, message_bytes=1000)

    def refuse(FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Invoke")

    account.lambda_.invoke = refuse  # type: ignore[method-assign]

    # WHEN the run pauses the backfill and cannot continue itself
    with pytest.raises(ClientError):
        account.run(RECONCILE)

    # THEN the run fails, but the job is kept for the next run, which sends the rest once
    assert [e["job"]["logGroup"] for e in _kept(account).get("unfinished", [])] == [
        "/aws/lambda/fn-00000"
    ]
    assert 0 < len(windowed_events.sent(account)) < 200
    del account.lambda_.invoke
    for _ in range(4):
        account.run_chain(RECONCILE)
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1
