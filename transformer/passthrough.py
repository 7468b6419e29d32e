"""Documents the transformer re-ingested, coming back through it from the stream: answered `Ok`
with their data unchanged, for the whole batch at once, before the per-record path runs.

Such a record is recognised by its base64 data alone (`decode.is_document`: it starts with
the fixed encoding of `{"@timestamp":"`), so it is never decoded, parsed or re-encoded; the
answer echoes the very string Firehose sent. The checks are C-speed passes over the batch
(`map`, `set`, `itertools.compress`), and a passing record is answered in place: its own dict
becomes its entry (`approximateArrivalTimestamp` taken out, `result` put in), so no dict is
made, and none freed, per record. On a 6 MB batch in a warm container, whose heap earlier
batches left scattered, making and freeing thousands of fresh dicts cost a third of the
passthrough's time (`make bench`: passthrough / floor). `response_bytes` counts a passing
record's id and data as characters: exact for base64, which needs no JSON escape.

The batch is split only when every record is an object with a string `recordId`, all of them
distinct, and string `data`: anything else goes through the per-record path whole, which
reports the missing, duplicated or malformed record exactly as before. No record is changed
before the batch is known to split; the records of `rest` are never changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter, not_
from typing import Any, Final

from transformer.budget import PER_RECORD_OVERHEAD
from transformer.decode import DOCUMENT_PREFIX_B64
from transformer.summary import Summary

Entry = dict[str, Any]
"""A record's answer in the response: recordId, result, data."""
_ID: Final = itemgetter("recordId")
_DATA: Final = itemgetter("data")
_ARRIVAL: Final = "approximateArrivalTimestamp"
_ENTRY_KEYS: Final = 3  # recordId, result, data
# A passing record's entry in the response JSON, but for its id and data.
_ENTRY_JSON_BYTES: Final = len('{"recordId":"","result":"Ok","data":""}')


@dataclass(frozen=True)
class Passing:
    """A batch split in two: `rest`, the records the per-record path transforms (in order), and
    `entries`, the answers of the records passing through. `marks[i]`: whether input record i
    passes through (`marks` is None when none does: `rest` is the batch)."""

    rest: list[Any]
    marks: list[bool] | None = None
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
        if self.marks is None:
            return rest_entries
        if not rest_entries:
            return self.entries
        passing, others = iter(self.entries), iter(rest_entries)
        return [next(passing) if mark else next(others) for mark in self.marks]

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
        ids = list(map(_ID, records))
        datas = list(map(_DATA, records))
    except (KeyError, TypeError):  # not an object, or a key missing
        return whole
    if set(map(type, ids)) != {str} or set(map(type, datas)) != {str}:
        return whole  # an id or data the per-record path must report
    marks = list(map(str.startswith, datas, repeat(DOCUMENT_PREFIX_B64)))
    if not any(marks) or len(set(ids)) != len(ids):
        return whole  # none passes, or an id the per-record path must report
    everyone = all(marks)
    entries = _answered_in_place(records if everyone else list(compress(records, marks)))
    rest = [] if everyone else list(compress(records, map(not_, marks)))
    characters = sum(map(len, compress(ids, marks))) + sum(map(len, compress(datas, marks)))
    return Passing(rest, marks, entries, characters)


def _answered_in_place(passing: list[dict[str, Any]]) -> list[Entry]:
    """Each record made its own answer: `{recordId, data, result: Ok}`. One with any other
    member (Firehose sends none) is answered by a new dict instead, so no entry carries more
    than the contract's three."""
    entries: list[Entry] = []
    add = entries.append
    for record in passing:
        record.pop(_ARRIVAL, None)
        record["result"] = "Ok"
        if len(record) == _ENTRY_KEYS:
            add(record)
        else:
            add({"recordId": record["recordId"], "result": "Ok", "data": record["data"]})
    return entries
