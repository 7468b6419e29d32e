"""`python -m bench.backfill_amplification`: how many Direct PUT bytes one byte of backfill records
becomes, through the real transformer.

The backfill puts its records (subscriptions/envelope.py: gzip'd envelopes of up to 256 KiB of
JSON, one log stream's events each) into the stream; the transformer answers each record with its
first document inline and re-ingests the others with PutRecordBatch into the same stream, so both
the records and the re-ingested documents draw on the stream's Direct PUT quota (1 MiB/s in most
regions); the inline documents do not (they are the transformation's output). Printed per mix
(bench's: `typical` and `corpus`, bench/workload.py), for the backfill's envelopes and, beside
them, for records of 20 to 200 events as CloudWatch delivers live traffic: the record bytes, the
re-ingested bytes, their ratio, and what BACKFILL_BYTES_PER_SECOND's default becomes."""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from typing import Final, NamedTuple

from bench.workload import corpus_lines
from lambda_shared.environment import BACKFILL_BYTES_PER_SECOND
from lambdalogs.local.firehose import deliver, subscription_record
from subscriptions.envelope import encode
from subscriptions.logs_api import LogEvent
from transformer.settings import Settings

OWNER: Final = "123456789012"
GROUP: Final = "/aws/lambda/orders-api"
STREAM_ARN: Final = f"arn:aws:firehose:eu-west-1:{OWNER}:deliverystream/lambda-logs"
STREAMS: Final = 4  # a function's containers: the backfill's envelopes are per log stream
LOWEST_QUOTA: Final = 1024 * 1024  # Direct PUT, bytes/s per stream, in most regions


class Amplification(NamedTuple):
    record_bytes: int
    reingested_bytes: int

    @property
    def ratio(self) -> float:
        """Re-ingested document bytes per record byte."""
        return self.reingested_bytes / self.record_bytes

    def direct_put(self, rate: float) -> float:
        """Direct PUT bytes/s of `rate` record bytes/s: the records and their documents."""
        return rate * (1 + self.ratio)


def events(mix: str, count: int, seed: int = 5) -> list[LogEvent]:
    """`count` events of the mix, 1 ms apart, spread over STREAMS log streams."""
    rng = random.Random(seed)
    lines = corpus_lines(mix)
    start = 1_795_169_647_000
    return [
        LogEvent(
            event_id=f"{start + i:056d}",
            stream=f"2026/11/20/[$LATEST]{i % STREAMS:032x}",
            timestamp=start + i,
            ingestion_time=start + i + 5,
            message=rng.choice(lines),
        )
        for i in range(count)
    ]


def backfill_records(found: Sequence[LogEvent]) -> list[bytes]:
    """The records the subscriber's backfill puts for these events (its own encoder)."""
    return list(encode(OWNER, GROUP, "lambda-logs-pipeline", found, "eu-west-1").records)


def live_records(found: Sequence[LogEvent], seed: int = 5) -> list[bytes]:
    """The same events as CloudWatch delivers them live: 20 to 200 per record, one stream's."""
    rng = random.Random(seed)
    by_stream: dict[str, list[dict[str, object]]] = {}
    for event in found:
        payload = {"id": event.event_id, "timestamp": event.timestamp, "message": event.message}
        by_stream.setdefault(event.stream, []).append(payload)
    records: list[bytes] = []
    for stream, payloads in by_stream.items():
        at = 0
        while at < len(payloads):
            size = rng.randint(20, 200)
            records.append(subscription_record(GROUP, stream, OWNER, payloads[at : at + size]))
            at += size
    return records


def measure(records: Sequence[bytes]) -> Amplification:
    """Run the records through the transformer, and every re-ingested document back through it
    (documents pass through: a second round re-ingests nothing), counting re-ingested bytes
    (`lambdalogs.local.firehose.deliver`: Firehose's processor batches, 500 records or 3 MB)."""
    delivery = deliver(records, settings=Settings(region="eu-west-1"), stream_arn=STREAM_ARN)
    return Amplification(sum(len(data) for data in records), delivery.reingested_bytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="log events per mix")
    args = parser.parse_args()
    rate = BACKFILL_BYTES_PER_SECOND.default
    print(f"BACKFILL_BYTES_PER_SECOND default: {rate:,} bytes/s of records")
    print("| mix | records | record bytes | re-ingested bytes | ratio | Direct PUT at default |")
    print("|---|---|---|---|---|---|")
    for mix in ("typical", "corpus"):
        found = events(mix, args.events)
        for kind, records in (("backfill", backfill_records(found)), ("live", live_records(found))):
            got = measure(records)
            put = got.direct_put(rate)
            print(
                f"| {mix} | {kind} ({len(records):,}) | {got.record_bytes:,} | "
                f"{got.reingested_bytes:,} | {got.ratio:.1f}x | {put / 1024:,.0f} KiB/s, "
                f"{100 * put / LOWEST_QUOTA:.0f} % of 1 MiB/s |"
            )


if __name__ == "__main__":
    main()
