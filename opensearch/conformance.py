"""Does a document fit the index template? Field by field, the way OpenSearch would index it.

`problems(document, mapping)` lists every field OpenSearch would reject (a mapping conflict: the
whole document is refused) or silently not index (a field outside the template). An empty list
means the document is indexed exactly as the template intends.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from opensearch.mapping import Mapping

LUCENE_MAX_TERM_BYTES: Final = 32766
LONG_MIN: Final = -(2**63)
LONG_MAX: Final = 2**63 - 1
ISO_UTC: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
MULTI_VALUED: Final = ("metrics.",)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _date(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if not isinstance(value, str) or not ISO_UTC.fullmatch(value):
        return "a date must be ISO 8601 UTC (2026-11-20T09:14:07.121Z) or epoch millis"
    try:
        datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return f"{value!r} is not a valid date"
    return None


def _keyword(value: Any) -> str | None:
    return None if isinstance(value, str) else f"a keyword must be a string, got {value!r}"


def _long(value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return f"a long must be an integer, got {value!r}"
    if not LONG_MIN <= value <= LONG_MAX:
        return f"{value} does not fit a long"
    return None


def _double(value: Any) -> str | None:
    if not _is_number(value) or not math.isfinite(float(value)):
        return f"a double must be a finite number, got {value!r}"
    return None


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"a boolean must be true/false, got {value!r}"


CHECKS: Final[dict[str, Callable[[Any], str | None]]] = {
    "date": _date,
    "keyword": _keyword,
    "text": _keyword,
    "long": _long,
    "double": _double,
    "boolean": _boolean,
}


def problems(document: dict[str, Any], mapping: Mapping) -> list[str]:
    """Every field of `document` that does not fit `mapping` (flat dotted or nested keys)."""
    found: list[str] = []
    _check_object(document, "", mapping, found)
    return found


def _check_object(node: dict[str, Any], prefix: str, mapping: Mapping, found: list[str]) -> None:
    for key, value in node.items():
        path = f"{prefix}{key}"
        if not key or key.startswith(".") or key.endswith("."):
            found.append(f"{path!r}: empty or dot-edged field names are rejected")
        elif mapping.fields.get(path) == "flat_object":
            _check_flat_object(path, value, found)
        elif isinstance(value, dict):
            if mapping.type_of(path) is not None:
                found.append(f"{path}: an object where the template maps a value")
            _check_object(value, f"{path}.", mapping, found)
        else:
            _check_leaf(path, value, mapping, found)


def _check_leaf(path: str, value: Any, mapping: Mapping, found: list[str]) -> None:
    kind = mapping.type_of(path)
    if kind is None:
        where = "an object" if path in mapping.object_paths() else "not in the template"
        found.append(f"{path}: {where} (value {value!r:.80})")
        return
    if value is None:
        return
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not path.startswith(MULTI_VALUED):
        found.append(f"{path}: a list where the document has single values")
    for item in values:
        problem = CHECKS[kind](item)
        if problem:
            found.append(f"{path} ({kind}): {problem}")
        elif kind == "keyword" and _too_long(path, item, mapping):
            found.append(f"{path}: longer than the Lucene term limit and no ignore_above")


def _too_long(path: str, value: str, mapping: Mapping) -> bool:
    options = mapping.options.get(path, {})
    if options.get("index") is False and options.get("doc_values") is False:
        return False
    limit = options.get("ignore_above")
    if limit is not None and len(value) > int(limit):
        return False
    return len(value.encode("utf-8")) > LUCENE_MAX_TERM_BYTES


def _check_flat_object(path: str, value: Any, found: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        found.append(f"{path} (flat_object): must be a JSON object, got {type(value).__name__}")
        return
    for leaf_path, leaf in _flat_leaves(value, ""):
        term = f"{path}.{leaf_path}={leaf}"  # the path-and-value term, prefixed with the field
        if len(term.encode("utf-8")) > LUCENE_MAX_TERM_BYTES:
            found.append(f"{path}.{leaf_path}: value longer than the Lucene term limit")


def _flat_leaves(node: Any, prefix: str) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        leaves: list[tuple[str, str]] = []
        for key, value in node.items():
            leaves += _flat_leaves(value, f"{prefix}{key}.")
        return leaves
    if isinstance(node, list):
        return [leaf for item in node for leaf in _flat_leaves(item, prefix)]
    return [(prefix[:-1], "" if node is None else str(node))]
