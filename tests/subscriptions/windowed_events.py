"""A FilterLogEvents for the fake account that honours the request as the real one does: only
the events stamped in [startTime, endTime], sorted by timestamp ("The returned log events are
sorted by event timestamp", API reference), `limit` or `per_page` a page, `nextToken` the
position in that answer. So a job restarted at a timestamp without its token reads exactly the
events from there on, and a test can count what was sent twice or never."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from typing import Any

from tests.subscriptions.fake_account import Account


def install(
    account: Account,
    *,
    events: int,
    per_page: int,
    message_bytes: int = 100,
    per_millisecond: int = 1,
) -> None:
    """Every group holds `events` events, `per_millisecond` to each millisecond, ingested
    before any filter exists; messages are random hex (gzip halves them, no more), so the
    records' size, and the time they take at the byte budget, is what a test chooses."""
    logs = account.logs
    first = logs.clock - 3_600_000  # an hour before the filters: inside the look-back

    def stored(group: str) -> list[dict[str, Any]]:
        rng = random.Random(group)
        bodies = [rng.randbytes(message_bytes // 2).hex() for _ in range(events)]
        return [
            {
                "eventId": f"{group}#{i}",
                "logStreamName": f"2026/11/23/[$LATEST]{i % 3}",
                "timestamp": first + i // per_millisecond,
                "ingestionTime": first + i // per_millisecond + 1,
                "message": f"{i:06d} {bodies[i]}",
            }
            for i in range(events)
        ]

    cache: dict[str, list[dict[str, Any]]] = {}

    def filter_log_events(**params: Any) -> dict[str, Any]:
        logs._called("FilterLogEvents")
        group = params["logGroupName"]
        found = [
            e
            for e in cache.setdefault(group, stored(group))
            if params["startTime"] <= e["timestamp"] <= params["endTime"]
        ]
        at = int(params.get("nextToken", 0))
        size = min(per_page, params.get("limit", per_page))
        answer: dict[str, Any] = {"events": found[at : at + size]}
        if at + size < len(found):
            answer["nextToken"] = str(at + size)
        return answer

    logs.filter_log_events = filter_log_events  # type: ignore[method-assign]


def sent(account: Account) -> Counter[str]:
    """How often each event id was put into the stream."""
    return Counter(
        event["id"]
        for records in account.firehose.records.values()
        for record in records
        for event in json.loads(gzip.decompress(record))["logEvents"]
    )


def expected(account: Account, events: int) -> set[str]:
    return {f"{group}#{i}" for group in account.logs.groups for i in range(events)}
