"""`trace ID`: one trace's events across functions in time order, milestones first."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from lambdalogs import bulk
from lambdalogs.cluster import Cluster
from lambdalogs.correlate import Trace, sort_key
from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document, iso_time, timestamp_ms
from lambdalogs.errors import InputError

# A trace is named by its correlation id, its X-Ray trace id, or one of its request ids.
SEED_FIELDS: Final = ("trace.id", "aws.xray.trace_id", "faas.execution")
MAX_EVENTS: Final = 10_000

Fetch = Callable[[str, list[str]], list[Document]]


def collect(trace_id: str, fetch: Fetch) -> Trace:
    """The documents naming the id, plus every document of the requests they belong to."""
    seeds = [d for field in SEED_FIELDS for d in fetch(field, [trace_id])]
    requests = sorted({str(d["faas.execution"]) for d in seeds if "faas.execution" in d})
    related = fetch("faas.execution", requests) if requests else []
    unique = {_key(d): d for d in [*seeds, *related]}
    if not unique:
        raise InputError(
            f"no events for trace {trace_id!r}; check the id (a trace.id, an X-Ray trace id or a "
            "request id) and the time the logs were kept"
        )
    return Trace(trace_id, tuple(sorted(unique.values(), key=sort_key)))


def from_file(path: Path) -> Fetch:
    documents = bulk.read(path)

    def fetch(field: str, values: list[str]) -> list[Document]:
        wanted = set(values)
        return [d for d in documents if d.get(field) in wanted]

    return fetch


def from_cluster(cluster: Cluster, prefix: str = DEFAULT_INDEX_PREFIX) -> Fetch:
    def fetch(field: str, values: list[str]) -> list[Document]:
        query = {
            "size": MAX_EVENTS,
            "query": {"terms": {field: values}},
            "sort": [{"@timestamp": {"order": "asc"}}],
        }
        answer = cluster.search(f"{prefix}-*", query)
        hits = answer.get("hits", {}).get("hits", [])
        return [hit["_source"] for hit in hits if isinstance(hit.get("_source"), dict)]

    return fetch


def render(trace: Trace) -> list[str]:
    start = trace.start_ms
    lines = [
        f"trace {trace.trace_id}: {len(trace.documents)} events in "
        f"{len(trace.functions)} functions ({' → '.join(trace.functions)}), "
        f"lead time {trace.lead_ms} ms, started {iso_time(start)} UTC",
        "",
        "milestones",
    ]
    lines += _rows(trace.milestones, start, milestone=True) or ["  (none)"]
    lines += ["", "events"]
    lines += _rows(trace.documents, start, milestone=False)
    return lines


def _rows(documents: Iterable[Document], start: int, *, milestone: bool) -> list[str]:
    rows = []
    for document in documents:
        at = timestamp_ms(document)
        what = document.get("labels.milestone") if milestone else _kind(document)
        rows.append(
            f"  {iso_time(at)[11:]}  +{at - start:>6} ms  {document.get('faas.name', '?'):<27} "
            f"{what!s:<{36 if milestone else 10}} {_summary(document)[:100]}"
        )
    return rows


def _kind(document: Document) -> str:
    event = document.get("aws.lambda.event")
    if isinstance(event, str):
        return event.upper()
    if _metrics(document):
        return "METRIC"
    return str(document.get("log.level") or "-")


def _summary(document: Document) -> str:
    """The first line of the message; EMF values instead of their JSON; the exception class."""
    metrics = _metrics(document)
    if metrics:
        return " ".join(f"{name}={value}" for name, value in metrics.items())
    lines = [" ".join(line.split()) for line in str(document.get("message") or "").splitlines()]
    text = next((line for line in lines if line), "")
    error = document.get("error.type")
    return f"{text} ({error})" if error else text


def _metrics(document: Document) -> dict[str, object]:
    return {k.removeprefix("metrics."): v for k, v in document.items() if k.startswith("metrics.")}


def _key(document: Document) -> str:
    return str(document.get("aws.cloudwatch.event_id") or sorted(document.items()))
