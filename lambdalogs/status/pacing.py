"""Calls spaced out under an account-wide quota that other callers share."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Pacer:
    """At most `per_second` calls a second: `wait()` before each call sleeps the rest of the
    interval since the previous one (the first call goes at once)."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last = self._clock()


class PacedClient:
    """A boto3 client whose named operations each wait on their pacer before every call, so
    pages and retries count against the pace too."""

    def __init__(self, client: Any, pacers: dict[str, Pacer]) -> None:
        self._client = client
        self._pacers = pacers

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        pacer = self._pacers.get(name)
        if pacer is None:
            return attribute

        def paced(*args: Any, **kwargs: Any) -> Any:
            pacer.wait()
            return attribute(*args, **kwargs)

        return paced
