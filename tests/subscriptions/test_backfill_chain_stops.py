"""Review #12: a backfill paced below ~2.4 KiB/s (a hub's share with ~20+ rolled-out spokes is
raised to the 1,024 bytes/s floor) pauses after every page (the page reserve, 2 MiB / rate,
exceeds any Lambda timeout), so each page costs a continuation; when the chain reaches
MAX_CONTINUATIONS the paused job in the cursor is dropped, the group now holds its filter, and
no later run sends the rest of its window."""

from __future__ import annotations

import gzip
import json
from typing import Any

from tests.subscriptions.fake_account import Account

PAGES = 4
PER_PAGE = 50


def _paged(account: Account) -> None:
    logs = account.logs

    def filter_log_events(**params: Any) -> dict[str, Any]:
        logs._called("FilterLogEvents")
        page = int(params.get("nextToken", 0))
        events = [
            {
                "eventId": f"{params['logGroupName']}-{page}-{i}",
                "logStreamName": "2026/11/23/[$LATEST]abc",
                "timestamp": logs.clock - 10,
                "ingestionTime": logs.clock - 5,
                "message": f"line {page}-{i} " + "x" * 100,
            }
            for i in range(PER_PAGE)
        ]
        answer: dict[str, Any] = {"events": events}
        if page + 1 < PAGES:
            answer["nextToken"] = str(page + 1)
        return answer

    logs.filter_log_events = filter_log_events  # type: ignore[method-assign]


def _sent(account: Account) -> int:
    return sum(
        len(json.loads(gzip.decompress(r))["logEvents"])
        for records in account.firehose.records.values()
        for r in records
    )


def test_a_slow_backfill_is_never_dropped_when_the_chain_stops() -> None:
    account = Account(6, timeout_s=900, BACKFILL_BYTES_PER_SECOND="1024", MAX_CONTINUATIONS="3")
    _paged(account)
    account.run_chain({"action": "reconcile"})
    for _ in range(5):  # later scheduled runs
        account.run_chain({"action": "reconcile"})
    assert _sent(account) == 6 * PAGES * PER_PAGE


def test_at_the_share_floor_with_default_continuations() -> None:
    # 40 busy groups (4 pages of lookback each) and the 1,024 bytes/s floor of a hub's share
    account = Account(40, timeout_s=900, BACKFILL_BYTES_PER_SECOND="1024")
    _paged(account)
    chain = account.run_chain({"action": "reconcile"})
    for _ in range(3):
        account.run_chain({"action": "reconcile"})
    stopped = [line for line in account.emitted if "continuations" in line]
    assert _sent(account) == 40 * PAGES * PER_PAGE, (len(chain), stopped[:1])
