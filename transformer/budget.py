"""The response budget: the answer to Firehose stays under 6 MB.

A record with documents returns its first one inline and has the others re-ingested. When the
inline documents would push the response over the budget, the records whose inline document
adds most to it have that document re-ingested too (they are answered `Dropped`: their
documents reach OpenSearch through the stream)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from lambda_shared.limits import PROCESSOR_RESPONSE_MAX_BYTES
from transformer.types import Transformed

RESPONSE_BUDGET_BYTES: Final = PROCESSOR_RESPONSE_MAX_BYTES
# The documents a batch holds before they are re-ingested: above this they are sent at once
# (the whole batch's and a single record's alike), so the memory a batch takes does not grow
# with how far its records decompress. A record may decompress to 64 MiB and a million events.
HELD_DOCUMENTS_MAX_BYTES: Final = 16 * 1024 * 1024
PER_RECORD_OVERHEAD: Final = 64  # {"recordId":"","result":"ProcessingFailed","data":""},


def b64_length(size: int) -> int:
    return 4 * ((size + 2) // 3)


def _size(record: Transformed, inline: bool) -> int:
    data = b64_length(len(record.documents[0])) if inline else len(record.original)
    return PER_RECORD_OVERHEAD + len(record.record_id) + data


def beyond_budget(
    records: Sequence[Transformed], budget: int = RESPONSE_BUDGET_BYTES
) -> frozenset[int]:
    """The indexes of the records whose first document must leave the response (be re-ingested
    with the others) for the response to fit the budget; the largest go first."""
    inline = [index for index, record in enumerate(records) if record.kind == "documents"]
    total = sum(_size(record, record.kind == "documents") for record in records)
    if total <= budget:
        return frozenset()
    gain = {i: b64_length(len(records[i].documents[0])) - len(records[i].original) for i in inline}
    moved: set[int] = set()
    for index in sorted(inline, key=gain.__getitem__, reverse=True):
        if total <= budget:
            break
        moved.add(index)
        total -= gain[index]
    return frozenset(moved)
