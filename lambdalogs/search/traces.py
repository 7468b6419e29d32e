"""Group documents into traces: by `trace.id`, joined with every line of the same request.

Application lines carry the trace id; the platform lines (START, REPORT, `Task timed out`) and
plain tracebacks of the same invocation carry only the request id (`faas.execution`). A trace is
every document of every request that logged the trace id, in time order. `collect` gathers one
trace from a bulk file or from OpenSearch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
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
"""At most this many events a trace (OpenSearch's default `index.max_result_window`)."""

ACCOUNT: Final = "cloud.account.id"
REGION: Final = "cloud.region"
Scope = Sequence[tuple[str, str]]
"""(field, value): every event of the trace holds the value (the account and region asked for)."""
Clauses = list[tuple[str, list[str]]]
"""(field, values): a document matches when one of its fields holds one of the values."""


@dataclass(frozen=True)
class Page:
    documents: list[Document]  # the first `limit` in time order
    total: int  # every matching document


Fetch = Callable[[Clauses, int], Page]


@dataclass(frozen=True)
class Trace:
    trace_id: str
    documents: tuple[Document, ...]  # in time order
    total: int | None = None  # the events the trace holds, when known (more when truncated)

    @property
    def truncated(self) -> bool:
        """Stopped at the limit: `documents` holds the first events of `total`."""
        return self.total is not None and self.total > len(self.documents)

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
    def places(self) -> list[tuple[str, str]]:
        """The (account, region) pairs of the events, in the order the trace reached them."""
        found: list[tuple[str, str]] = []
        for document in self.documents:
            place = (
                str(document.get("cloud.account.id", "?")),
                str(document.get("cloud.region", "?")),
            )
            if place not in found:
                found.append(place)
        return found

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


def collect(trace_id: str, fetch: Fetch, limit: int = MAX_EVENTS) -> Trace:
    """The documents naming the id, plus every document of the requests they belong to: the
    first `limit` in time order, and how many there are."""
    clauses = [(field, [trace_id]) for field in SEED_FIELDS]
    seeds = fetch(clauses, MAX_EVENTS)  # every request of the trace, whatever `limit` shows
    followed = sorted({str(d["trace.id"]) for d in seeds.documents if "trace.id" in d})
    if trace_id not in followed and followed:  # a request or X-Ray id: on to its trace.id
        clauses.append(("trace.id", followed))
        seeds = fetch(clauses, MAX_EVENTS)
    requests = sorted({str(d["faas.execution"]) for d in seeds.documents if "faas.execution" in d})
    found = fetch([*clauses, ("faas.execution", requests)] if requests else clauses, limit)
    if not found.documents:
        raise InputError(
            f"no events for trace {trace_id!r}; check the id (a trace.id, an X-Ray trace id or a "
            "request id) and the time the logs were kept"
        )
    unique = {_key(d): d for d in found.documents}
    name = followed[0] if len(followed) == 1 else trace_id
    return Trace(name, tuple(sorted(unique.values(), key=sort_key)), found.total)


def scope(account: str | None, region: str | None) -> Scope:
    """The terms every event must hold: the source account and region asked for."""
    return [(f, v) for f, v in ((ACCOUNT, account), (REGION, region)) if v is not None]


def from_file(path: Path, within: Scope = ()) -> Fetch:
    documents = [
        d
        for d in sorted(bulkfile.read(path), key=sort_key)
        if all(d.get(f) == v for f, v in within)
    ]

    def fetch(clauses: Clauses, limit: int) -> Page:
        wanted = [(field, set(values)) for field, values in clauses]
        matched = list(
            {
                _key(d): d
                for d in documents
                if any(d.get(field) in values for field, values in wanted)
            }.values()
        )
        return Page(matched[:limit], len(matched))

    return fetch


def from_cluster(
    cluster: OpenSearchCluster, prefix: str = DEFAULT_INDEX_PREFIX, within: Scope = ()
) -> Fetch:
    def fetch(clauses: Clauses, limit: int) -> Page:
        query = {
            "size": limit,
            "track_total_hits": True,  # the exact count, beyond the 10,000 default
            "query": {
                "bool": {
                    "should": [{"terms": {f: v}} for f, v in clauses if v],
                    "minimum_should_match": 1,
                    "filter": [{"term": {f: v}} for f, v in within],
                }
            },
            "sort": [{"@timestamp": {"order": "asc"}}, {"aws.cloudwatch.event_id": "asc"}],
        }
        answer = cluster.search(f"{prefix}-*", query)
        hits = answer.get("hits", {})
        documents = [
            h["_source"] for h in hits.get("hits", []) if isinstance(h.get("_source"), dict)
        ]
        total = hits.get("total", {})
        count = total.get("value") if isinstance(total, dict) else total
        return Page(documents, int(count) if isinstance(count, int) else len(documents))

    return fetch


def _folded(document: Document) -> bool:
    return isinstance(document.get("aws.lambda.start_time"), str)


def _key(document: Document) -> str:
    return str(document.get("aws.cloudwatch.event_id") or sorted(document.items()))
