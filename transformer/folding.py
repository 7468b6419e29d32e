"""START and END folded into their invocation's REPORT document: one document instead of three
(each re-ingested document is billed by Firehose as at least 5 KB).

Within one batch, whatever record each line came in: a START or END (Lambda's JSON log format:
`platform.start`, `platform.runtimeDone`) is held back, and the REPORT of the same request in
the same log stream of the same log group takes it in as fields, if the line is not later than
the REPORT. The stream is part of the pairing because one request id can run in two execution
environments (AWS Lambda Operator Guide, "How CloudWatch structures logs": "If the Lambda
function retries a request, this ID does not change"), and "Each instance of a Lambda function
has a dedicated log stream ... A single execution environment writes to the same log stream
during its lifetime": an invocation's START, END and REPORT share the stream of the one
environment that ran it, so a REPORT never takes the START of another environment's attempt
(its `faas.version`, its start time):

- `aws.lambda.start_time`: the START's timestamp, and `faas.version` its version;
- `aws.lambda.end_time`: the END's (or `platform.runtimeDone`'s) timestamp;
- `aws.lambda.folded`: the JSON objects of folded JSON-format lines by kind (`start`,
  `runtime_done`), so their every member (spans, producedBytes, tracing) stays searchable;
- `aws.xray.trace_id` from the START when the REPORT has none.

Only lines that these fields restore exactly are folded (a text START or END whose message is
nothing but its request id and version; a JSON one with its object). What no REPORT takes in by
the end of the batch — its REPORT comes in a later batch, came before it, or never comes (a
crash) — is made into its own document, as without folding: nothing is lost. A REPORT's record
that fails makes the records that gave it lines fail too (`failures`), so that the raw records
Firehose keeps for replay hold every line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from transformer.document import MAX_TIMESTAMP_MS, timestamp_text
from transformer.enrich import StreamInfo
from transformer.types import Fields

START_KINDS: Final = frozenset({"start"})
END_KINDS: Final = frozenset({"end", "runtime_done"})
_TEXT_KEYS: Final = frozenset({"aws.lambda.event", "faas.execution", "faas.version", "message"})
_JSON_KEYS: Final = _TEXT_KEYS | {
    "json",
    "aws.xray.trace_id",
    "aws.lambda.status",
    "aws.lambda.tenant_id",  # in the folded JSON object, and on the REPORT's own record
}
_JSON_TYPES: Final = {"start": "platform.start", "runtime_done": "platform.runtimeDone"}
MAX_HELD: Final = 20_000
"""Lines held back at once; beyond, a START or END is its own document at once (memory stays
bounded whatever a batch holds)."""


class Held(NamedTuple):
    """A START or END waiting for its REPORT, with what its own document would need."""

    owner: int  # the index of its input record in the batch
    kind: str
    fields: Fields
    line: str
    epoch_ms: int
    event_id: object
    info: StreamInfo


@dataclass
class Folder:
    """The batch's held lines, what was folded and which records gave lines to which."""

    max_held: int = MAX_HELD
    folded: int = 0
    held: dict[tuple[str, str, str, str], Held] = field(default_factory=dict)
    """(log group, log stream, request id, "start" or "end") → the line held."""
    released: list[Held] = field(default_factory=list)
    donors: dict[int, set[int]] = field(default_factory=dict)  # REPORT's owner → givers

    def hold(
        self,
        fields: Fields,
        line: str,
        epoch_ms: object,
        event_id: object,
        info: StreamInfo,
        owner: int,
    ) -> bool:
        """Whether the START or END in `fields` is held back (else it is a document now)."""
        kind = fields["aws.lambda.event"]
        request = fields.get("faas.execution")
        if type(epoch_ms) is not int or not 0 <= epoch_ms <= MAX_TIMESTAMP_MS:
            return False
        if not isinstance(request, str) or not _restorable(fields, kind, request):
            return False
        if len(self.held) >= self.max_held:
            return False
        key = (info.log_group, info.log_stream, request, "start" if kind in START_KINDS else "end")
        earlier = self.held.pop(key, None)
        if earlier is not None:  # the same request id again (an asynchronous retry)
            self.released.append(earlier)
        self.held[key] = Held(owner, kind, fields, line, epoch_ms, event_id, info)
        return True

    def fold(self, report: Fields, info: StreamInfo, owner: int, epoch_ms: object) -> None:
        """The held START and END of the REPORT in `report` (its stream's, not later than its
        `epoch_ms`), taken in as its fields."""
        request = report.get("faas.execution")
        if not self.held or not isinstance(request, str) or type(epoch_ms) is not int:
            return
        start = self._taken((info.log_group, info.log_stream, request, "start"), epoch_ms)
        end = self._taken((info.log_group, info.log_stream, request, "end"), epoch_ms)
        folded: dict[str, Any] = {}
        if start is not None:
            report["aws.lambda.start_time"] = timestamp_text(start.epoch_ms)
            _take(report, start, folded, ("faas.version", "aws.xray.trace_id"))
        if end is not None:
            report["aws.lambda.end_time"] = timestamp_text(end.epoch_ms)
            _take(report, end, folded, ())
        if folded:
            report["aws.lambda.folded"] = folded
        for taken in (start, end):
            if taken is not None:
                self.folded += 1
                if taken.owner != owner:
                    self.donors.setdefault(owner, set()).add(taken.owner)

    def _taken(self, key: tuple[str, str, str, str], epoch_ms: int) -> Held | None:
        """The line held under `key` if it is not later than the REPORT (a later one belongs to
        a later attempt of the request id, and stays held for that attempt's REPORT)."""
        held = self.held.get(key)
        if held is None or held.epoch_ms > epoch_ms:
            return None
        del self.held[key]
        return held

    def leftovers(self) -> Iterator[Held]:
        """Every line no REPORT took in, in the order they were held; the folder is then empty."""
        left = sorted([*self.released, *self.held.values()], key=lambda h: (h.owner, h.epoch_ms))
        self.released, self.held = [], {}
        yield from left

    def failures(self, failed: set[int]) -> set[int]:
        """`failed`, and every record that gave a line to a failed record's REPORT (and so on)."""
        result = set(failed)
        changed = True
        while changed:
            changed = False
            for owner, givers in self.donors.items():
                if owner in result and not givers <= result:
                    result |= givers
                    changed = True
        return result


def _take(report: Fields, held: Held, folded: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in held.fields and name not in report:
            report[name] = held.fields[name]
    if "json" in held.fields:
        folded[held.kind] = held.fields["json"]


def _restorable(fields: Fields, kind: str, request: str) -> bool:
    """Whether the fields folding keeps give back everything the line said."""
    if "json" in fields:
        obj = fields["json"]
        return (
            fields.keys() <= _JSON_KEYS
            and isinstance(obj, dict)
            and obj.get("type") == _JSON_TYPES.get(kind)
        )
    if not fields.keys() <= _TEXT_KEYS:
        return False
    if kind == "start":
        version = fields.get("faas.version")
        suffix = f" Version: {version}" if version is not None else ""
        return fields.get("message") == f"START RequestId: {request}{suffix}"
    return kind == "end" and fields.get("message") == f"END RequestId: {request}"
