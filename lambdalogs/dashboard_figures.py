"""What the dashboards show, computed from documents: per-function figures and traces."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from lambdalogs.console import table
from lambdalogs.documents import ERROR_LEVELS, Document, iso_time, timestamp_ms
from lambdalogs.search.traces import Trace


@dataclass(frozen=True)
class FunctionFigures:
    name: str
    invocations: int
    errors: int
    timeouts: int
    cold_starts: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cost_usd: float


def percentile(values: Iterable[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` % of values ≤ it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def function_figures(documents: Iterable[Document]) -> list[FunctionFigures]:
    """Per function, as the dashboards compute them: invocations and durations from REPORT
    lines, errors = ERROR and FATAL lines, cold starts = REPORT lines with Init Duration, cost =
    the sum of `aws.lambda.cost_usd`."""
    reports: dict[str, list[Document]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for document in documents:
        name = str(document.get("faas.name", "?"))
        if document.get("aws.lambda.event") == "report":
            reports[name].append(document)
        if document.get("log.level") in ERROR_LEVELS:
            errors[name] += 1
    return [_figures(name, reports[name], errors[name]) for name in sorted(reports)]


def _figures(name: str, reports: list[Document], errors: int) -> FunctionFigures:
    durations = [float(r.get("aws.lambda.duration_ms", 0.0)) for r in reports]
    return FunctionFigures(
        name=name,
        invocations=len(reports),
        errors=errors,
        timeouts=sum(1 for r in reports if r.get("aws.lambda.status") == "timeout"),
        cold_starts=sum(1 for r in reports if r.get("faas.coldstart") is True),
        p50_ms=percentile(durations, 50),
        p95_ms=percentile(durations, 95),
        p99_ms=percentile(durations, 99),
        cost_usd=sum(float(r.get("aws.lambda.cost_usd", 0.0)) for r in reports),
    )


def metric_figures(documents: Iterable[Document]) -> dict[str, list[float]]:
    """EMF metric name → its values."""
    values: dict[str, list[float]] = defaultdict(list)
    for document in documents:
        for key, value in document.items():
            if key.startswith("metrics.") and isinstance(value, int | float):
                values[key.removeprefix("metrics.")].append(float(value))
    return dict(sorted(values.items()))


# -- rendering ---------------------------------------------------------------------------------


def render_functions(figures: list[FunctionFigures], out: TextIO | None = None) -> list[str]:
    rows: list[list[object]] = [
        [
            f.name,
            f.invocations,
            f.errors,
            f.timeouts,
            f.cold_starts,
            f"{f.p50_ms:.2f}",
            f"{f.p95_ms:.2f}",
            f"{f.p99_ms:.2f}",
            f"{f.cost_usd:.8f}",
        ]
        for f in figures
    ]
    total_cost = sum(f.cost_usd for f in figures)
    rows.append(["total", sum(f.invocations for f in figures), *[""] * 6, f"{total_cost:.8f}"])
    columns = ["function", "invocations", "errors", "timeouts", "cold", "p50 ms", "p95 ms"]
    columns += ["p99 ms", "cost USD"]
    return table(columns, rows, indent="", out=out, right=range(1, 9))


def render_metrics(metrics: dict[str, list[float]], out: TextIO | None = None) -> list[str]:
    rows = [
        [
            name,
            len(values),
            f"{percentile(values, 50):.1f}",
            f"{percentile(values, 95):.1f}",
            f"{max(values):.1f}",
        ]
        for name, values in metrics.items()
    ]
    columns = ["metric", "values", "p50", "p95", "max"]
    return table(columns, rows, indent="", out=out, right=range(1, 5))


def render_slowest(traces: Iterable[Trace], count: int = 5, out: TextIO | None = None) -> list[str]:
    ranked = sorted(traces, key=lambda t: (-t.lead_ms, t.trace_id))[:count]
    rows = [
        [
            trace.trace_id,
            trace.lead_ms,
            len(trace.functions),
            trace.milestones[-1].get("labels.milestone") if trace.milestones else "-",
        ]
        for trace in ranked
    ]
    columns = ["trace id", "lead ms", "functions", "last milestone"]
    return table(columns, rows, indent="", out=out, right={1, 2})


def render_failure(trace: Trace, out: TextIO | None = None) -> list[str]:
    """The failing trace's milestones, and where it stopped."""
    rows = [
        [
            f"+ {timestamp_ms(milestone) - trace.start_ms} ms",
            milestone.get("faas.name", "?"),
            milestone.get("labels.milestone"),
        ]
        for milestone in trace.milestones
    ]
    return [
        f"trace {trace.trace_id} (started {iso_time(trace.start_ms)} UTC)",
        *table(["offset", "function", "milestone"], rows, out=out, right={0}, header=False),
        "  " + stopped_at(trace),
    ]


def stopped_at(trace: Trace) -> str:
    """One line: the last milestone reached and the first error that ended the trace."""
    last = trace.milestones[-1] if trace.milestones else None
    where = (
        f"stopped after {last.get('labels.milestone')} in {last.get('faas.name')}"
        if last
        else "stopped before any milestone"
    )
    error = ending_error(trace)
    if error is None:
        return where
    detail = str(error.get("error.message") or error.get("message") or "").strip()
    first_line = detail.splitlines()[0] if detail else str(error.get("aws.lambda.status"))
    cause = f"{error['error.type']}: " if error.get("error.type") else ""
    if len(first_line) > 120:
        first_line = first_line[:119] + "…"
    return f"{where}: {cause}{first_line}"


def ending_error(trace: Trace) -> Document | None:
    """The error that ended the trace: the most telling one at or after its last milestone."""
    last = trace.milestones[-1] if trace.milestones else None
    after = [e for e in trace.errors if last is None or timestamp_ms(e) >= timestamp_ms(last)]
    candidates = after or trace.errors
    return min(candidates, key=_cause_rank) if candidates else None


def _cause_rank(document: Document) -> tuple[int, int]:
    """Prefer an exception, then an ERROR line (`Task timed out`), then a REPORT status."""
    if document.get("error.type"):
        return 0, timestamp_ms(document)
    if document.get("log.level") in ERROR_LEVELS:
        return 1, timestamp_ms(document)
    return 2, timestamp_ms(document)
