"""Output on the console: report lines and tables on stdout, a progress indicator on stderr.

`rich` is not a dependency (not installed where this is built): tables are aligned here, and
nothing writes an escape code to a stream that is not a terminal, so logs and pipes (and the
tests, which capture the output) get plain text."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Final, TextIO

_BAR_WIDTH: Final = 28


def print_lines(out: TextIO, lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=out)


def is_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], *, indent: str = "  "
) -> list[str]:
    """Columns aligned to their widest cell, a rule under the header; the last column is left
    unpadded (no trailing spaces)."""
    body = [[str(cell) for cell in row] for row in rows]
    widths = [len(name) for name in columns]
    for row in body:
        for i, cell in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(cells[:-1])]
        return (indent + "  ".join([*padded, cells[-1]])).rstrip()

    return [line(columns), line(["-" * w for w in widths]), *(line(row) for row in body)]


_STYLES: Final = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "dim": "2"}


def styled(text: str, style: str, stream: TextIO) -> str:
    """`text` in `style` (bold, red, green, yellow, dim) on a terminal; as is anywhere else."""
    if not is_terminal(stream) or style not in _STYLES:
        return text
    return f"\033[{_STYLES[style]}m{text}\033[0m"


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
        self._tty = is_terminal(self._stream)
        self._interval = 0.1 if self._tty else interval
        self._enabled = enabled
        self._clock = clock
        self._started = clock()
        # the first report comes after one second at most, then every interval
        self._last_shown = self._started - self._interval + min(self._interval, 1.0)

    def start(self) -> None:
        """Report right away (0 done), so a long run shows it has begun."""
        self._last_shown = self._clock()
        self._show(final=False)

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
