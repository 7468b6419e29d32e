"""Helpers over transformer documents: flat dotted keys, first key `@timestamp`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Final

from lambdalogs.timerange import iso_to_ms

Document = dict[str, Any]

DEFAULT_INDEX_PREFIX: Final = "lambda-logs"
ERROR_LEVELS: Final = frozenset({"ERROR", "FATAL"})
FAILED_STATUSES: Final = frozenset({"error", "timeout", "failure"})


def timestamp_ms(document: Document) -> int:
    """The document's `@timestamp` in epoch milliseconds (0 when missing or unreadable)."""
    raw = document.get("@timestamp")
    return (iso_to_ms(raw) or 0) if isinstance(raw, str) else 0


def event_id(document: Document) -> str | None:
    value = document.get("aws.cloudwatch.event_id")
    return value if isinstance(value, str) and value else None


def document_id(document: Document) -> str:
    """The deterministic OpenSearch `_id`: the CloudWatch event id (a digest when there is none).

    Indexing twice under the same id can never create a duplicate.
    """
    found = event_id(document)
    if found is not None:
        return found
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return "sha256-" + hashlib.sha256(canonical.encode()).hexdigest()


def index_name(document: Document, prefix: str = DEFAULT_INDEX_PREFIX) -> str:
    """The daily index of the document's own day, like Firehose's OneDay rotation."""
    moment = datetime.fromtimestamp(timestamp_ms(document) / 1000, UTC)
    return f"{prefix}-{moment:%Y-%m-%d}"


def is_error(document: Document) -> bool:
    """An ERROR/FATAL line, or a REPORT whose status is not success."""
    return (
        document.get("log.level") in ERROR_LEVELS
        or document.get("aws.lambda.status") in FAILED_STATUSES
    )


def iso_time(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}"
