"""A search response with `aggregations`, computed from documents the way OpenSearch 2.19 would.

Covers the aggregations the saved Vega specs and the monitors use: `filter`, `terms`,
`composite` (terms sources; `after` for the next page), `min`/`max` (dates give `value` in epoch
millis and `value_as_string`), `cardinality`, `sum`, and the pipelines `bucket_script`,
`bucket_sort`, `bucket_selector`.
Painless scripts are looked up in `SCRIPTS` (a test fails on a script it does not know, so a
changed script is a changed test). Query clauses are matched by the fake store's matcher, after
date math (`<millis>||-10m`) has been resolved for `@timestamp`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from tests.fakes.opensearch_store import QueryNotSupportedError, field_values, matches

JsonObject = dict[str, Any]
Params = dict[str, Any]

SCRIPTS: Final[dict[str, Callable[[Params], Any]]] = {
    "params.all > 0 ? params.cold / params.all : 0": lambda p: (
        p["cold"] / p["all"] if p["all"] > 0 else 0
    ),
    "params.last - params.first": lambda p: p["last"] - p["first"],
    "params.errors > 10": lambda p: p["errors"] > 10,
    "params.failed > 10": lambda p: p["failed"] > 10,
    "params.recent == 0": lambda p: p["recent"] == 0,
    "params.lines > 0": lambda p: p["lines"] > 0,
    "params.earlier == 0": lambda p: p["earlier"] == 0,
}
DATE_MATH: Final = re.compile(r"^(?P<anchor>\d+)\|\|(?P<sign>[-+])(?P<n>\d+)(?P<unit>[smhd])$")
UNIT_MS: Final = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
PIPELINES: Final = ("bucket_script", "bucket_sort", "bucket_selector")


def iso(millis: float) -> str:
    """`strict_date_optional_time` as OpenSearch prints a date: ms and `Z`."""
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def millis(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000


def run_script(source: str, params: Params) -> Any:
    if source not in SCRIPTS:
        raise QueryNotSupportedError(f"script {source!r} is unknown to the fake: add it to SCRIPTS")
    return SCRIPTS[source](params)


def resolve_dates(node: Any) -> Any:
    """The query with `@timestamp` range bounds as ISO strings (date math resolved)."""
    if isinstance(node, list):
        return [resolve_dates(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "range" in node and "@timestamp" in node["range"]:
        bounds = node["range"]["@timestamp"]
        resolved = {k: _date_bound(v) for k, v in bounds.items() if k in ("gt", "gte", "lt", "lte")}
        return {"range": {"@timestamp": resolved}}
    return {key: resolve_dates(value) for key, value in node.items()}


def _date_bound(value: Any) -> str:
    text = str(value)
    match = DATE_MATH.match(text)
    if match is None:
        return iso(float(text)) if text.isdigit() else text
    delta = int(match["n"]) * UNIT_MS[match["unit"]]
    return iso(int(match["anchor"]) + (delta if match["sign"] == "+" else -delta))


def search_response(documents: list[JsonObject], body: JsonObject) -> JsonObject:
    """What `_search` answers for `body` (hits left empty: the monitors and specs use size 0)."""
    query = resolve_dates(body.get("query", {"match_all": {}}))
    matched = [d for d in documents if matches(d, query)]
    aggs = resolve_dates(body.get("aggs", body.get("aggregations", {})))
    return {
        "took": 1,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": len(matched), "relation": "eq"}, "max_score": None, "hits": []},
        "aggregations": aggregate(matched, aggs),
    }


def aggregate(documents: list[JsonObject], aggs: JsonObject) -> JsonObject:
    return {
        name: evaluate(documents, spec)
        for name, spec in aggs.items()
        if _kind(spec)[0] not in PIPELINES
    }


def _kind(spec: JsonObject) -> tuple[str, Any]:
    (kind,) = [k for k in spec if k not in ("aggs", "aggregations", "meta")]
    return kind, spec[kind]


def _sub(spec: JsonObject) -> JsonObject:
    sub = spec.get("aggs", spec.get("aggregations"))
    return sub if isinstance(sub, dict) else {}


def evaluate(documents: list[JsonObject], spec: JsonObject) -> JsonObject:
    kind, params = _kind(spec)
    if kind == "filter":
        selected = [d for d in documents if matches(d, params)]
        return {"doc_count": len(selected), **aggregate(selected, _sub(spec))}
    if kind in ("terms", "composite"):
        return _multi_bucket(documents, kind, params, _sub(spec))
    values = [v for d in documents for v in field_values(d, params["field"])]
    if kind == "cardinality":
        return {"value": len(set(map(str, values)))}
    if kind == "sum":
        return {"value": float(sum(values))}
    if kind in ("min", "max"):
        return _min_max(values, kind)
    raise QueryNotSupportedError(f"aggregation {kind!r} is not supported by the fake")


def _min_max(values: list[Any], kind: str) -> JsonObject:
    if not values:
        return {"value": None}
    if all(isinstance(v, str) for v in values):
        best = (min if kind == "min" else max)(millis(v) for v in values)
        return {"value": best, "value_as_string": iso(best)}
    return {"value": float((min if kind == "min" else max)(values))}


def _multi_bucket(
    documents: list[JsonObject], kind: str, params: JsonObject, sub: JsonObject
) -> JsonObject:
    if kind == "terms":
        names, fields = ["key"], [params["field"]]
    else:
        sources = [next(iter(s.items())) for s in params["sources"]]
        names, fields = [n for n, _ in sources], [s["terms"]["field"] for _, s in sources]
    groups: dict[tuple[Any, ...], list[JsonObject]] = {}
    for document in documents:
        key = tuple(_first(document, f) for f in fields)
        if None not in key:
            groups.setdefault(key, []).append(document)
    if kind == "terms":
        order = sorted(groups, key=lambda k: (-len(groups[k]), str(k[0])))
    else:
        order = sorted(groups, key=lambda k: tuple(map(str, k)))
        if "after" in params:  # the next page: the keys after `after`, in the same order
            start = tuple(str(params["after"][n]) for n in names)
            order = [k for k in order if tuple(map(str, k)) > start]
    chosen = order[: int(params.get("size", 10))]
    buckets = [_bucket(k, names, kind, groups[k], sub) for k in chosen]
    # the after key is the page's last bucket before pipelines filter it (InternalComposite.create)
    after = {"after_key": buckets[-1]["key"]} if buckets else {}
    buckets = _pipelines(buckets, sub)
    if kind == "terms":
        rest = sum(len(groups[k]) for k in order[len(chosen) :])
        return {"doc_count_error_upper_bound": 0, "sum_other_doc_count": rest, "buckets": buckets}
    return {**after, "buckets": buckets}


def _first(document: JsonObject, field: str) -> Any:
    values = field_values(document, field)
    return values[0] if values else None


def _bucket(
    key: tuple[Any, ...], names: list[str], kind: str, docs: list[JsonObject], sub: JsonObject
) -> JsonObject:
    shown: Any = key[0] if kind == "terms" else dict(zip(names, key, strict=True))
    return {"key": shown, "doc_count": len(docs), **aggregate(docs, sub)}


def _value_at(path: str, bucket: JsonObject) -> Any:
    return bucket_value(bucket, path)


def bucket_value(bucket: JsonObject, path: str) -> Any:
    """A `buckets_path` inside one bucket: `_count`, `agg`, `agg>_count`, `agg.value`."""
    node: Any = bucket
    for part in path.split(">"):
        name, _, metric = part.partition(".")
        if name == "_count":
            return node["doc_count"]
        node = node[name]
        if metric:
            return node[metric]
    return node["value"] if "value" in node else node["doc_count"]


def _pipelines(buckets: list[JsonObject], sub: JsonObject) -> list[JsonObject]:
    for name, spec in sub.items():
        kind, params = _kind(spec)
        if kind == "bucket_script":
            for bucket in buckets:
                values = {v: bucket_value(bucket, p) for v, p in params["buckets_path"].items()}
                bucket[name] = {"value": run_script(params["script"], values)}
        elif kind == "bucket_sort":
            buckets = _bucket_sort(buckets, params)
        elif kind == "bucket_selector":
            buckets = [
                bucket
                for bucket in buckets
                if run_script(
                    params["script"],
                    {v: bucket_value(bucket, p) for v, p in params["buckets_path"].items()},
                )
            ]
    return buckets


def _bucket_sort(buckets: list[JsonObject], params: JsonObject) -> list[JsonObject]:
    for entry in reversed(params.get("sort", [])):
        ((path, order),) = entry.items()
        descending = order.get("order") == "desc"
        buckets = sorted(buckets, key=functools.partial(_value_at, path), reverse=descending)
    start = int(params.get("from", 0))
    return buckets[start : start + int(params.get("size", len(buckets)))]
