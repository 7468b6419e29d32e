"""One log event read from a file, with the log group and stream the file names (if any)."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from lambdalogs.local.logevents import CloudWatchEvent


class Entry(NamedTuple):
    group: str | None
    stream: str | None
    event: CloudWatchEvent


def event(
    timestamp: int, number: int, message: str, event_id: str | None = None
) -> CloudWatchEvent:
    return {
        "id": event_id or synthetic_id(timestamp, number, message),
        "timestamp": timestamp,
        "message": message,
    }


def synthetic_id(timestamp: int, number: int, message: str) -> str:
    """A stable 56-digit id (like CloudWatch's) for events whose source does not carry one,
    increasing with time and then with the order in the file."""
    digest = int(hashlib.sha256(f"{timestamp}:{number}:{message}".encode()).hexdigest(), 16)
    return f"{timestamp:013d}{number:010d}{digest % 10**33:033d}"
