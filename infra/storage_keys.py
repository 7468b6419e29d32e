"""The configuration keys of the S3 backup and the Firehose delivery streams. The whole table
`KEYS` is in `infra/config_keys.py`."""

from __future__ import annotations

from typing import Final

from infra.config_choices import ARCHIVE_CLASSES
from infra.config_declaration import Choices, ConfigKey, DecimalRange, Flag, Range
from infra.stack_names import MAX_DELIVERY_STREAMS

STORAGE_KEYS: Final[tuple[ConfigKey, ...]] = (
    # --- S3 backup -------------------------------------------------------------------------
    ConfigKey(
        "archiveAfterDays",
        "integer",
        30,
        "Days before backup objects move to archiveStorageClass (at least 30 for STANDARD_IA); "
        "0 = never.",
        constraint=Range(0, 36500),
    ),
    ConfigKey(
        "archiveStorageClass",
        "string",
        "GLACIER_IR",
        "S3 storage class the backup objects move to after archiveAfterDays.",
        constraint=Choices(ARCHIVE_CLASSES),
    ),
    ConfigKey(
        "expireAfterDays",
        "integer",
        365,
        "Days before backup objects are deleted; 0 = keep forever.",
        constraint=Range(0, 36500),
    ),
    ConfigKey(
        "bucketForceDestroy",
        "boolean",
        False,
        "Let `pulumi destroy` delete the backup bucket with its objects.",
        constraint=Flag(),
    ),
    # --- Firehose --------------------------------------------------------------------------
    ConfigKey(
        "bufferSizeMb",
        "integer",
        5,
        "Firehose buffer size towards OpenSearch, MB.",
        constraint=Range(1, 100),
    ),
    ConfigKey(
        "bufferIntervalSeconds",
        "integer",
        60,
        "Firehose buffer interval towards OpenSearch, seconds (the delivery latency).",
        constraint=Range(0, 900),
    ),
    ConfigKey(
        "retryDurationSeconds",
        "integer",
        300,
        "How long Firehose retries a failed OpenSearch delivery, seconds.",
        constraint=Range(0, 7200),
    ),
    ConfigKey(
        "processorBufferSizeMb",
        "string",
        "1",
        "Transformer invocation batch size, MB (set on the stream only when not 1).",
        constraint=DecimalRange(0.2, 3),
    ),
    ConfigKey(
        "processorBufferIntervalSeconds",
        "integer",
        60,
        "Transformer batch interval, seconds (set on the stream only when not 60).",
        constraint=Range(0, 900),
    ),
    ConfigKey(
        "deliveryStreams",
        "integer",
        1,
        "Firehose delivery streams sharing the indices and the bucket; each log group is routed "
        "to one by a stable hash of its name. Add streams when one stream's Direct PUT quota is "
        "too small, or raise that quota (docs/scale.md).",
        constraint=Range(1, MAX_DELIVERY_STREAMS),
    ),
)
