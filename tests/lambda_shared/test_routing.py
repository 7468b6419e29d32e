"""The stable hash that routes a log group to one of N delivery streams."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from lambda_shared.routing import route, stream_index

GROUPS = [f"/aws/lambda/function-{i:05d}" for i in range(20_000)]


def test_one_stream_takes_every_group() -> None:
    assert {stream_index(group, 1) for group in GROUPS[:100]} == {0}


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_groups_spread_evenly_over_the_streams(count: int) -> None:
    spread = Counter(stream_index(group, count) for group in GROUPS)
    expected = len(GROUPS) / count
    assert set(spread) == set(range(count))
    assert all(abs(n - expected) < 0.06 * expected for n in spread.values()), spread


@pytest.mark.parametrize("count", [1, 2, 4, 7])
def test_adding_a_stream_moves_only_the_groups_the_new_stream_takes(count: int) -> None:
    moved = [g for g in GROUPS if stream_index(g, count) != stream_index(g, count + 1)]
    assert all(stream_index(g, count + 1) == count for g in moved)
    share = len(moved) / len(GROUPS)
    assert abs(share - 1 / (count + 1)) < 0.02, share


def test_the_route_is_the_same_in_another_process() -> None:
    """Not Python's salted hash(): the subscriber and the transformer run in other processes."""
    code = (
        "from lambda_shared.routing import stream_index;"
        "print([stream_index(f'/aws/lambda/f{i}', 5) for i in range(50)])"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert other.strip() == str([stream_index(f"/aws/lambda/f{i}", 5) for i in range(50)])


def test_route_picks_the_item_at_the_index() -> None:
    streams = ["a", "b", "c"]
    for group in GROUPS[:50]:
        assert route(group, streams) == streams[stream_index(group, 3)]


def test_no_streams_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        stream_index("/aws/lambda/x", 0)
