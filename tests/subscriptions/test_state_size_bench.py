"""bench/state_size.py measures the object the subscriber really writes and reads back."""

from __future__ import annotations

from bench import state_size
from subscriptions.group_state import GroupState
from subscriptions.report import RunReport


def test_the_measured_object_is_the_state_of_that_many_groups() -> None:
    store = state_size._Memory()
    state_size._filled(2_000, store).save()
    assert store.body is not None
    read_back = GroupState(store, RunReport("reconcile", namespace="test", emit=lambda _: None))
    assert len(read_back) == 2_000 and not read_back.lost

    figures = state_size.measure(2_000, rounds=1)
    assert figures.groups == 2_000
    assert figures.gzip_bytes == len(store.body)  # same entries, same bytes (mtime=0)
    assert figures.gzip_bytes < 2_000 * 50  # compressed below the ~100 bytes of JSON per group
    assert figures.read_cpu_s > 0 and figures.parse_peak_bytes > figures.gzip_bytes


def test_the_table_has_a_row_per_size() -> None:
    rows = state_size.table([state_size.measure(n, rounds=1) for n in (100, 1_000)])
    assert [row.split(" | ")[0] for row in rows[3:]] == ["| 100", "| 1,000"]
