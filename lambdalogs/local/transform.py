"""Log batches → CloudWatch subscription records → the real transformer, as Firehose runs it
(`firehose.deliver`), a Firehose buffer at a time."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Final

from lambdalogs.console import Progress
from lambdalogs.errors import InputError
from lambdalogs.local.firehose import Delivery, deliver, subscription_record
from lambdalogs.local.logevents import CloudWatchEvent, LogBatch
from transformer.cost import ArchitectureSource, StaticArchitectures
from transformer.settings import Settings, SettingsError

RECORD_WINDOW_MS: Final = 2_000  # CloudWatch batches a stream's events for about this long
RECORD_MAX_EVENTS: Final = 200
CHUNK: Final = 2_000  # records per local Firehose run, between progress updates


def settings_from_env(env: Mapping[str, str] = os.environ, region: str = "") -> Settings:
    """The transformer's settings from the environment (LABEL_KEYS, prices, …), as deployed;
    `region` when neither CLOUD_REGION nor AWS_REGION is set (still none: the transformer takes
    the region of the Firehose event, as in AWS)."""
    try:
        settings = Settings.from_env(env)
    except SettingsError as error:
        raise InputError(str(error)) from error
    return settings if settings.region or not region else replace(settings, region=region)


def chunks(batch: LogBatch) -> Iterator[list[CloudWatchEvent]]:
    """The events of a stream grouped as CloudWatch delivers them: a few seconds per record."""
    current: list[CloudWatchEvent] = []
    for event in batch.events:
        window_over = current and event["timestamp"] - current[0]["timestamp"] >= RECORD_WINDOW_MS
        if window_over or len(current) >= RECORD_MAX_EVENTS:
            yield current
            current = []
        current.append(event)
    if current:
        yield current


def records(batches: Iterable[LogBatch]) -> list[bytes]:
    return [
        subscription_record(
            batch.log_group, batch.log_stream, batch.owner, [dict(e) for e in events]
        )
        for batch in batches
        for events in chunks(batch)
    ]


def known_architectures(settings: Settings, by_function: Mapping[str, str]) -> ArchitectureSource:
    return StaticArchitectures(settings.default_architecture, dict(by_function))


def transform(
    batches: Iterable[LogBatch],
    *,
    settings: Settings,
    architectures: ArchitectureSource | None = None,
) -> Delivery:
    """Every document the transformer makes of these log events (fan-out included)."""
    return transform_records(records(batches), settings=settings, architectures=architectures)


def transform_records(
    raw_records: list[bytes],
    *,
    settings: Settings,
    architectures: ArchitectureSource | None = None,
) -> Delivery:
    """Raw Firehose records (gzip CloudWatch messages or documents) through the transformer,
    a Firehose buffer at a time (with a progress bar when there are several).

    Without `architectures` every function is priced as DEFAULT_ARCHITECTURE."""
    total = Delivery()
    progress = Progress(
        "transforming", len(raw_records), unit="records", enabled=len(raw_records) > CHUNK
    )
    for start in range(0, len(raw_records), CHUNK):
        chunk = raw_records[start : start + CHUNK]
        part = deliver(chunk, settings=settings, architectures=architectures)
        total.documents += part.documents
        total.failed += part.failed
        total.dropped += part.dropped
        total.invocations += part.invocations
        total.reingested += part.reingested
        total.reingested_bytes += part.reingested_bytes
        progress.advance(len(chunk))
    progress.finish()
    return total
