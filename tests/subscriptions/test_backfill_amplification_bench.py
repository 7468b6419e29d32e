"""bench/backfill_amplification.py measures what the docs say (docs/subscriptions.md, Byte
budget): backfill envelopes come back as more document bytes per record byte than live
deliveries of the same lines, and the default's Direct PUT is derived from the ratio."""

from __future__ import annotations

from bench.backfill_amplification import (
    Amplification,
    backfill_records,
    events,
    live_records,
    measure,
)


def test_backfill_envelopes_amplify_more_than_live_deliveries() -> None:
    found = events("typical", 3_000)
    backfill, live = measure(backfill_records(found)), measure(live_records(found))
    assert backfill.record_bytes < live.record_bytes  # bigger envelopes compress better
    assert backfill.ratio > live.ratio > 5
    assert abs(backfill.reingested_bytes - live.reingested_bytes) < 0.02 * live.reingested_bytes


def test_direct_put_counts_the_records_and_their_documents() -> None:
    got = Amplification(record_bytes=100, reingested_bytes=2_000)
    assert got.ratio == 20
    assert got.direct_put(1024) == 1024 * 21
