"""Which of a page's events fit the time an invocation has left, at the backfill's byte budget.

A page (FilterLogEvents: "up to 1 MB of log events or up to 10,000 log events") sent at a slow
budget can take longer than a whole invocation (1 MB at 1,024 bytes/s: over 16 minutes, beyond
Lambda's 900 s). So a page whose records do not fit is cut between two timestamps: "The
returned log events are sorted by event timestamp" (FilterLogEvents API reference), so the
events before the cut are sent and the job restarts, without a page token, at the first
timestamp not sent: nothing is sent twice and nothing is skipped. A page put off whole (an
invocation that already sent a page) is read again from its oldest timestamp, or, when it begins
within the millisecond the previous page ended in (pages end at 1 MB or 10,000 events, not
between milliseconds), with its page token (backfill.py): that millisecond's events already sent
are not sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from subscriptions.logs_api import LogEvent


def cuts(events: Sequence[LogEvent]) -> list[int]:
    """The prefix lengths that end between two timestamps (the last is every event)."""
    found = [i for i in range(1, len(events)) if events[i].timestamp != events[i - 1].timestamp]
    return [*found, len(events)] if events else []


def fitting_prefix(events: Sequence[LogEvent], fits: Callable[[Sequence[LogEvent]], bool]) -> int:
    """How many events to send: the longest prefix ending between two timestamps for which
    `fits` holds (binary search: the records of a longer prefix are never smaller), at least
    the first millisecond's events (so that a fresh invocation always moves on)."""
    points = cuts(events)
    if not points:
        return 0
    low, high = 0, len(points) - 1  # points[low] is the answer unless a longer one fits
    while low < high:
        middle = (low + high + 1) // 2
        if fits(events[: points[middle]]):
            low = middle
        else:
            high = middle - 1
    return points[low]


def restart_ms(unsent: Sequence[LogEvent]) -> int:
    """Where a cut job resumes: the oldest timestamp not sent."""
    return min(event.timestamp for event in unsent)
