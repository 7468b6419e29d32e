"""Tables, styles and progress on the console: plain text off a terminal, progress from the
first second; and the pacer that keeps `status` under a shared API quota."""

from __future__ import annotations

import io
import itertools

from lambdalogs.console import Progress, styled, table
from lambdalogs.status.pacing import PacedClient, Pacer
from tests.cli.test_progress_and_rate import Clock, Terminal


def test_a_table_aligns_columns_to_the_widest_cell_without_trailing_spaces() -> None:
    lines = table(["function", "age"], [["orders", "2 min"], ["payments-api", "3 h"]])
    assert lines == [
        "  function      age",
        "  ------------- -----",  # rich's header rule, in ASCII dashes
        "  orders        2 min",
        "  payments-api  3 h",
    ]


def test_styles_are_escape_codes_on_a_terminal_only() -> None:
    assert styled("ATTENTION", "red", io.StringIO()) == "ATTENTION"
    assert styled("ATTENTION", "red", Terminal()) == "\033[31mATTENTION\033[0m"
    assert "\033[" not in styled("ATTENTION", "bold", io.StringIO())


def test_progress_reports_at_start_and_within_the_first_second() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = Progress("status", 100, unit="groups", stream=stream, clock=clock, interval=5)
    progress.start()
    assert stream.getvalue().splitlines() == ["status: 0% 0/100 groups (0 groups/s)"]
    quiet = io.StringIO()
    later = Progress("backfill", 10, stream=quiet, clock=clock, interval=5)
    clock.now += 0.9
    later.advance()
    assert quiet.getvalue() == ""
    clock.now += 0.2  # 1.1 s after the start: the first report, not after 5 s
    later.advance()
    assert quiet.getvalue().startswith("backfill: 20% 2/10 items")


def test_the_pacer_spaces_calls_by_the_interval_and_never_sleeps_needlessly() -> None:
    clock = Clock()
    pacer = Pacer(2.0, clock=clock, sleep=clock.sleep)
    starts = []
    for work in (0.0, 0.1, 0.7, 0.0):
        pacer.wait()
        starts.append(clock.now)
        clock.now += work
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    assert gaps == [0.5, 0.5, 0.7]
    assert [round(s, 6) for s in clock.slept] == [0.5, 0.4]


def test_a_paced_client_paces_only_the_named_operations() -> None:
    clock = Clock()
    calls: list[tuple[str, float]] = []

    class Client:
        def describe_subscription_filters(self, **kwargs: str) -> str:
            calls.append(("filters", clock.now))
            return kwargs["logGroupName"]

        def describe_log_groups(self) -> None:
            calls.append(("groups", clock.now))

    paced = PacedClient(
        Client(), {"describe_subscription_filters": Pacer(2.0, clock=clock, sleep=clock.sleep)}
    )
    assert [paced.describe_subscription_filters(logGroupName=f"g{i}") for i in range(3)] == [
        "g0",
        "g1",
        "g2",
    ]
    paced.describe_log_groups()
    paced.describe_log_groups()
    assert [round(at, 6) for kind, at in calls] == [0.0, 0.5, 1.0, 1.0, 1.0]
