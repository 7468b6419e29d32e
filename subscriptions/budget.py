"""The time budget of one invocation: stop cleanly before Lambda's timeout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

UNLIMITED_MS: Final = 2**62


@dataclass(frozen=True)
class TimeBudget:
    """Exhausted once the remaining time falls to the margin (kept for the slowest step)."""

    remaining_ms: Callable[[], int]
    margin_ms: int

    @classmethod
    def from_context(cls, context: object, margin_seconds: float) -> TimeBudget:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if not callable(remaining):
            return cls(lambda: UNLIMITED_MS, int(margin_seconds * 1000))
        return cls(lambda: int(remaining()), int(margin_seconds * 1000))

    def exhausted(self, reserve_ms: int = 0) -> bool:
        """`reserve_ms`: also keep this long for a step known to take it (a paced backfill
        page)."""
        return self.remaining_ms() <= self.margin_ms + reserve_ms
