"""The re-point loop of a scale-down (infra/lambda_invocation.py) runs synchronous reconciles
(`selfInvoke: false`). Such a run resumes no kept backfill: a fresh full run used to resume
every kept one first (Subscriber._retry_pending), then the first one paused until it ended,
before walking a single group, so an unfinished backfill kept from before (a slow one, at the
byte budget) delayed every filter's move by its whole remaining time, hours at 10 KiB/s: past
the loop's 6 h the update failed, and every later `pulumi up` started the same way. The
scheduled runs send it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from infra.lambda_invocation import LambdaInvocationProvider
from lambda_shared.routing import route
from subscriptions.continuation import BackfillJob
from tests.infra.test_scale_down_invocation import ARNS, THREE, TWO
from tests.subscriptions import windowed_events
from tests.subscriptions.fake_account import Account

KEY = "subscriber/pending-backfills/lambda-logs-pipeline.json"


def test_a_kept_backfill_does_not_hold_back_the_re_point() -> None:
    # GIVEN 300 groups reconciled on three streams, with no backfill to do
    account = Account(
        300, timeout_s=120, DESTINATION_ARN=",".join(ARNS), BACKFILL_BYTES_PER_SECOND="1024"
    )
    account.run_chain({"action": "reconcile"})
    moved = [g for g in account.logs.groups if route(g, ARNS) == ARNS[2]]
    # ... and one backfill kept unfinished from before: ~400 KB of records at 1 KiB/s (~7 min)
    windowed_events.install(account, events=800, per_page=100, message_bytes=1000)
    now = account.logs.clock
    job = BackfillJob("/aws/lambda/fn-00000", "123456789012", now - 7_200_000, now, now)
    state = {"version": 1, "pending": [], "unfinished": [{"job": job.to_token()}]}
    account.s3.put_object(Bucket="lambda-logs-backup", Key=KEY, Body=json.dumps(state).encode())
    answers: list[Mapping[str, Any]] = []

    def invoke(_props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        answers.append(account.run(dict(payload)))
        return answers[-1]

    # WHEN `pulumi up` lowers the count to two
    account.env["DESTINATION_ARN"] = ",".join(ARNS[:2])
    LambdaInvocationProvider(invoke, clock=lambda: account.clock.elapsed).update(
        "id", dict(THREE), dict(TWO)
    )

    # THEN the filters moved in the first invocation, and the deploy-time runs sent nothing
    assert answers[0]["outcomes"].get("updated", 0) == len(moved), [
        (a["outcomes"], a["backfillEvents"]) for a in answers
    ]
    assert answers[-1]["complete"] and sum(a["backfillEvents"] for a in answers) == 0
    kept = json.loads(account.s3.objects[KEY])["unfinished"]
    assert [e["job"]["logGroup"] for e in kept] == ["/aws/lambda/fn-00000"]

    # WHEN the scheduled runs come
    for _ in range(3):
        account.run_chain({"action": "reconcile"})

    # THEN they sent the kept backfill, once, and forgot it
    sent = windowed_events.sent(account)
    assert sorted(sent) == sorted(f"/aws/lambda/fn-00000#{i}" for i in range(800))
    assert max(sent.values()) == 1
    assert KEY not in account.s3.objects
