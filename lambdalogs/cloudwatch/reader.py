"""A log group's events between two times, read back with FilterLogEvents, a page at a time,
grouped by log stream as CloudWatch delivers them to a subscription.

The events carry the same ids (`eventId`) as the subscription's deliveries, so what was indexed
already is recognised and skipped (`lambdalogs/search/restoring.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Final

from lambdalogs.aws_errors import aws_errors
from lambdalogs.errors import CliError, InputError, RemoteError
from lambdalogs.local.logevents import LogBatch

PAGE_EVENTS: Final = 10_000
"""FilterLogEvents `limit`: "The maximum number of events to return. The default is 10,000
events" (also the maximum), and at most 1 MB a page."""


@dataclass(frozen=True)
class Window:
    """[start_ms, end_ms): FilterLogEvents' endTime is inclusive, so it is asked end_ms - 1."""

    start_ms: int
    end_ms: int


def log_groups(client: Any, names: Sequence[str], prefixes: Sequence[str]) -> list[str]:
    """The named groups and every group under each prefix, in name order, each once."""
    found = dict.fromkeys(names)
    paginator = client.get_paginator("describe_log_groups")
    for prefix in prefixes:
        with logs_errors(f"log groups {prefix}*", "logs:DescribeLogGroups"):
            for page in paginator.paginate(logGroupNamePrefix=prefix):
                groups = page.get("logGroups", [])
                found.update(dict.fromkeys(g["logGroupName"] for g in groups))
    if not found:
        raise InputError(
            "no log group to backfill: give --log-group NAME or a --log-group-prefix that "
            "matches at least one group"
        )
    return sorted(found)


def pages(client: Any, group: str, window: Window, owner: str) -> Iterator[list[LogBatch]]:
    """Each FilterLogEvents page of `group` in `window`, as one batch per log stream."""
    paginator = client.get_paginator("filter_log_events")
    request = {
        "logGroupName": group,
        "startTime": window.start_ms,
        "endTime": window.end_ms - 1,
        "limit": PAGE_EVENTS,
    }
    answers = iter(paginator.paginate(**request))
    while True:
        with logs_errors(f"log group {group}", "logs:FilterLogEvents"):  # not around the yield
            page = next(answers, None)
        if page is None:
            return
        yield _batches(group, page.get("events", []), owner)


def logs_errors(where: str, permission: str) -> AbstractContextManager[None]:
    """CloudWatch Logs' (and STS's) errors as one line that says what to do."""
    return aws_errors("CloudWatch Logs", where, permission, _client_error)


BAD_CREDENTIALS: Final = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",  # a wrong secret key
    }
)


def _client_error(code: str, where: str, permission: str) -> CliError:
    if code in BAD_CREDENTIALS:
        return RemoteError(
            f"AWS refused your credentials ({code}): refresh them (`aws sso login`) or set "
            "AWS_PROFILE, then repeat the same command"
        )
    if code == "ResourceNotFoundException":
        return InputError(f"{where} does not exist (check the name and --region)")
    if code in ("AccessDeniedException", "AccessDenied"):
        return RemoteError(f"AWS refused {permission} on {where} ({code}): use allowed credentials")
    return RemoteError(f"CloudWatch Logs failed on {where} ({code}); repeat the same command")


def _batches(group: str, events: list[dict[str, Any]], owner: str) -> list[LogBatch]:
    by_stream: dict[str, LogBatch] = {}
    for event in events:
        stream = str(event["logStreamName"])
        batch = by_stream.get(stream)
        if batch is None:
            batch = by_stream[stream] = LogBatch(group, stream, owner=owner)
        batch.events.append(
            {
                "id": str(event["eventId"]),
                "timestamp": int(event["timestamp"]),
                "message": str(event["message"]),
            }
        )
    for batch in by_stream.values():
        batch.events.sort(key=lambda e: (e["timestamp"], e["id"]))
    return list(by_stream.values())
