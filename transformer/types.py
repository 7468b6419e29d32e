"""The transformer's shared types, each declared once: a document's fields, what one input
record became, and the answer Firehose gets for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Fields = dict[str, Any]
"""A document's fields by their dotted names, in the order they are written."""

Result = Literal["Ok", "Dropped", "ProcessingFailed"]
"""The Firehose data-transformation results."""

TransformedKind = Literal["documents", "passthrough", "dropped", "failed"]
"""What a record became: documents to deliver, one of our own documents passing through, a
record with nothing to deliver (a control message, a group not included, no log events), or
one that cannot be read (undecodable, or it broke the transformer)."""


@dataclass(frozen=True)
class Transformed:
    """One input record after decode → parse → enrich → document, before the response budget
    and re-ingestion. `documents` is never empty when `kind` is "documents", but for a record
    whose documents were all handed to re-ingestion while the batch was read (`spilled`: how
    many were)."""

    record_id: str
    original: str  # the input's base64 data, echoed when the record has no document inline
    kind: TransformedKind
    documents: list[bytes] = field(default_factory=list)
    truncated: int = 0  # documents whose message was cut to the configured size
    parser_errors: int = 0  # events whose parse raised (indexed as plain text)
    reason: str = ""  # why a "failed" record cannot be read
    spilled: int = 0  # documents already handed to re-ingestion (no longer in `documents`)
    pipeline: bool = False  # "dropped": a record of a pipeline's own log group (recursion guard)


class Answer(NamedTuple):
    """The record's entry in the response to Firehose."""

    record_id: str
    result: Result
    data: str  # base64

    def entry(self) -> dict[str, str]:
        return {"recordId": self.record_id, "result": self.result, "data": self.data}
