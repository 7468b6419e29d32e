"""A deploy-time run (`selfInvoke: false`: the re-point loop of a scale-down,
infra/invocation_loop.py, or a loop by hand) only puts filters. With a state bucket it puts
every new group's backfill off (kept unfinished) and resumes no kept one: the scheduled runs
send them. So its answer's continuation never carries a backfill: a caller that passes it back
round after round and a scheduled run that takes the single concurrency slot between two of
its calls (and resumes the kept copy) used to send the same window twice. Without a bucket
nothing else would send them: the backfills run inline, and the returned continuation holds a
paused one (tests/subscriptions/test_backfill_chain_stops.py)."""

from __future__ import annotations

import json
from typing import Any

from tests.subscriptions import windowed_events
from tests.subscriptions.test_backfill_chain_stops import KEY, RECONCILE, _kept, _slow

SYNC = {"action": "reconcile", "selfInvoke": False}


def _loop(account: Any, token: Any) -> list[dict[str, Any]]:
    """Pass the continuation back until complete, as infra/invocation_loop.py does."""
    answers = []
    while token is not None:
        answers.append(dict(account.run({**SYNC, "continuation": token})))
        token = answers[-1]["continuation"]
    return answers


def test_a_returned_continuation_and_a_scheduled_run_do_not_send_the_same_events() -> None:
    # GIVEN the slow job of test_backfill_chain_stops, run once by a synchronous caller
    account = _slow(1, events=200, message_bytes=1000)
    first = account.run(SYNC)

    # WHEN a scheduled run comes (it resumes the kept job), then the caller passes the
    # continuation back until complete
    account.run_chain(RECONCILE)
    later = _loop(account, first["continuation"])

    # THEN every event was sent, once; the deploy-time runs sent none of them
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1
    assert [a["backfillEvents"] for a in [first, *later]] == [0] * (1 + len(later))


def test_a_new_groups_backfill_is_put_off_for_the_scheduled_runs() -> None:
    # GIVEN the slow job, and a synchronous caller
    account = _slow(1, events=200, message_bytes=1000)

    # WHEN it runs once with selfInvoke false
    first = account.run(SYNC)

    # THEN it put the filter and nothing else: the job is kept unfinished, not started, and
    # the answer is complete (no continuation holds the job)
    assert first["outcomes"] == {"created": 1} and first["complete"]
    assert first["continuation"] is None and first["backfillEvents"] == 0
    kept = _kept(account)["unfinished"]
    assert [e["job"]["logGroup"] for e in kept] == ["/aws/lambda/fn-00000"]
    lines = [json.loads(line) for line in account.emitted if line.startswith("{")]
    assert any("backfill put off" in line.get("message", "") for line in lines)

    # WHEN scheduled runs come
    for _ in range(4):
        account.run_chain(RECONCILE)

    # THEN they sent it, once, and forgot it
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1
    assert KEY not in account.s3.objects


def test_a_continuation_that_carries_a_backfill_is_kept_not_run_nor_returned() -> None:
    # GIVEN the continuation of an asynchronous chain, paused inside the slow job (a token of
    # an earlier version's synchronous run has the same shape)
    account = _slow(1, events=200, message_bytes=1000)
    first = account.run(RECONCILE)
    token = account.lambda_.invoked.pop(0)["continuation"]
    assert token["backfill"] is not None
    sent_first = sum(windowed_events.sent(account).values())

    # WHEN a synchronous caller passes it (and its answers' continuations) back
    answer = account.run({**SYNC, "continuation": token})
    later = [answer, *_loop(account, answer["continuation"])]

    # THEN the walk went on without the backfill: kept for the scheduled runs, sent by none of
    # the deploy-time runs, in no continuation they returned
    assert first["selfInvoked"] and later[-1]["complete"]
    assert all(a["continuation"] is None or a["continuation"]["backfill"] is None for a in later)
    assert sum(windowed_events.sent(account).values()) == sent_first
    assert [e["job"]["logGroup"] for e in _kept(account)["unfinished"]] == ["/aws/lambda/fn-00000"]

    # WHEN the scheduled runs come, THEN every event was sent once
    for _ in range(4):
        account.run_chain(RECONCILE)
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1


def test_a_deploy_time_run_does_not_resume_kept_backfills() -> None:
    # GIVEN a job kept unfinished by an earlier scheduled run (cut by the continuation limit)
    account = _slow(1, events=200, message_bytes=1000, MAX_CONTINUATIONS="0")
    account.run_chain(RECONCILE)
    kept = _kept(account)
    sent_before = sum(windowed_events.sent(account).values())
    assert kept["unfinished"] and 0 < sent_before < 200

    # WHEN a synchronous caller reconciles
    answer = account.run(SYNC)

    # THEN it walked the groups without resuming the job: still kept as it was
    assert answer["complete"] and answer["backfillEvents"] == 0
    assert sum(windowed_events.sent(account).values()) == sent_before
    assert _kept(account) == kept


def test_without_a_state_bucket_a_deploy_time_run_still_backfills_inline() -> None:
    # GIVEN the slow job and no state bucket (nothing else would ever send it)
    account = _slow(1, events=200, message_bytes=1000, state=False)

    # WHEN a synchronous caller runs and passes each continuation back until complete
    first = account.run(SYNC)
    token = first["continuation"]
    assert first["backfillEvents"] > 0 and token is not None and token["backfill"] is not None
    _loop(account, token)

    # THEN the caller's runs sent every event, once
    sent = windowed_events.sent(account)
    assert set(sent) == windowed_events.expected(account, 200)
    assert max(sent.values()) == 1
