"""In-memory document store behind the OpenSearch HTTP fake: `_bulk`, `_search`, `_count`.

Only what the project's clients use: `index`/`create`/`delete` bulk actions (NDJSON), and the
queries `match_all`, `term`, `terms`, `ids`, `range`, `exists` and `bool` (`must`/`filter`/
`should`/`must_not`), with `size`, `from`, `sort`, `_source` filtering and `terms`
aggregations. Documents may use flat dotted keys (`{"log.level": "INFO"}`) or nested objects; a
field is looked up both ways.
"""

from __future__ import annotations

import fnmatch
import functools
import itertools
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]

_MISSING = object()


class QueryNotSupportedError(ValueError):
    """The fake does not implement this query; register a route handler for it instead."""


def error_body(status: int, error_type: str, reason: str) -> JsonObject:
    """An error body shaped like OpenSearch's."""
    cause = {"type": error_type, "reason": reason}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


def field_values(source: JsonObject, name: str) -> list[Any]:
    """The values of a field, found as a flat dotted key or as a nested path (lists flattened)."""
    found = _lookup(source, name.split("."))
    if found is _MISSING or found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def _lookup(node: Any, parts: list[str]) -> Any:
    if not parts:
        return node
    if isinstance(node, list):
        values = [_lookup(item, parts) for item in node]
        flat = [v for v in values if v is not _MISSING]
        return flat if flat else _MISSING
    if not isinstance(node, dict):
        return _MISSING
    for cut in range(len(parts), 0, -1):
        key = ".".join(parts[:cut])
        if key in node:
            found = _lookup(node[key], parts[cut:])
            if found is not _MISSING:
                return found
    return _MISSING


def matches(source: JsonObject, query: JsonObject) -> bool:
    """Does a document `_source` match a query (the clauses the fake supports)?"""
    return _matches(source, "", query)


def _matches(source: JsonObject, doc_id: str, query: JsonObject) -> bool:
    if not query:
        return True
    if len(query) != 1:
        raise QueryNotSupportedError(f"a query has exactly one clause, got {sorted(query)}")
    kind, spec = next(iter(query.items()))
    matcher = _MATCHERS.get(kind)
    if matcher is None:
        raise QueryNotSupportedError(f"query {kind!r} is not supported by the fake")
    return bool(matcher(source, doc_id, spec))


def _match_all(source: JsonObject, doc_id: str, spec: Any) -> bool:
    return True


def _single_field(spec: JsonObject) -> tuple[str, Any]:
    items = [(k, v) for k, v in spec.items() if k not in ("boost", "_name")]
    if len(items) != 1:
        raise QueryNotSupportedError(f"expected one field, got {sorted(spec)}")
    return items[0]


def _term(source: JsonObject, doc_id: str, spec: JsonObject) -> bool:
    name, wanted = _single_field(spec)
    if isinstance(wanted, dict):
        wanted = wanted["value"]
    return wanted in field_values(source, name)


def _terms(source: JsonObject, doc_id: str, spec: JsonObject) -> bool:
    name, wanted = _single_field(spec)
    return any(value in wanted for value in field_values(source, name))


def _ids(source: JsonObject, doc_id: str, spec: JsonObject) -> bool:
    return doc_id in spec.get("values", [])


def _exists(source: JsonObject, doc_id: str, spec: JsonObject) -> bool:
    return bool(field_values(source, spec["field"]))


def _range(source: JsonObject, doc_id: str, spec: JsonObject) -> bool:
    name, bounds = _single_field(spec)
    checks = {
        "gt": lambda v, b: v > b,
        "gte": lambda v, b: v >= b,
        "lt": lambda v, b: v < b,
        "lte": lambda v, b: v <= b,
    }
    for value in field_values(source, name):
        try:
            if all(checks[op](value, b) for op, b in bounds.items() if op in checks):
                return True
        except TypeError:
            continue
    return False


def _clauses(spec: JsonObject, key: str) -> list[JsonObject]:
    value = spec.get(key, [])
    return [value] if isinstance(value, dict) else list(value)


def _bool(source: JsonObject, doc_id: str, spec: JsonObject) -> bool:
    required = _clauses(spec, "must") + _clauses(spec, "filter")
    if not all(_matches(source, doc_id, q) for q in required):
        return False
    if any(_matches(source, doc_id, q) for q in _clauses(spec, "must_not")):
        return False
    should = _clauses(spec, "should")
    if not should:
        return True
    minimum = int(spec.get("minimum_should_match", 0 if required else 1))
    return sum(_matches(source, doc_id, q) for q in should) >= minimum


_MATCHERS: dict[str, Any] = {
    "match_all": _match_all,
    "term": _term,
    "terms": _terms,
    "ids": _ids,
    "exists": _exists,
    "range": _range,
    "bool": _bool,
}


@dataclass
class StoredDocument:
    index: str
    doc_id: str
    source: JsonObject
    seq_no: int


@dataclass
class IndexStore:
    """Indices of documents, thread-safe; tests may read `indices` directly."""

    indices: dict[str, dict[str, StoredDocument]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    # -- direct access for tests -------------------------------------------------------------

    def add(self, index: str, source: JsonObject, doc_id: str | None = None) -> str:
        """Index one document directly (test setup); returns its id."""
        with self._lock:
            return self._put(index, doc_id, source)

    def documents(self, pattern: str = "*") -> list[JsonObject]:
        """The sources of every document in the indices matching `pattern`, in insertion order."""
        with self._lock:
            return [d.source for d in self._select(pattern)]

    def create_index(self, index: str) -> bool:
        """Create an empty index; False when it already exists."""
        with self._lock:
            if index in self.indices:
                return False
            self.indices[index] = {}
            return True

    def delete_index(self, index: str) -> bool:
        with self._lock:
            return self.indices.pop(index, None) is not None

    # -- the HTTP operations ---------------------------------------------------------------

    def bulk(self, body: bytes, default_index: str | None) -> JsonObject:
        """Apply an NDJSON `_bulk` body; answer like OpenSearch (per-item status, `errors`)."""
        lines = [line for line in body.decode("utf-8").split("\n") if line.strip()]
        items: list[JsonObject] = []
        position = 0
        with self._lock:
            while position < len(lines):
                action_line = json.loads(lines[position])
                position += 1
                ((action, meta),) = action_line.items()
                source: JsonObject | None = None
                if action in ("index", "create", "update"):
                    source = json.loads(lines[position])
                    position += 1
                items.append({action: self._bulk_item(action, meta, source, default_index)})
        errors = any("error" in next(iter(item.values())) for item in items)
        return {"took": 1, "errors": errors, "items": items}

    def _bulk_item(
        self, action: str, meta: JsonObject, source: JsonObject | None, default_index: str | None
    ) -> JsonObject:
        index = meta.get("_index", default_index)
        doc_id = meta.get("_id")
        if index is None:
            return {
                "status": 400,
                "error": {
                    "type": "action_request_validation_exception",
                    "reason": "index is missing",
                },
            }
        existing = self.indices.get(index, {})
        if action == "delete":
            found = existing.pop(str(doc_id), None) if doc_id is not None else None
            status, result = (200, "deleted") if found else (404, "not_found")
            return {"_index": index, "_id": doc_id, "status": status, "result": result}
        if action == "create" and doc_id is not None and str(doc_id) in existing:
            reason = f"[{doc_id}]: version conflict, document already exists"
            return {
                "_index": index,
                "_id": doc_id,
                "status": 409,
                "error": {"type": "version_conflict_engine_exception", "reason": reason},
            }
        if action == "update":
            if source is None or doc_id is None or str(doc_id) not in existing:
                return {
                    "_index": index,
                    "_id": doc_id,
                    "status": 404,
                    "error": {"type": "document_missing_exception", "reason": "missing"},
                }
            merged = {**existing[str(doc_id)].source, **source.get("doc", {})}
            self._put(index, str(doc_id), merged)
            return {"_index": index, "_id": doc_id, "status": 200, "result": "updated"}
        assert source is not None
        created = doc_id is None or str(doc_id) not in existing
        new_id = self._put(index, None if doc_id is None else str(doc_id), source)
        return {
            "_index": index,
            "_id": new_id,
            "status": 201 if created else 200,
            "result": "created" if created else "updated",
            "_seq_no": 0,
            "_primary_term": 1,
        }

    def search(self, pattern: str, body: JsonObject) -> JsonObject:
        """`_search`: filter, sort, page and project like OpenSearch (scores are always 1.0)."""
        query = body.get("query", {"match_all": {}})
        with self._lock:
            hits = [d for d in self._select(pattern) if _matches(d.source, d.doc_id, query)]
        sort_keys = _sort_spec(body.get("sort"))
        for name, descending in reversed(sort_keys):
            hits.sort(key=functools.partial(_sort_key, name), reverse=descending)
        start = int(body.get("from", 0))
        page = hits[start : start + int(body.get("size", 10))]
        rendered = [self._hit(d, sort_keys, body.get("_source", True)) for d in page]
        answer: JsonObject = {
            "took": 1,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {
                "total": {"value": len(hits), "relation": "eq"},
                "max_score": None if sort_keys else 1.0,
                "hits": rendered,
            },
        }
        aggregations = body.get("aggs", body.get("aggregations"))
        if aggregations is not None:
            answer["aggregations"] = {
                name: _aggregate(spec, [d.source for d in hits])
                for name, spec in aggregations.items()
            }
        return answer

    def count(self, pattern: str, body: JsonObject) -> JsonObject:
        query = body.get("query", {"match_all": {}})
        with self._lock:
            total = sum(1 for d in self._select(pattern) if _matches(d.source, d.doc_id, query))
        return {"count": total, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}}

    # -- internals ---------------------------------------------------------------------------

    def _put(self, index: str, doc_id: str | None, source: JsonObject) -> str:
        seq_no = next(self._ids)
        new_id = doc_id if doc_id is not None else f"fake-{seq_no}"
        self.indices.setdefault(index, {})[new_id] = StoredDocument(index, new_id, source, seq_no)
        return new_id

    def _select(self, pattern: str) -> Iterable[StoredDocument]:
        patterns = [p for p in pattern.split(",") if p] or ["*"]
        chosen = [
            name
            for name in self.indices
            if any(fnmatch.fnmatchcase(name, p) for p in patterns if p not in ("_all",))
            or "_all" in patterns
        ]
        docs = [d for name in chosen for d in self.indices[name].values()]
        return sorted(docs, key=lambda d: d.seq_no)

    @staticmethod
    def _hit(doc: StoredDocument, sort_keys: list[tuple[str, bool]], wanted: Any) -> JsonObject:
        hit: JsonObject = {"_index": doc.index, "_id": doc.doc_id, "_score": 1.0}
        if wanted is not False:
            hit["_source"] = _project(doc.source, wanted)
        if sort_keys:
            hit["_score"] = None
            hit["sort"] = [_sort_value(doc, name)[1] for name, _ in sort_keys]
        return hit


def _aggregate(spec: Any, sources: list[JsonObject]) -> JsonObject:
    """A `terms` aggregation (the only one the fake knows): buckets by count, then key."""
    terms = spec.get("terms") if isinstance(spec, dict) and len(spec) == 1 else None
    if not isinstance(terms, dict) or "field" not in terms:
        raise QueryNotSupportedError(f"the fake supports only terms aggregations, not {spec}")
    counts: dict[Any, int] = {}
    for source in sources:
        for value in set(map(str, field_values(source, terms["field"]))):
            counts[value] = counts.get(value, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = ranked[: int(terms.get("size", 10))]
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": sum(count for _, count in ranked[len(shown) :]),
        "buckets": [{"key": key, "doc_count": count} for key, count in shown],
    }


def _sort_spec(sort: Any) -> list[tuple[str, bool]]:
    if sort is None:
        return []
    entries = sort if isinstance(sort, list) else [sort]
    keys: list[tuple[str, bool]] = []
    for entry in entries:
        if isinstance(entry, str):
            keys.append((entry, False))
            continue
        for name, spec in entry.items():
            order = spec.get("order", "asc") if isinstance(spec, dict) else spec
            keys.append((name, order == "desc"))
    return keys


def _sort_key(name: str, doc: StoredDocument) -> tuple[int, Any]:
    return _sort_value(doc, name)


def _sort_value(doc: StoredDocument, name: str) -> tuple[int, Any]:
    if name == "_id":
        return (0, doc.doc_id)
    if name == "_doc":
        return (0, doc.seq_no)
    values = field_values(doc.source, name)
    return (0, min(values)) if values else (1, None)


def _project(source: JsonObject, wanted: Any) -> JsonObject:
    if wanted is True or wanted is None:
        return source
    includes = [wanted] if isinstance(wanted, str) else wanted
    if isinstance(wanted, dict):
        includes = wanted.get("includes", ["*"])
    return {k: v for k, v in source.items() if any(fnmatch.fnmatchcase(k, p) for p in includes)}
