"""How the benchmark times: CPU time of this process (user + system, every thread), best of N,
the measurements taking turns within each round so a noisy machine slows them alike; and the
wall time during which re-ingestion calls were in flight."""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from lambda_shared.firehose_put import FirehoseClient


class Timed(NamedTuple):
    cpu: float
    wall: float


class Case(NamedTuple):
    """A request (its JSON, as the Lambda runtime receives it) and what runs on it, `runs`
    times a round (more samples of the cheap cases, for the same time)."""

    request_json: str
    run: Callable[[dict[str, Any]], object]
    runs: int = 1

    @classmethod
    def of(
        cls, event: dict[str, Any], run: Callable[[dict[str, Any]], object], runs: int = 1
    ) -> Case:
        return cls(json.dumps(event), run, runs)


def timed(case: Case) -> Timed:
    """One run of `case` on its request freshly decoded, as the Lambda runtime hands it to the
    handler (after a full collection, so no run pays for another's garbage)."""
    gc.collect()
    event = json.loads(case.request_json)
    cpu, wall = time.process_time(), time.perf_counter()
    case.run(event)
    return Timed(time.process_time() - cpu, time.perf_counter() - wall)


def alternating(cases: Mapping[str, Case], repeats: int) -> dict[str, Timed]:
    """The best run (least CPU) of each case over `repeats` rounds; in each round every case
    runs once, in turn. Each runs once untimed first (imports, connections, caches)."""
    for case in cases.values():
        timed(case)
    best = {name: Timed(float("inf"), float("inf")) for name in cases}
    for _ in range(repeats):
        for name, case in cases.items():
            best[name] = min(best[name], *(timed(case) for _ in range(case.runs)))
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
