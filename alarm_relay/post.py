"""One HTTP request per channel, with a 5-second timeout; the outcome never holds the URL or a
header (they are credentials), only the channel's name and the status or the error's kind."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from alarm_relay.bodies import Request

TIMEOUT_SECONDS: Final = 5.0


@dataclass(frozen=True)
class Outcome:
    channel: str
    status: int | None
    """The HTTP status, None when no answer came (timeout, refused, DNS)."""
    error: str = ""
    """The kind of failure when there was no answer (the exception's class name)."""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        return (
            f"{self.channel}: HTTP {self.status}"
            if self.status
            else f"{self.channel}: {self.error}"
        )


Sender = Callable[[Request], Outcome]


def send(request: Request, timeout: float = TIMEOUT_SECONDS) -> Outcome:
    """POST (or the webhook's method) the request; a refusal is an outcome, not an exception."""
    prepared = urllib.request.Request(
        request.url, data=request.body, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as answer:
            return Outcome(request.channel, int(answer.status))
    except urllib.error.HTTPError as exc:  # non-2xx: the status is all we keep
        exc.close()
        return Outcome(request.channel, int(exc.code))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return Outcome(request.channel, None, type(exc).__name__)
