"""Output on the console: report lines and tables on stdout, a progress indicator on stderr,
drawn by `rich`.

Off a terminal (a pipe, a log, the tests' captured output) everything is plain text: no escape
code, no box-drawing character, a table as wide as its widest cells whatever `COLUMNS` says, so
no cell (a request id, a trace id) is ever wrapped or cut and `grep`/`cut` work on it. On a
terminal, headers and states are styled and `NO_COLOR` (https://no-color.org) is honoured by rich
itself. Cells and labels are `rich.text.Text`, never markup: a log line's `[ERROR]` or
`[$LATEST]` is printed as it is.

`rich` is imported when something is drawn, not when the module is imported, so
`lambdalogs --version` does not pay for it."""

from __future__ import annotations

import atexit
import io
import sys
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Final, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

# A table off a terminal is never narrower than its content: rich only wraps or truncates a cell
# when the table is wider than the console.
_PLAIN_WIDTH: Final = 100_000
# a header rule of ASCII dashes and nothing else (rich.box.Box: 8 lines of 4 characters)
_HEADER_RULE: Final = "    \n    \n -  \n    \n    \n    \n    \n    \n"
_STYLES: Final = frozenset({"bold", "red", "green", "yellow", "dim"})


def print_lines(out: TextIO, lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=out)


def is_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def console_for(stream: TextIO, *, file: TextIO | None = None) -> Console:
    """A rich console that draws for `stream`: styled on a terminal, plain and unbounded in width
    anywhere else. It writes to `file` (default: `stream`)."""
    from rich.console import Console

    tty = is_terminal(stream)
    return Console(
        file=file if file is not None else stream,
        force_terminal=tty,
        no_color=None if tty else True,  # None: rich reads NO_COLOR
        width=None if tty else _PLAIN_WIDTH,
        markup=False,
        highlight=False,
        emoji=False,
    )


def _rendered(stream: TextIO | None, renderable: object, *, soft_wrap: bool = False) -> list[str]:
    """`renderable` drawn for `stream` (plain when None), as lines without trailing spaces;
    `soft_wrap`: never wrapped at the screen's width."""
    buffer = io.StringIO()
    console = console_for(stream if stream is not None else buffer, file=buffer)
    console.print(renderable, soft_wrap=soft_wrap)
    return [line.rstrip() for line in buffer.getvalue().splitlines()]


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    indent: str = "  ",
    out: TextIO | None = None,
    right: Collection[int] = (),
    header: bool = True,
) -> list[str]:
    """A rich table as lines: columns as wide as their widest cell, two spaces apart, a rule of
    dashes under the header (no header unless `header`), columns numbered in `right` aligned
    right. Off a terminal (or without `out`) it is plain text and no cell is wrapped; on a
    terminal, cells fold when the table is wider than the screen."""
    from rich.box import Box
    from rich.table import Table
    from rich.text import Text

    tty = out is not None and is_terminal(out)
    grid = Table(
        box=Box(_HEADER_RULE, ascii=True),
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="bold" if tty else "",
        show_header=header,
    )
    for i, name in enumerate(columns):
        # "fold": a cell too wide for a terminal continues on the next line, never cut with an
        # ellipsis; off a terminal the console is wider than any table, so nothing folds
        grid.add_column(Text(name), justify="right" if i in right else "left", overflow="fold")
    for row in rows:
        grid.add_row(*(Text(str(cell)) for cell in row))
    return [indent + line if line else line for line in _rendered(out, grid)]


def styled(text: str, style: str, stream: TextIO) -> str:
    """`text` in `style` (bold, red, green, yellow, dim) on a terminal; as is anywhere else."""
    if not is_terminal(stream) or style not in _STYLES:
        return text
    from rich.text import Text

    return "\n".join(_rendered(stream, Text(text, style=style), soft_wrap=True))


class Progress:
    """Counts work done out of an optional total and reports it on `stream` (stderr).

    On a terminal a transient rich progress bar is redrawn in place at most ten times a second and
    replaced by one summary line at the end; in a log or a pipe a plain line is written every
    `interval` seconds and once at the end, so CI logs stay short. The first report comes one
    second after the start at most; `start()` reports right away.
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
        self._bar: tuple[RichProgress, TaskID] | None = None

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

    def __enter__(self) -> Progress:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """A run that fails takes its bar away first (no summary): the error that follows is
        then a line of its own, not one glued to the bar."""
        if kind is None:
            self.finish()
        else:
            self._close_bar()

    def _show(self, *, final: bool) -> None:
        if not self._enabled:
            return
        if not self._tty:
            self._stream.write(self._text() + "\n")
            self._stream.flush()
            return
        progress, task = self._bar or self._open_bar()
        progress.update(task, completed=self.done, counts=self._counts())
        progress.refresh()
        if final:
            self._close_bar()
            self._stream.write(self._text() + "\n")
            self._stream.flush()

    def _open_bar(self) -> tuple[RichProgress, TaskID]:
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        progress = RichProgress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("{task.fields[counts]}", markup=False),
            TimeElapsedColumn(),
            console=console_for(self._stream),
            transient=True,
            auto_refresh=False,  # redrawn on advance (ten times a second at most)
            redirect_stdout=False,  # stdout stays the report's, untouched
            redirect_stderr=False,
            get_time=self._clock,
        )
        task = progress.add_task(self.label, total=self.total or None, counts=self._counts())
        progress.start()
        # rich hides the cursor while the bar is drawn: give it back even if the run fails
        atexit.register(self._close_bar)
        self._bar = (progress, task)
        return self._bar

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar[0].stop()
            self._bar = None
            atexit.unregister(self._close_bar)

    def _counts(self) -> str:
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = f"{self.done / elapsed:,.0f} {self.unit}/s"
        done = f"{self.done:,}/{self.total:,}" if self.total else f"{self.done:,}"
        return f"{done} {self.unit} ({rate})"

    def _text(self) -> str:
        if not self.total:
            return f"{self.label}: {self._counts()}"
        share = min(self.done / self.total, 1.0)
        return f"{self.label}: {share:.0%} {self._counts()}"
