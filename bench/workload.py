"""The benchmark's Firehose requests: CloudWatch Logs records built from the log corpus, the
requests of documents the transformer re-ingested (as they come back through it), and mixes of
application lines of one size (for the cost per GB)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from itertools import cycle, islice
from pathlib import Path
from typing import Any, Final, NamedTuple

from lambdalogs.local.firehose import firehose_event, subscription_record
from transformer.budget import b64_length

CORPUS: Final = Path(__file__).resolve().parent.parent / "tests" / "corpus"
STREAM_ARN: Final = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/lambda-logs"
PLATFORM: Final = ("START ", "END ", "REPORT ", "INIT_START", "EXTENSION")
# Firehose adds about this much JSON around each record's base64 data in the request.
RECORD_FRAMING_BYTES: Final = 90
_FILLER: Final = "order accepted for processing by the fulfilment worker pool with priority normal "


class Request(NamedTuple):
    event: dict[str, Any]
    events: int
    """Log events it carries (CloudWatch records), or records (passthrough)."""


EVERYDAY_FILES: Final = ("edge", "json-formats", "node", "other-runtimes", "platform", "python")
"""The corpus files of the formats most functions write every day. The later files are golden
cases of rare formats (crash lines, SnapStart, tenant isolation, Powertools in every casing…),
one or two lines each: in `corpus` they weigh as much as any line, so `typical` leaves them out
rather than draw a crash line or a SnapStart REPORT as often as an ordinary one."""


def corpus_lines(mix: str) -> list[str]:
    """`corpus`: every corpus line alike (edge-heavy: errors, tracebacks, EMF, odd bytes, every
    rare format). `typical`: START, END and REPORT of each invocation around four application
    lines, from the everyday files."""
    paths = sorted(CORPUS.glob("*.json"))
    if mix != "corpus":
        paths = [CORPUS / f"{name}.json" for name in EVERYDAY_FILES]
    lines: list[str] = []
    for path in paths:
        for case in json.loads(path.read_text()):
            lines.extend(e["message"] for e in case["events"] if len(e["message"]) < 4096)
    if mix == "corpus":
        return lines
    platform = [line for line in lines if line.startswith(PLATFORM[:3])]
    simple = application_lines(lines)
    return platform + simple * (4 * len(platform) // (3 * len(simple)) or 1)


def application_lines(lines: Sequence[str]) -> list[str]:
    """The single-line application lines (no platform line, no traceback)."""
    return [line for line in lines if not line.startswith(PLATFORM) and "\n" not in line.rstrip()]


def sized(line: str, size: int) -> str | None:
    """`line` padded to `size` UTF-8 bytes (a JSON object gains a `detail` member, a text line
    a clause), or None when it is longer already."""
    room = size - len(line.encode("utf-8"))
    is_json = line.startswith("{") and line.endswith("}")
    if room < 0 or (is_json and room < 14):
        return None if room else line
    if is_json:
        filler = "".join(islice(cycle(_FILLER), room - 13))
        return line[:-1] + ',"detail":"' + filler + '"}'
    return line + " " + "".join(islice(cycle(_FILLER), room - 1))


def sized_lines(size: int) -> list[str]:
    """The corpus's application lines, each padded to exactly `size` bytes."""
    lines = application_lines(corpus_lines("corpus"))
    fitted = [sized(line, size) for line in lines]
    return [line for line in fitted if line is not None]


def build_request(
    target_bytes: int, seed: int = 1, mix: str = "corpus", lines: Sequence[str] = ()
) -> Request:
    """A Firehose event of about `target_bytes` (JSON) of CloudWatch Logs records of 20 to 200
    events each, its lines drawn from `lines` or else the corpus `mix`."""
    rng = random.Random(seed)
    pool = list(lines) or corpus_lines(mix)
    records: list[bytes] = []
    size, events, base_ms = 200, 0, 1_795_169_647_000
    while size < target_bytes * 0.97:
        count = rng.randint(20, 200)
        batch = [
            {
                "id": f"{rng.getrandbits(180):056d}"[:56],
                "timestamp": base_ms + events + i,
                "message": rng.choice(pool).replace("c-1042", f"c-{rng.randint(1, 99999)}"),
            }
            for i in range(count)
        ]
        record = subscription_record(
            f"/aws/lambda/fn-{rng.randint(1, 40)}",
            f"2026/11/20/[$LATEST]{rng.getrandbits(128):032x}",
            "123456789012",
            batch,
        )
        size += b64_length(len(record)) + RECORD_FRAMING_BYTES
        if size > target_bytes:
            break
        records.append(record)
        events += count
    return Request(firehose_event(records, STREAM_ARN), events)


def passthrough_request(documents: Sequence[bytes], target_bytes: int) -> Request:
    """The documents the transformer re-ingested, as Firehose hands them back to it: one
    record each, as many as fit in about `target_bytes`."""
    chosen: list[bytes] = []
    size = 200
    for document in documents:
        size += b64_length(len(document)) + RECORD_FRAMING_BYTES
        if size > target_bytes:
            break
        chosen.append(document)
    return Request(firehose_event(chosen, STREAM_ARN), len(chosen))
