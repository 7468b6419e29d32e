"""`python -m bench.document_counts`: how many documents the same log events become, without
folding, with START/END folded into REPORT, and with an example EVENT_RULES on top.

Each document is one Firehose record (the first of each CloudWatch record inline, the others
re-ingested with PutRecordBatch), billed as at least 5 KB: documents are the cost. The mixes are
`bench`'s (`corpus`: every corpus line alike; `typical`: START/END/REPORT around four application
lines, lines drawn at random so invocations are not paired) and `workload`: the deterministic
conference-app workload (`lambdalogs/local/workload.py`), whose invocations are whole, as
Lambda writes them."""

from __future__ import annotations

import argparse
import base64
import json
import random
import zlib
from collections.abc import Sequence
from typing import Final, NamedTuple

from bench.workload import PLATFORM, Request, build_request, corpus_lines, passthrough_request
from lambda_shared.event_rules import parse_rules
from lambdalogs.local.firehose import deliver, subscription_record
from lambdalogs.local.transform import records as workload_records
from lambdalogs.local.workload import generate
from transformer.settings import Settings

EXAMPLE_RULES: Final = "drop-level * DEBUG; sample * INFO 10"
"""Debug lines dropped everywhere, a tenth of the requests' INFO lines kept."""
BILLED_KB_PER_DOCUMENT: Final = 5
GROUP: Final = "/aws/lambda/orders-api"
STREAM: Final = "2026/11/20/[$LATEST]9196f8266f7f5c9edf487f528e10d405"  # one container


class Counts(NamedTuple):
    events: int
    plain: int
    folded: int
    ruled: int


def paired_records(invocations: int, seed: int = 3) -> list[bytes]:
    """`typical` as Lambda writes it: per invocation START, four application lines of the
    corpus, END and REPORT, all of one request id, in one log stream; 20 to 200 events per
    CloudWatch record, cut anywhere (an invocation may span two records)."""
    rng = random.Random(seed)
    simple = [line for line in corpus_lines("typical") if not line.startswith(PLATFORM)]
    report = next(line for line in corpus_lines("corpus") if line.startswith("REPORT "))
    old_id = report.split()[2]
    events: list[dict[str, object]] = []
    for number in range(invocations):
        request = f"{rng.getrandbits(128):032x}"
        lines = [f"START RequestId: {request} Version: $LATEST\n"]
        lines += [rng.choice(simple).replace(old_id, request) for _ in range(4)]
        lines += [f"END RequestId: {request}\n", report.replace(old_id, request)]
        start = 1_795_169_647_000 + number * 100
        events += [
            {"id": f"{start + i:056d}", "timestamp": start + i, "message": line}
            for i, line in enumerate(lines)
        ]
    records, at = [], 0
    while at < len(events):
        size = rng.randint(20, 200)
        records.append(subscription_record(GROUP, STREAM, "123456789012", events[at : at + size]))
        at += size
    return records


def paired_request(target_bytes: int) -> Request:
    """A Firehose event of `paired_records` of about `target_bytes` (JSON), sized as
    passthrough_request sizes its records: the bench's request of whole invocations."""
    fitted = passthrough_request(paired_records(target_bytes // 300), target_bytes)  # ~450 B each
    messages = (zlib.decompress(base64.b64decode(r["data"]), 31) for r in fitted.event["records"])
    return Request(fitted.event, sum(len(json.loads(m)["logEvents"]) for m in messages))


def mix_records(mix: str, target_bytes: int) -> list[bytes]:
    """The raw CloudWatch subscription records (gzip) of one mix."""
    if mix == "workload":
        return workload_records(generate(sessions=200).streams)
    if mix == "paired":
        return paired_records(target_bytes // 1_000)
    event, _ = build_request(target_bytes, mix=mix)
    return [base64.b64decode(record["data"]) for record in event["records"]]


def documents(records: Sequence[bytes], settings: Settings) -> int:
    """What OpenSearch receives for `records`, every re-ingested document come back."""
    delivery = deliver(records, settings=settings)
    if delivery.failed:
        raise RuntimeError(f"{len(delivery.failed)} records failed: the counts would be wrong")
    return len(delivery.documents)


def count(records: Sequence[bytes], rules: str) -> Counts:
    plain = Settings(region="eu-west-1")
    folded = Settings(region="eu-west-1", fold_platform_events=True)
    ruled = Settings(region="eu-west-1", fold_platform_events=True, event_rules=parse_rules(rules))
    return Counts(
        events=sum(len(json.loads(zlib.decompress(r, 31))["logEvents"]) for r in records),
        plain=documents(records, plain),
        folded=documents(records, folded),
        ruled=documents(records, ruled),
    )


def _share(part: int, whole: int) -> str:
    return f"{100.0 * (whole - part) / whole:5.1f} %" if whole else "  n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bytes", type=int, default=1_000_000, help="request size of bench's mixes"
    )
    parser.add_argument("--rules", default=EXAMPLE_RULES, help="EVENT_RULES to apply on top")
    args = parser.parse_args()
    print(f"rules: {args.rules!r}; each document billed as >= {BILLED_KB_PER_DOCUMENT} KB")
    print("| mix | events | documents | folded | fewer | + rules | fewer |")
    print("|---|---|---|---|---|---|---|")
    for mix in ("corpus", "typical", "paired", "workload"):
        got = count(mix_records(mix, args.bytes), args.rules)
        print(
            f"| {mix} | {got.events:,} | {got.plain:,} | {got.folded:,} | "
            f"{_share(got.folded, got.plain)} | {got.ruled:,} | {_share(got.ruled, got.plain)} |"
        )


if __name__ == "__main__":
    main()
