"""Age of the newest document per function: one `terms` + `max` aggregation over the indices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.status.report import Check, Row, plural

LOOKBACK: Final = timedelta(days=7)
MAX_FUNCTIONS: Final = 1_000
DEFAULT_STALE_AFTER: Final = timedelta(minutes=30)


@dataclass(frozen=True)
class Newest:
    function: str
    documents: int
    newest: datetime


def query(now: datetime) -> dict[str, Any]:
    since = (now - LOOKBACK).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "size": 0,
        "query": {"range": {"@timestamp": {"gte": since}}},
        "aggs": {
            "functions": {
                "terms": {"field": "faas.name", "size": MAX_FUNCTIONS},
                "aggs": {"newest": {"max": {"field": "@timestamp"}}},
            }
        },
    }


def newest_per_function(cluster: OpenSearchCluster, prefix: str, now: datetime) -> list[Newest]:
    answer = cluster.search(f"{prefix}-*", query(now))
    buckets = answer.get("aggregations", {}).get("functions", {}).get("buckets", [])
    found = []
    for bucket in buckets:
        millis = bucket.get("newest", {}).get("value")
        if isinstance(millis, (int, float)):
            moment = datetime.fromtimestamp(millis / 1000, UTC)
            found.append(Newest(str(bucket["key"]), int(bucket.get("doc_count", 0)), moment))
    return sorted(found, key=lambda n: n.newest, reverse=True)


def age_text(age: timedelta) -> str:
    seconds = max(int(age.total_seconds()), 0)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172_800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} d"


def freshness_check(found: list[Newest], now: datetime, stale_after: timedelta) -> Check:
    """Attention when nothing arrived within `stale_after`: the pipeline delivers nothing.
    A single quiet function is shown as such (it may simply not have run)."""
    if not found:
        return Check(
            "freshness",
            "attention",
            f"no documents in the last {LOOKBACK.days} days",
            notes=("check the subscriptions and the delivery stream's errors (below)",),
        )
    newest = found[0].newest
    stale = now - newest > stale_after
    rows = tuple(
        Row(
            (n.function, f"{n.documents:,}", age_text(now - n.newest)),
            stale and n is found[0],
        )
        for n in found
    )
    summary = f"newest document {age_text(now - newest)} old, {plural(len(found), 'function')}"
    notes = (
        (
            f"nothing indexed for more than {age_text(stale_after)}: check the alarms and the "
            "failed records below, and the Firehose error log group",
        )
        if stale
        else ()
    )
    return Check(
        "freshness",
        "attention" if stale else "ok",
        summary,
        ("function", f"documents ({LOOKBACK.days} d)", "newest document age"),
        rows,
        notes,
        {
            "functions": [
                {
                    "function": n.function,
                    "documents": n.documents,
                    "newest": n.newest.isoformat().replace("+00:00", "Z"),
                    "age_seconds": int((now - n.newest).total_seconds()),
                }
                for n in found
            ],
            "stale_after_seconds": int(stale_after.total_seconds()),
        },
    )
