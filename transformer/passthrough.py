"""Documents the transformer re-ingested, coming back through it from the stream: answered `Ok`
with their data unchanged, for the whole batch at once, before the per-record path runs.

Such a record is recognised by its base64 data alone (`decode.is_document`: it starts with
the fixed encoding of `{"@timestamp":"`), so it is never decoded, parsed or re-encoded; the
answer echoes the very string Firehose sent. The records are taken apart with a few passes that
run in C (list comprehensions, `map`, `itertools.compress`), so a passthrough record costs a
small fraction of what the floor spends on one log event (`make bench`: passthrough / floor).

The batch is split only when every record is an object with a string `recordId`, all of them
distinct, and string `data`: anything else goes through the per-record path whole, which
reports the missing, duplicated or malformed record exactly as before."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import not_
from typing import Any, Final

from transformer.budget import PER_RECORD_OVERHEAD
from transformer.decode import DOCUMENT_PREFIX_B64
from transformer.summary import Summary

# A passing record's entry in the response JSON, but for its id and data.
_ENTRY_JSON_BYTES: Final = len('{"recordId":"","result":"Ok","data":""}')


@dataclass(frozen=True)
class Passing:
    """A batch split in two: `rest`, the records the per-record path transforms (in order), and
    the answers of the records passing through. `flags[i]`: input record i passes through
    (None when none does, and `rest` is the whole batch)."""

    rest: list[Any]
    flags: list[bool] | None = None
    entries: list[dict[str, str]] = field(default_factory=list)
    characters: int = 0
    """Characters of the passing records' ids and data (their share of the response)."""

    @property
    def budget_bytes(self) -> int:
        """What the passing records take of the response budget (`budget.beyond_budget`'s
        measure of a record answered with its original data)."""
        return self.characters + PER_RECORD_OVERHEAD * len(self.entries)

    def merged(self, rest_entries: list[dict[str, str]]) -> list[dict[str, str]]:
        """The response's records in the batch's order: `rest_entries` answer `rest`, one each."""
        if self.flags is None:
            return rest_entries
        if not rest_entries:
            return self.entries
        passing, others = iter(self.entries), iter(rest_entries)
        return [next(passing) if passes else next(others) for passes in self.flags]

    def response_bytes(self, rest_json_bytes: int) -> int:
        """The response's JSON size, from that of the response to `rest` alone (base64 data and
        ids need no JSON escapes, so each passing entry is its characters and fixed keys)."""
        if not self.entries:
            return rest_json_bytes
        separators = len(self.entries) - (0 if self.rest else 1)
        added = self.characters + _ENTRY_JSON_BYTES * len(self.entries) + separators
        return rest_json_bytes + added

    def count(self, summary: Summary) -> None:
        summary.records_ok += len(self.entries)
        summary.passthrough += len(self.entries)


def split(records: list[Any]) -> Passing:
    """`records` with the passthrough ones answered (see the module docstring)."""
    whole = Passing(records)
    try:
        ids = [record["recordId"] for record in records]
        data = [record["data"] for record in records]
        flags = list(map(str.startswith, data, repeat(DOCUMENT_PREFIX_B64)))
    except (KeyError, TypeError, IndexError):  # not an object, a key missing, data not text
        return whole
    if set(map(type, ids)) != {str} or len(set(ids)) != len(ids):
        return whole  # also an empty batch
    passing = flags.count(True)
    if not passing:
        return whole
    if passing == len(records):
        ids_out, data_out, rest = ids, data, []
    else:
        ids_out, data_out = list(compress(ids, flags)), list(compress(data, flags))
        rest = list(compress(records, map(not_, flags)))
    entries = [
        {"recordId": record_id, "result": "Ok", "data": original}
        for record_id, original in zip(ids_out, data_out, strict=True)
    ]
    characters = sum(map(len, ids_out)) + sum(map(len, data_out))
    return Passing(rest, flags, entries, characters)
