"""The benchmark's cost per GB (bench.costs): Firehose's 5 KB rounding per record, the scaling
to 1 GB of log events, and the transformer's Lambda time at its memory's CPU share."""

from __future__ import annotations

import pytest

from bench.costs import (
    BILLING_UNIT_BYTES,
    FIREHOSE_USD_PER_GB,
    FULL_VCPU_MB,
    GB,
    KB,
    LAMBDA_ARM_USD_PER_GB_SECOND,
    MixFigures,
    billed_units,
    cost_per_gb,
)


def test_every_record_is_rounded_up_to_5_kb_as_the_pricing_page_says() -> None:
    # "a 3KB record is billed as 5KB, a 12KB record is billed as 15KB"
    assert billed_units([3 * KB]) == 1
    assert billed_units([12 * KB]) == 3
    assert billed_units([5 * KB, 5 * KB + 1, 0]) == 1 + 2 + 1
    # the rounding is per record, not per call: two 1 KB records are 10 KB
    assert billed_units([KB, KB]) * BILLING_UNIT_BYTES == 10 * KB


def mix(wait: float = 0.0, passthrough: float = 0.0) -> MixFigures:
    return MixFigures(
        event_bytes=256,
        events=1_000,
        record_sizes=[2 * KB] * 10,  # 10 CloudWatch records of 100 events
        reingested_sizes=[600] * 990,
        handler_cpu_seconds=0.02,
        handler_wait_seconds=wait,
        passthrough_cpu_per_record=passthrough,
    )


def test_firehose_bills_each_event_as_5_kb_when_everything_is_smaller() -> None:
    cost = cost_per_gb(mix(), memory_mb=1024)
    events_per_gb = GB / 256
    assert cost.events == pytest.approx(events_per_gb)
    # 1,000 records (10 + 990) of one unit each per 1,000 events of 256 bytes
    assert cost.billed_gb == pytest.approx(events_per_gb * 5 * KB / GB)
    assert cost.firehose_usd == pytest.approx(cost.billed_gb * FIREHOSE_USD_PER_GB)


def test_lambda_time_is_cpu_over_the_memory_share_plus_waiting() -> None:
    scale = GB / (1_000 * 256)
    at_full_core = cost_per_gb(mix(), memory_mb=FULL_VCPU_MB)
    at_1024 = cost_per_gb(mix(), memory_mb=1024)
    waiting = cost_per_gb(mix(wait=0.01), memory_mb=1024)
    passing = cost_per_gb(mix(passthrough=1e-5), memory_mb=1024)
    assert at_full_core.lambda_gb_seconds == pytest.approx(0.02 * scale * FULL_VCPU_MB / 1024)
    # a smaller share of a core: longer, at fewer GB; the same GB-s at the CPU time
    assert at_1024.lambda_gb_seconds == pytest.approx(0.02 / (1024 / FULL_VCPU_MB) * scale)
    assert waiting.waiting_gb_seconds == pytest.approx(0.01 * scale)
    assert passing.lambda_gb_seconds - at_1024.lambda_gb_seconds == pytest.approx(
        990 * 1e-5 / (1024 / FULL_VCPU_MB) * scale
    )
    assert at_1024.lambda_usd > at_1024.lambda_gb_seconds * LAMBDA_ARM_USD_PER_GB_SECOND
