"""The cost per GB of log events, computed from what the benchmark measured for one event-size
mix: Firehose ingestion of the CloudWatch Logs records and of the re-ingested documents, and
the transformer's Lambda time for both (the records, and the documents passing through).

Prices are US East (N. Virginia) on-demand list prices:
- Firehose Direct PUT ingestion, $0.029 per GB (first 500 TB a month). "Ingestion pricing is
  tiered and billed per GB ingested in 5KB increments (a 3KB record is billed as 5KB, a 12KB
  record is billed as 15KB, etc.)" and "the 5KB roundup is calculated at the record level rather
  than the API operation level" (Firehose pricing page and FAQ). The CloudWatch Logs
  subscription records are assumed to be billed the same way (the page bills "Vended Logs"
  without the 5 KB rounding; subscription delivery is not listed as vended logs).
- Lambda arm64, $0.0000133334 per GB-second and $0.20 per million requests; at 1,769 MB a
  function has one vCPU, below that a proportional share.
Excluded: OpenSearch (a fixed monthly cost, docs/costs.md), S3 (only failed documents are
backed up by default), and CloudWatch Logs' own ingestion ($0.50 per GB, paid with or without
this pipeline: printed apart)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

KB: Final = 1024
GB: Final = 1024**3
BILLING_UNIT_BYTES: Final = 5 * KB
FIREHOSE_USD_PER_GB: Final = 0.029
LAMBDA_ARM_USD_PER_GB_SECOND: Final = 0.0000133334
LAMBDA_USD_PER_REQUEST: Final = 0.20 / 1_000_000
FULL_VCPU_MB: Final = 1769
CLOUDWATCH_INGESTION_USD_PER_GB: Final = 0.50
PROCESSOR_BUFFER_BYTES: Final = 1 * 1024 * 1024  # Firehose's processor buffer: 1 MB (default)


def billed_units(sizes: Sequence[int]) -> int:
    """5 KB billing units of records of these sizes (each rounded up, an empty one too)."""
    return sum(max(1, -(-size // BILLING_UNIT_BYTES)) for size in sizes)


class MixFigures(NamedTuple):
    """What one run of a mix measured: a request of CloudWatch records, the documents made of
    it, and the transformer's CPU (this machine) for the request and for its documents
    coming back through it."""

    event_bytes: int
    events: int
    record_sizes: list[int]  # the gzip data of each CloudWatch record
    reingested_sizes: list[int]  # each re-ingested document
    handler_cpu_seconds: float  # the request, re-ingesting through the lean client
    handler_wait_seconds: float  # its wall time beyond its CPU time (calls in flight)
    passthrough_cpu_per_record: float


class CostPerGB(NamedTuple):
    events: float
    billed_gb: float
    firehose_usd: float
    lambda_gb_seconds: float
    waiting_gb_seconds: float  # of lambda_gb_seconds: waiting on re-ingestion calls
    lambda_usd: float

    @property
    def total_usd(self) -> float:
        return self.firehose_usd + self.lambda_usd


def cost_per_gb(mix: MixFigures, memory_mb: int) -> CostPerGB:
    """Scaled from the measured request to 1 GB of log events (message bytes)."""
    scale = GB / (mix.events * mix.event_bytes)
    units = billed_units(mix.record_sizes) + billed_units(mix.reingested_sizes)
    billed_gb = units * BILLING_UNIT_BYTES / GB * scale
    share = min(1.0, memory_mb / FULL_VCPU_MB)
    documents = len(mix.reingested_sizes)
    cpu = mix.handler_cpu_seconds + documents * mix.passthrough_cpu_per_record
    gb_per_second = memory_mb / 1024
    waiting = mix.handler_wait_seconds * scale * gb_per_second
    gb_seconds = cpu / share * scale * gb_per_second + waiting
    delivered = sum(mix.record_sizes) + sum(mix.reingested_sizes)
    requests = delivered / PROCESSOR_BUFFER_BYTES * scale
    lambda_usd = gb_seconds * LAMBDA_ARM_USD_PER_GB_SECOND + requests * LAMBDA_USD_PER_REQUEST
    firehose_usd = billed_gb * FIREHOSE_USD_PER_GB
    return CostPerGB(mix.events * scale, billed_gb, firehose_usd, gb_seconds, waiting, lambda_usd)


def report(figures: Sequence[MixFigures], memory_mb: int) -> list[str]:
    lines = [
        f"cost per GB of log events (us-east-1 list prices; Firehose ${FIREHOSE_USD_PER_GB}/GB, "
        f"each record rounded up to 5 KB; Lambda arm64 {memory_mb} MB; OpenSearch, S3 and "
        f"CloudWatch Logs' own ${CLOUDWATCH_INGESTION_USD_PER_GB:.2f}/GB ingestion excluded):",
        f"  {'event':>6} {'events/GB':>11} {'docs/record':>11} {'billed GB':>9} "
        f"{'Firehose $':>10} {'Lambda GB-s (waiting)':>21} {'Lambda $':>8} {'total $/GB':>10}",
    ]
    for mix in figures:
        cost = cost_per_gb(mix, memory_mb)
        per_record = (len(mix.reingested_sizes) + len(mix.record_sizes)) / len(mix.record_sizes)
        lines.append(
            f"  {mix.event_bytes:5d}B {cost.events:11,.0f} {per_record:11.1f} "
            f"{cost.billed_gb:9.1f} {cost.firehose_usd:10.3f} {cost.lambda_gb_seconds:12.1f} "
            f"({cost.waiting_gb_seconds:6.1f}) {cost.lambda_usd:8.4f} {cost.total_usd:10.3f}"
        )
    return lines
