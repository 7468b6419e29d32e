"""What a CloudWatch record adds to the fields parsed from each of its events: the function's
name and version (from the log group and stream), the event's id, and for REPORT lines the
invocation's cost (which needs the function's architecture: see `Usage`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from transformer.cost import invocation_cost
from transformer.fingerprint import add_fingerprint
from transformer.leaves import SHORT_LINE_CHARS, cap_json_leaves
from transformer.settings import Prices
from transformer.types import Fields

# Lambda log streams: "2026/11/20/[$LATEST]<id>", and in custom groups
# "2026/11/20/<function name>[<version>]<id>".
_STREAM: Final = re.compile(r"\d{4}/\d\d/\d\d/([^\[\]/]*)\[([^\]]*)\]")
_LAMBDA_GROUP: Final = "/aws/lambda/"
BILLED: Final = "aws.lambda.billed_duration_ms"  # only a REPORT document has it


@dataclass(frozen=True)
class StreamInfo:
    """What every document of one CloudWatch record shares."""

    account_id: str
    log_group: str
    function_name: str | None
    version: str | None
    lambda_stream: bool  # a function's own stream ("…/[<version>]…"), even in a custom group
    log_stream: str  # a function's: "A single execution environment writes to the same log stream"
    # cloud.* and aws.cloudwatch.*: fields of the record that no log line can set
    shared: Fields = field(compare=False, repr=False)

    @classmethod
    def of(cls, owner: str, region: str, log_group: str, log_stream: str) -> StreamInfo:
        stream = _STREAM.match(log_stream)
        name: str | None = None
        if log_group.startswith(_LAMBDA_GROUP) and len(log_group) > len(_LAMBDA_GROUP):
            name = log_group[len(_LAMBDA_GROUP) :]
        elif stream and stream.group(1):
            name = stream.group(1)
        shared = {
            "cloud.provider": "aws",
            "cloud.account.id": owner,
            "aws.cloudwatch.log_group": log_group,
            "aws.cloudwatch.log_stream": log_stream,
        }
        if region:
            shared["cloud.region"] = region
        version = (stream.group(2) or None) if stream else None
        lambda_stream = stream is not None and name is not None
        return cls(owner, log_group, name, version, lambda_stream, log_stream, shared)

    def included(self, prefixes: tuple[str, ...]) -> bool:
        """Whether the record is indexed: its group has one of the prefixes (none = every
        group), or its stream is a function's own (a custom log group of a function)."""
        if not prefixes or self.log_group.startswith(prefixes):
            return True
        return self.lambda_stream


def enrich(fields: Fields, line: str, event_id: object, info: StreamInfo) -> None:
    """The record's and the event's own fields added to the parsed ones: every document has a
    `message`; the log group's function name wins over a logged one."""
    if "message" not in fields:  # every document has one (and so is never empty)
        fields["message"] = line
    if info.function_name:
        fields["faas.name"] = info.function_name
    if info.version and "faas.version" not in fields:
        fields["faas.version"] = info.version
    if type(event_id) is str:
        fields["aws.cloudwatch.event_id"] = event_id
    if "error.type" in fields or "error.message" in fields or "error.stack_trace" in fields:
        add_fingerprint(fields)  # one id per kind of error (transformer/fingerprint.py)
    if len(line) > SHORT_LINE_CHARS and "json" in fields:
        cap_json_leaves(fields, line)  # a leaf over Lucene's term limit would lose the document


class Usage(NamedTuple):
    """A billed invocation: its cost needs the function's architecture, looked up outside the
    per-event loop."""

    function_name: str
    billed_ms: int
    memory_mb: int


def usage(fields: Fields, info: StreamInfo) -> Usage | None:
    """The billed invocation a REPORT document describes, or None."""
    if fields.get("aws.lambda.event") != "report":
        return None
    billed = fields.get(BILLED)
    memory = fields.get("aws.lambda.memory_size_mb")
    name = info.function_name or fields.get("faas.name")
    if not isinstance(billed, int) or not isinstance(memory, int) or not isinstance(name, str):
        return None
    return Usage(name, billed, memory)


def add_cost(fields: Fields, billed: Usage, architecture: str, prices: Prices) -> None:
    fields["aws.lambda.cost_usd"] = invocation_cost(
        billed.billed_ms, billed.memory_mb, architecture, prices
    )
