"""Each record's final answer to Firehose, decided in one place."""

from __future__ import annotations

import base64

from transformer.types import Answer, Transformed


def final_answer(record: Transformed, *, inline: bool, reingest_failed: bool) -> Answer:
    """What Firehose gets for `record`. `inline`: the response budget leaves its first document
    in the response; `reingest_failed`: some of its documents could not be re-ingested.

    - one of our own documents passing through: Ok, its data unchanged;
    - nothing to deliver (control message, group not included, no events): Dropped;
    - unreadable, or any of its documents not re-ingested: ProcessingFailed with its original
      data, so Firehose keeps the raw record in S3 for the replay tool and nothing is lost;
    - documents: Ok with the first inline, or Dropped when all of them went to the stream."""
    kind = record.kind
    if kind == "passthrough":
        return Answer(record.record_id, "Ok", record.original)
    if kind == "dropped":
        return Answer(record.record_id, "Dropped", record.original)
    if kind == "failed" or reingest_failed:
        return Answer(record.record_id, "ProcessingFailed", record.original)
    if inline:
        data = base64.b64encode(record.documents[0]).decode("ascii")
        return Answer(record.record_id, "Ok", data)
    return Answer(record.record_id, "Dropped", record.original)
