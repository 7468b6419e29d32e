"""`python -m bench.subscriber_calls` counts one ListFunctions walk per run, architecture map
included (the deployed subscriber publishes it: ARCHITECTURE_BUCKET is set)."""

from __future__ import annotations

from bench.subscriber_calls import measure


def test_every_run_of_the_bench_walks_list_functions_once() -> None:
    runs = measure(1_000, 40)
    # 1,000 functions, then 1,010 after the 1 % new: 20 then 21 pages of 50
    assert [m.calls["ListFunctions"] for m in runs] == [20, 21, 21, 21]
    assert all(m.complete for m in runs)
    assert runs[0].calls["PutObject"] >= 1  # the map was published (with the group state)
