"""The benchmark's measurements, each a few runs taking turns (bench.timing): the handler
against the floor, re-ingesting through the lean client to the loopback endpoint in another
process; the documents coming back through it (passthrough); the event-size mixes the cost per
GB is computed from; and the peak memory of a 6 MB request."""

from __future__ import annotations

import base64
import gc
import tracemalloc
from functools import partial
from typing import Any, NamedTuple

from bench import runs
from bench.costs import MixFigures
from bench.floor import floor
from bench.timing import CallClock, Case, Timed, alternating
from bench.workload import Request, build_request, passthrough_request, sized_lines
from transformer import jsonlib
from transformer.settings import Settings

SIX_MB = 6_000_000
ONE_MB = 1_000_000  # Firehose's default processor buffer (1 MB): the mixes' request size


class HandlerFigures(NamedTuple):
    label: str
    events: int
    reingested: int
    calls: int
    floor: Timed
    in_memory: Timed
    lean: Timed
    reingest_busy_seconds: float  # wall time with a re-ingestion call in flight (best run)
    passthrough_records: int
    passthrough: Timed

    def per_event(self, timed: Timed) -> float:
        return timed.cpu / self.events


def _through(
    clock: CallClock, busy: list[float], event: dict[str, Any], settings: Settings | None = None
) -> dict[str, Any]:
    clock.reset()
    summary = runs.handle(event, clock, settings=settings)
    busy.append(clock.busy_seconds())
    return summary


def handler_figures(
    label: str,
    request: Request,
    clock: CallClock,
    codec: jsonlib.Codec,
    repeats: int,
    settings: Settings | None = None,
) -> HandlerFigures:
    """Floor, handler (in-memory stream and lean client) and passthrough, taking turns;
    `settings`: the handler's (runs.handle's default unless given)."""
    busy: list[float] = []
    summary = _through(clock, busy, request.event, settings)
    passing = passthrough_request(runs.reingested(request.event, settings), SIX_MB)
    memory = partial(runs.in_memory, codec=codec, settings=settings)
    cases = {
        "floor": Case.of(request.event, partial(floor, codec=codec)),
        "in_memory": Case.of(request.event, memory),
        "lean": Case.of(request.event, partial(_through, clock, busy, settings=settings)),
        "passthrough": Case.of(passing.event, memory),
    }
    best = alternating(cases, repeats)
    return HandlerFigures(
        label,
        request.events,
        int(summary["reingested"]),
        int(summary["reingest_calls"]),
        best["floor"],
        best["in_memory"],
        best["lean"],
        min(busy),
        passing.events,
        best["passthrough"],
    )


def mix_figures(size: int, clock: CallClock, repeats: int) -> MixFigures:
    """A 1 MB request of application lines of `size` bytes, and its documents coming back."""
    request = build_request(ONE_MB, seed=size, lines=sized_lines(size))
    documents = runs.reingested(request.event)
    passing = passthrough_request(documents, ONE_MB)
    busy: list[float] = []
    cases = {
        "lean": Case.of(request.event, partial(_through, clock, busy)),
        "passthrough": Case.of(passing.event, runs.in_memory),
    }
    best = alternating(cases, repeats)
    records = [len(base64.b64decode(r["data"])) for r in request.event["records"]]
    return MixFigures(
        size,
        request.events,
        records,
        [len(document) for document in documents],
        best["lean"].cpu,
        max(0.0, best["lean"].wall - best["lean"].cpu),
        best["passthrough"].cpu / passing.events,
    )


def peak_memory_mb(event: dict[str, Any], clock: CallClock) -> float:
    """Peak Python memory (tracemalloc) while handling `event` through the lean client."""
    gc.collect()
    tracemalloc.start()
    try:
        runs.handle(event, clock)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024
