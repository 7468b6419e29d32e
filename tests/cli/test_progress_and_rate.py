"""The progress indicator (TTY-aware) and the replay rate limit."""

from __future__ import annotations

import io

from lambdalogs.console import Progress
from lambdalogs.search.indexing import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_a_bar_on_a_terminal() -> None:
    clock, stream = Clock(), Terminal()
    progress = Progress("replay", 10, unit="objects", stream=stream, clock=clock)
    for _ in range(10):
        clock.now += 1
        progress.advance()
    progress.finish()
    text = stream.getvalue()
    # redrawn in place (carriage return, erase the line) on every advance and at the end
    assert text.count("\r\033[2K") >= 11 and text.endswith("\n")
    assert "━" in text and "10/10 objects (1 objects/s)" in text
    # the bar is transient: one plain summary line stays, after the bar is erased
    assert text.rsplit("\033[2K", 1)[1] == "replay: 100% 10/10 objects (1 objects/s)\n"
    assert text.count("\033[?25l") == text.count("\033[?25h") == 1  # the cursor comes back


def test_a_run_that_fails_takes_its_bar_away_before_the_error() -> None:
    """Used as a context: a failure closes the bar without the summary line, so the error
    printed next starts a line of its own (not glued to the bar's last drawing)."""
    clock, stream = Clock(), Terminal()
    try:
        with Progress("replay", 4, unit="objects", stream=stream, clock=clock) as progress:
            clock.now += 1
            progress.advance()
            raise RuntimeError("cannot read the settings")
    except RuntimeError:
        pass
    text = stream.getvalue()
    assert "━" in text and "replay: " not in text.rsplit("\033[2K", 1)[1]  # no summary line
    assert text.count("\033[?25l") == text.count("\033[?25h") == 1  # the cursor comes back
    stream.write("lambdalogs replay: error: x\n")
    assert stream.getvalue().rsplit("\033[2K", 1)[1] == "lambdalogs replay: error: x\n"
    finished = Terminal()
    with Progress("replay", 1, unit="objects", stream=finished, clock=clock) as progress:
        clock.now += 1
        progress.advance()
    assert finished.getvalue().endswith("replay: 100% 1/1 objects (1 objects/s)\n")


def test_progress_writes_plain_periodic_lines_in_a_log() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = Progress("replay", 100, unit="objects", stream=stream, clock=clock, interval=5)
    for _ in range(100):
        clock.now += 0.5
        progress.advance()
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert len(lines) == 11  # one every 5 s over 50 s, and the last
    assert lines[-1] == "replay: 100% 100/100 objects (2 objects/s)"
    assert all(line.isascii() for line in lines)  # no bar drawn, no escape code


def test_rate_limiter_keeps_the_average_under_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(100.0, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire(50)  # 250 documents at 100/s: the last batch may start at 2.0 s
    assert clock.now == 2.0


def test_no_rate_never_sleeps() -> None:
    clock = Clock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    limiter.acquire(10_000)
    assert clock.slept == []
