"""How the benchmark times: CPU time of this process (user + system, every thread), best of N,
the measurements taking turns within each round so a noisy machine slows them alike; and the
wall time during which re-ingestion calls were in flight."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from lambda_shared.firehose_put import FirehoseClient


class Timed(NamedTuple):
    cpu: float
    wall: float


def timed(work: Callable[[], object]) -> Timed:
    """One run of `work`, after a full collection (so no run pays for another's garbage)."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return Timed(time.process_time() - cpu, time.perf_counter() - wall)


def alternating(works: Mapping[str, Callable[[], object]], repeats: int) -> dict[str, Timed]:
    """The best run (least CPU) of each work over `repeats` rounds; in each round every work
    runs once, in turn. Each runs once untimed first (imports, connections, caches)."""
    for work in works.values():
        work()
    best = {name: Timed(float("inf"), float("inf")) for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            best[name] = min(best[name], timed(work))
    return best


class CallClock:
    """A FirehoseClient that times the calls it passes on: `busy_seconds` is the wall time
    during which at least one call was in flight (calls in flight at once count once)."""

    def __init__(self, client: FirehoseClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.spans: list[tuple[float, float]] = []

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return self._client.put_record_batch(**kwargs)
        finally:
            with self._lock:
                self.spans.append((started, time.perf_counter()))

    def reset(self) -> None:
        with self._lock:
            self.spans = []

    def busy_seconds(self) -> float:
        total, reach = 0.0, float("-inf")
        for start, end in sorted(self.spans):
            if end > reach:
                total += end - max(start, reach)
                reach = end
        return total
