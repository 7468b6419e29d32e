"""Documents the transformer re-ingested, coming back through it from the stream: answered `Ok`
with their data unchanged, for the whole batch at once, before the per-record path runs.

Such a record is recognised by its base64 data alone (`decode.is_document`: it starts with
the fixed encoding of `{"@timestamp":"`), so it is never decoded, parsed or re-encoded; the
answer echoes the very string Firehose sent. One comprehension reaches each record once, the
rest are C-speed passes over small lists (`set`, `map`, `itertools.compress`), so a
passthrough record costs a fraction of what the floor spends on one log event (`make bench`:
passthrough / floor). `response_bytes` counts a passing record's id and data as characters:
exact for base64, which needs no JSON escape.

The batch is split only when every record is an object with a string `recordId`, all of them
distinct, and string `data`: anything else goes through the per-record path whole, which
reports the missing, duplicated or malformed record exactly as before."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter, not_
from typing import Any, Final, cast

from transformer.budget import PER_RECORD_OVERHEAD
from transformer.decode import DOCUMENT_PREFIX_B64
from transformer.summary import Summary

Entry = dict[str, str]
"""A record's answer in the response: recordId, result, data."""
_ID: Final = itemgetter("recordId")
# A passing record's entry in the response JSON, but for its id and data.
_ENTRY_JSON_BYTES: Final = len('{"recordId":"","result":"Ok","data":""}')


@dataclass(frozen=True)
class Passing:
    """A batch split in two: `rest`, the records the per-record path transforms (in order), and
    `entries`, the answers of the records passing through. `slots[i]`: input record i's answer
    when it passes through, else None (`slots` is None when none does: `rest` is the batch)."""

    rest: list[Any]
    slots: list[Entry | None] | None = None
    entries: list[Entry] = field(default_factory=list)
    characters: int = 0
    """Characters of the passing records' ids and data (their share of the response)."""

    @property
    def budget_bytes(self) -> int:
        """What the passing records take of the response budget (`budget.beyond_budget`'s
        measure of a record answered with its original data)."""
        return self.characters + PER_RECORD_OVERHEAD * len(self.entries)

    def merged(self, rest_entries: list[Entry]) -> list[Entry]:
        """The response's records in the batch's order: `rest_entries` answer `rest`, one each."""
        if self.slots is None:
            return rest_entries
        if not rest_entries:
            return self.entries
        others = iter(rest_entries)
        return [slot or next(others) for slot in self.slots]

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
    """`records` with the passthrough ones answered (see the module docstring). One pass
    reaches each record once, for its id, its answer and its data's length together: on a 6 MB
    batch, reaching thousands of fresh objects again costs more in cache misses than all the
    rest (the appends return None, so the conditions they sit in hold)."""
    whole = Passing(records)
    ids: list[Any] = []
    lengths: list[int] = []
    noted, measured = ids.append, lengths.append
    try:
        slots: list[Entry | None] = [
            {"recordId": record_id, "result": "Ok", "data": data}
            if noted(record_id := record["recordId"]) is None
            and (data := record["data"]).startswith(DOCUMENT_PREFIX_B64)
            and measured(len(data)) is None
            else None
            for record in records
        ]
    except (KeyError, TypeError, AttributeError):  # not an object, a key missing, not text
        return whole
    if not lengths or set(map(type, ids)) != {str} or len(set(ids)) != len(ids):
        return whole  # none passes, or an id the per-record path must report
    if len(lengths) == len(slots):
        entries, rest = cast("list[Entry]", slots), []
    else:
        entries = list(filter(None, slots))
        rest = list(compress(records, map(not_, slots)))
    characters = sum(map(len, map(_ID, entries))) + sum(lengths)
    return Passing(rest, slots, entries, characters)
