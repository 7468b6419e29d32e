"""Every configuration key of the stack, declared once: type, default, meaning and what it
accepts (its constraint).

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
    ZONE_COUNTS,
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
    # --- names -----------------------------------------------------------------------------
    ConfigKey(
        "resourcePrefix",
        "string",
        "",
        "Prefix of the physical names (functions, stream, log groups); empty = "
        "`lambda-logs-<stack>`.",
        constraint=Rule(
            "resource_prefix",
            "lowercase letters, digits and hyphens, at most 40 characters",
            "lambda-logs-prod",
        ),
    ),
    # --- OpenSearch domain -----------------------------------------------------------------
    ConfigKey(
        "domainName",
        "string",
        "",
        "Name of the OpenSearch domain to create; empty = derived from resourcePrefix.",
        constraint=Rule(
            "domain_name",
            "3 to 28 lowercase letters, digits or hyphens, starting with a letter",
            "lambda-logs",
        ),
    ),
    ConfigKey(
        "engineVersion",
        "string",
        "OpenSearch_2.19",
        "OpenSearch engine version (2.7 or later: the `json` field is a flat_object).",
        constraint=Rule("engine_version", "OpenSearch_2.7 or later"),
    ),
    ConfigKey(
        "instanceType",
        "string",
        "m7g.large.search",
        "Instance type of the data nodes.",
        constraint=Rule("instance_type", "an OpenSearch instance type like m7g.large.search"),
    ),
    ConfigKey("instanceCount", "integer", 2, "Number of data nodes.", constraint=Range(1, 80)),
    ConfigKey(
        "volumeSizeGb",
        "integer",
        100,
        "EBS (gp3) volume size per data node, in GiB.",
        constraint=Range(10, 24576),
    ),
    ConfigKey(
        "zoneAwareness",
        "boolean",
        True,
        "Spread the data nodes over availability zones (needs an even instanceCount for 2 "
        "zones, a multiple of 3 for 3).",
        constraint=Flag(),
    ),
    ConfigKey(
        "availabilityZoneCount",
        "integer",
        2,
        "Number of availability zones when zoneAwareness is on.",
        constraint=Choices(ZONE_COUNTS),
    ),
    ConfigKey(
        "allowedCidrs",
        "string",
        "",
        "Comma-separated IPv4/IPv6 CIDRs allowed to reach the domain without AWS signatures: the "
        "machine running `pulumi up` (it applies the content as the master user) and your "
        "browser (Dashboards). Required when the stack creates the domain.",
        constraint=Rule(
            "cidrs", "comma-separated IPv4/IPv6 CIDRs, none of them /0", "203.0.113.0/24"
        ),
    ),
    ConfigKey(
        "masterUserName",
        "string",
        "admin",
        "Dashboards master user (internal user).",
        constraint=Length(1, 64),
    ),
    ConfigKey(
        "masterUserPassword",
        "string",
        "",
        "Dashboards master user password, set with --secret. Required unless existingDomainArn "
        "is set.",
        constraint=Rule(
            "password",
            "8+ characters with upper case, lower case, a digit and a special character",
            "<value>",
        ),
        secret=True,
    ),
    ConfigKey(
        "existingDomainArn",
        "string",
        "",
        "Bring your own domain: its ARN. With existingDomainEndpoint, no domain is created.",
        constraint=Rule(
            "domain_arn",
            "an OpenSearch domain ARN in the stack's region",
            "arn:aws:es:eu-west-1:123456789012:domain/my-domain",
        ),
    ),
    ConfigKey(
        "existingDomainEndpoint",
        "string",
        "",
        "Bring your own domain: its endpoint host name (no https://).",
        constraint=Rule(
            "endpoint",
            "the domain's endpoint host name without scheme",
            "search-my-domain-abc123.eu-west-1.es.amazonaws.com",
        ),
    ),
    # --- indices ---------------------------------------------------------------------------
    ConfigKey(
        "indexPrefix",
        "string",
        "lambda-logs",
        "Index name prefix: <prefix>-YYYY-MM-DD.",
        constraint=Rule("index_prefix", "lowercase letters, digits, '-' or '_' (at most 80)"),
    ),
    ConfigKey(
        "retentionDays",
        "integer",
        30,
        "Days an index is kept in OpenSearch (ISM deletes it).",
        constraint=Range(1, 36500),
    ),
    ConfigKey(
        "indexShards", "integer", 1, "Primary shards per daily index.", constraint=Range(1, 100)
    ),
    ConfigKey(
        "indexReplicas",
        "integer",
        1,
        "Replicas per shard (must be below instanceCount).",
        constraint=Range(0, 5),
    ),
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
