"""Group documents into traces: by `trace.id`, joined with every line of the same request.

Application lines carry the trace id; the platform lines (START, REPORT, `Task timed out`) and
plain tracebacks of the same invocation carry only the request id (`faas.execution`). A trace is
every document of every request that logged the trace id, in time order. `collect` gathers one
trace from a bulk file or from OpenSearch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document, is_error, timestamp_ms
from lambdalogs.errors import InputError
from lambdalogs.search import bulkfile
from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.timerange import iso_to_ms

# A trace is named by its correlation id, its X-Ray trace id, or one of its request ids.
SEED_FIELDS: Final = ("trace.id", "aws.xray.trace_id", "faas.execution")
MAX_EVENTS: Final = 10_000

Fetch = Callable[[str, list[str]], list[Document]]


@dataclass(frozen=True)
class Trace:
    trace_id: str
    documents: tuple[Document, ...]  # in time order

    @property
    def start_ms(self) -> int:
        """The first event, or an earlier START folded into its REPORT document (the REPORT
        sorts at the invocation's end; `aws.lambda.start_time` keeps when it started)."""
        starts = [iso_to_ms(d["aws.lambda.start_time"]) for d in self.documents if _folded(d)]
        return min([timestamp_ms(self.documents[0]), *(s for s in starts if s is not None)])

    @property
    def lead_ms(self) -> int:
        """From the first to the last event carrying the trace id, across functions (as the
        dashboards' "Slowest traces" panel computes it)."""
        times = [timestamp_ms(d) for d in self.documents if d.get("trace.id") == self.trace_id]
        return max(times) - min(times) if times else 0

    @property
    def functions(self) -> list[str]:
        """The functions in the order the trace reached them."""
        names: list[str] = []
        for document in self.documents:
            name = document.get("faas.name")
            if isinstance(name, str) and name not in names:
                names.append(name)
        return names

    @property
    def milestones(self) -> list[Document]:
        return [d for d in self.documents if "labels.milestone" in d]

    @property
    def errors(self) -> list[Document]:
        return [d for d in self.documents if is_error(d)]

    @property
    def failed(self) -> bool:
        return bool(self.errors)


def sort_key(document: Document) -> tuple[int, str]:
    return timestamp_ms(document), str(document.get("aws.cloudwatch.event_id", ""))


def requests_of(documents: Iterable[Document]) -> dict[str, set[str]]:
    """Request id → the trace ids its lines carried."""
    found: dict[str, set[str]] = defaultdict(set)
    for document in documents:
        trace_id, request_id = document.get("trace.id"), document.get("faas.execution")
        if isinstance(trace_id, str) and isinstance(request_id, str):
            found[request_id].add(trace_id)
    return found


def build(documents: list[Document]) -> dict[str, Trace]:
    """Every trace in the documents, keyed by trace id."""
    by_request = requests_of(documents)
    members: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        trace_ids = set(by_request.get(str(document.get("faas.execution")), set()))
        own = document.get("trace.id")
        if isinstance(own, str):
            trace_ids.add(own)
        for trace_id in trace_ids:
            members[trace_id].append(document)
    return {
        trace_id: Trace(trace_id, tuple(sorted(docs, key=sort_key)))
        for trace_id, docs in members.items()
    }


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
    documents = bulkfile.read(path)

    def fetch(field: str, values: list[str]) -> list[Document]:
        wanted = set(values)
        return [d for d in documents if d.get(field) in wanted]

    return fetch


def from_cluster(cluster: OpenSearchCluster, prefix: str = DEFAULT_INDEX_PREFIX) -> Fetch:
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


def _folded(document: Document) -> bool:
    return isinstance(document.get("aws.lambda.start_time"), str)


def _key(document: Document) -> str:
    return str(document.get("aws.cloudwatch.event_id") or sorted(document.items()))
