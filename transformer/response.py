"""The response to Firehose: every input recordId exactly once, always under 6 MB.

A CloudWatch record's first document is returned inline and the others are re-ingested. When the
inline documents would push the response over the budget, the largest ones are re-ingested too
and their records answered `Dropped` (their documents reach OpenSearch through the stream)."""

from __future__ import annotations

import base64
from typing import Final

from lambda_shared.limits import PROCESSOR_RESPONSE_MAX_BYTES
from transformer.records import RecordResult

RESPONSE_BUDGET_BYTES: Final = PROCESSOR_RESPONSE_MAX_BYTES
_PER_RECORD_OVERHEAD: Final = 64  # {"recordId":"","result":"ProcessingFailed","data":""},


def b64_length(size: int) -> int:
    return 4 * ((size + 2) // 3)


def _size(result: RecordResult) -> int:
    inline = b64_length(len(result.documents[0])) if result.inline else len(result.original)
    return _PER_RECORD_OVERHEAD + len(result.record_id) + inline


def fit_budget(results: list[RecordResult], budget: int = RESPONSE_BUDGET_BYTES) -> None:
    """Move inline documents to re-ingestion until the response fits."""
    total = sum(_size(result) for result in results)
    if total <= budget:
        return
    movable = sorted(
        (r for r in results if r.inline),
        key=lambda r: b64_length(len(r.documents[0])) - len(r.original),
        reverse=True,
    )
    for result in movable:
        if total <= budget:
            break
        before = _size(result)
        result.inline = False
        result.result = "Dropped"
        result.reason = "all documents re-ingested to keep the response under 6 MB"
        total += _size(result) - before


def response_entry(result: RecordResult) -> dict[str, str]:
    """The record's answer: its inline document, or its original data echoed."""
    inline = result.inline
    data = base64.b64encode(result.documents[0]).decode("ascii") if inline else result.original
    return {"recordId": result.record_id, "result": result.result, "data": data}
