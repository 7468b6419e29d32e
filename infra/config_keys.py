"""Every configuration key of the stack, declared once: type, default, meaning and what it
accepts (its constraint). The names', domain's and indices' keys are in `infra/domain_keys.py`.

`Pulumi.yaml` and docs/configuration.md's table are rendered from this table and checked by
tests; the config reader (`infra/config_values.py`) takes bounds and choices from it.
"""

from __future__ import annotations

from typing import Final

from infra.config_choices import (
    ARCHITECTURES,
    ARCHIVE_CLASSES,
    LOG_RETENTION_VALUES,
    MODES,
)
from infra.config_declaration import (
    Choices,
    ConfigKey,
    DecimalRange,
    Flag,
    Length,
    Range,
    Rule,
    Text,
)
from infra.data_protection import DEFAULT_IDENTIFIERS
from infra.domain_keys import DOMAIN_KEYS
from lambda_shared.environment import (
    BACKFILL_LOOKBACK_HOURS,
    EXCLUDE_LOG_GROUPS,
    FILTER_PATTERN,
    LABEL_KEYS,
    LOG_GROUP_PREFIXES,
    MAX_MESSAGE_BYTES,
    TRACE_ID_KEYS,
)

KEYS: Final[tuple[ConfigKey, ...]] = (
    *DOMAIN_KEYS,
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
    # --- Lambda functions --------------------------------------------------------------------
    ConfigKey(
        "lambdaArchitecture",
        "string",
        "arm64",
        "Architecture of both functions.",
        constraint=Choices(ARCHITECTURES),
    ),
    ConfigKey(
        "transformerMemoryMb",
        "integer",
        1024,
        "Transformer memory, MB (also sets its CPU share).",
        constraint=Range(128, 10240),
    ),
    ConfigKey(
        "transformerTimeoutSeconds",
        "integer",
        120,
        "Transformer timeout, seconds. At least 30: no re-ingestion call starts unless its worst "
        "case (25 s) fits before the timeout.",
        constraint=Range(30, 300),
    ),
    ConfigKey(
        "bundleOrjson",
        "boolean",
        True,
        "Bundle orjson (downloaded once with pip for the architecture) into the transformer.",
        constraint=Flag(),
    ),
    ConfigKey(
        "subscriberMemoryMb", "integer", 256, "Subscriber memory, MB.", constraint=Range(128, 10240)
    ),
    ConfigKey(
        "subscriberTimeoutSeconds",
        "integer",
        900,
        "Subscriber timeout, seconds.",
        constraint=Range(1, 900),
    ),
    ConfigKey(
        "subscriberReservedConcurrency",
        "integer",
        1,
        "Concurrent executions reserved for the subscriber: 1 runs one reconcile at a time; 0 "
        "reserves none (accounts whose Lambda concurrency quota is below 101, e.g. new ones).",
        constraint=Range(0, 1),
    ),
    ConfigKey(
        "logRetentionDays",
        "integer",
        30,
        "Retention of the pipeline's own CloudWatch log groups (a CloudWatch Logs value).",
        constraint=Choices(LOG_RETENTION_VALUES),
    ),
    ConfigKey(
        "labelKeys",
        "string",
        ",".join(LABEL_KEYS.default),
        "Comma-separated JSON keys promoted to labels.<key>.",
        constraint=Text(),
        variable=LABEL_KEYS,
    ),
    ConfigKey(
        "traceIdKeys",
        "string",
        ",".join(TRACE_ID_KEYS.default),
        "Comma-separated JSON keys read as trace.id, first found wins.",
        constraint=Text(),
        variable=TRACE_ID_KEYS,
    ),
    ConfigKey(
        "maxMessageBytes",
        "integer",
        MAX_MESSAGE_BYTES.default,
        "Longer messages are truncated in `message` (kept whole in event.original), bytes.",
        constraint=Range.of(MAX_MESSAGE_BYTES),
        variable=MAX_MESSAGE_BYTES,
    ),
    # --- subscriptions ---------------------------------------------------------------------
    ConfigKey(
        "subscriptionMode",
        "string",
        "reconciler",
        "`reconciler` (a function subscribes each Lambda log group) or `account-policy` (one "
        "account-level subscription filter policy for every group).",
        constraint=Choices(MODES),
    ),
    ConfigKey(
        "logGroupPrefixes",
        "string",
        ",".join(LOG_GROUP_PREFIXES.default),
        "Comma-separated log group name prefixes to subscribe (reconciler mode) and to accept "
        "in the transformer; empty = every group.",
        constraint=Rule(
            "log_group_prefixes",
            "comma-separated log group name prefixes (letters, digits and . - _ / #)",
            "/aws/lambda/,/custom/",
        ),
        variable=LOG_GROUP_PREFIXES,
    ),
    ConfigKey(
        "excludeLogGroups",
        "string",
        "",
        "Comma-separated log group names or globs never subscribed (the pipeline's own groups "
        "are always excluded). Account-policy mode accepts exact names only.",
        constraint=Rule(
            "log_group_globs",
            "comma-separated log group names or globs (letters, digits, . - _ / # and * ? [ ] !)",
            "/aws/lambda/noisy-function",
        ),
        variable=EXCLUDE_LOG_GROUPS,
    ),
    ConfigKey(
        "filterPattern",
        "string",
        "",
        "CloudWatch Logs filter pattern; empty = every event.",
        constraint=Length(0, FILTER_PATTERN.max_chars),
        variable=FILTER_PATTERN,
    ),
    # --- masking (infra/data_protection.py) -------------------------------------------------
    ConfigKey(
        "maskSensitiveData",
        "boolean",
        False,
        "Mask maskedDataIdentifiers in every log group of the account before they leave "
        "CloudWatch Logs (subscriptions included): one account-level data protection policy, "
        "one per account; CloudWatch charges per GB scanned (docs/security.md).",
        constraint=Flag(),
    ),
    ConfigKey(
        "maskedDataIdentifiers",
        "string",
        ",".join(DEFAULT_IDENTIFIERS),
        "Comma-separated CloudWatch Logs managed data identifiers that maskSensitiveData masks.",
        constraint=Rule(
            "data_identifiers",
            "comma-separated managed data identifier names, like EmailAddress,AwsSecretKey",
            "EmailAddress,AwsSecretKey",
        ),
    ),
    ConfigKey(
        "reconcileSchedule",
        "string",
        "rate(15 minutes)",
        "EventBridge schedule of the full reconcile (reconciler mode).",
        constraint=Rule(
            "schedule",
            "an EventBridge rate(value unit) (singular unit for 1) or 6-field cron(...)",
        ),
    ),
    ConfigKey(
        "backfillLookbackHours",
        "integer",
        BACKFILL_LOOKBACK_HOURS.default,
        "How far back the subscriber backfills a newly subscribed group, hours.",
        constraint=Range.of(BACKFILL_LOOKBACK_HOURS),
        variable=BACKFILL_LOOKBACK_HOURS,
    ),
    # --- alarms ----------------------------------------------------------------------------
    ConfigKey(
        "alarmEmail",
        "string",
        "",
        "E-mail address subscribed to the alarm topic (confirm the e-mail); empty = none.",
        constraint=Rule("email", "one e-mail address or empty", "ops@example.com"),
    ),
    ConfigKey(
        "freshnessAlarmSeconds",
        "integer",
        900,
        "Alarm when the oldest record waits longer than this in Firehose, seconds.",
        constraint=Range(60, 86400),
    ),
)


def key(name: str) -> ConfigKey:
    """The declared key `name`."""
    for candidate in KEYS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
