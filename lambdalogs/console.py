"""Output on the console: report lines on stdout, a progress indicator on stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Final, TextIO

_BAR_WIDTH: Final = 28


def print_lines(out: TextIO, lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=out)


class Progress:
    """Counts work done out of an optional total and reports it on `stream` (stderr).

    On a terminal the bar is redrawn in place at most ten times a second; in a log or a pipe a
    plain line is written every `interval` seconds and once at the end, so CI logs stay short.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        unit: str = "items",
        stream: TextIO | None = None,
        interval: float = 5.0,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._interval = 0.1 if self._tty else interval
        self._enabled = enabled
        self._clock = clock
        self._started = clock()
        self._last_shown = self._started

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self._clock()
        if now - self._last_shown >= self._interval:
            self._last_shown = now
            self._show(final=False)

    def finish(self) -> None:
        self._show(final=True)

    def _show(self, *, final: bool) -> None:
        if not self._enabled:
            return
        text = self._text()
        if self._tty:
            self._stream.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def _text(self) -> str:
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = f"{self.done / elapsed:,.0f} {self.unit}/s"
        if not self.total:
            return f"{self.label}: {self.done:,} {self.unit} ({rate})"
        share = min(self.done / self.total, 1.0)
        filled = round(share * _BAR_WIDTH)
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        return f"{self.label} [{bar}] {self.done:,}/{self.total:,} {self.unit} ({rate})"
