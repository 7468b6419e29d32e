"""Every configuration key of the stack: its type, default and meaning, declared once.

`Pulumi.yaml`, the README's configuration table and `StackConfig` must agree with this table;
the tests compare them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

ConfigType = Literal["string", "integer", "boolean"]
Default = str | int | bool | None


@dataclass(frozen=True)
class ConfigKey:
    """One configuration key. `secret` keys must be set with `pulumi config set --secret` (the
    program checks it: Pulumi.yaml gives them an empty default so that an existing domain
    needs none)."""

    name: str
    type: ConfigType
    default: Default
    description: str
    secret: bool = False


KEYS: Final[tuple[ConfigKey, ...]] = (
    # --- names -----------------------------------------------------------------------------
    ConfigKey(
        "resourcePrefix",
        "string",
        "",
        "Prefix of the physical names (functions, stream, log groups); empty = "
        "`lambda-logs-<stack>`. Lowercase letters, digits and hyphens, at most 40 characters.",
    ),
    # --- OpenSearch domain -----------------------------------------------------------------
    ConfigKey(
        "domainName",
        "string",
        "",
        "Name of the OpenSearch domain to create; empty = derived from resourcePrefix "
        "(3-28 characters, starts with a letter).",
    ),
    ConfigKey(
        "engineVersion",
        "string",
        "OpenSearch_2.19",
        "OpenSearch engine version (2.7 or later: the `json` field is a flat_object).",
    ),
    ConfigKey("instanceType", "string", "m7g.large.search", "Instance type of the data nodes."),
    ConfigKey("instanceCount", "integer", 2, "Number of data nodes."),
    ConfigKey("volumeSizeGb", "integer", 100, "EBS (gp3) volume size per data node, in GiB."),
    ConfigKey(
        "zoneAwareness",
        "boolean",
        True,
        "Spread the data nodes over availability zones (needs an even instanceCount for 2 "
        "zones, a multiple of 3 for 3).",
    ),
    ConfigKey(
        "availabilityZoneCount",
        "integer",
        2,
        "Number of availability zones when zoneAwareness is on: 2 or 3.",
    ),
    ConfigKey(
        "allowedCidrs",
        "string",
        "",
        "Comma-separated IPv4/IPv6 CIDRs allowed to reach the domain without AWS signatures: the "
        "machine running `pulumi up` (it applies the content as the master user) and your "
        "browser (Dashboards). Required when the stack creates the domain.",
    ),
    ConfigKey("masterUserName", "string", "admin", "Dashboards master user (internal user)."),
    ConfigKey(
        "masterUserPassword",
        "string",
        "",
        "Dashboards master user password, set with --secret: 8+ characters with upper case, "
        "lower case, a digit and a special character. Required unless existingDomainArn is set.",
        secret=True,
    ),
    ConfigKey(
        "existingDomainArn",
        "string",
        "",
        "Bring your own domain: its ARN. With existingDomainEndpoint, no domain is created.",
    ),
    ConfigKey(
        "existingDomainEndpoint",
        "string",
        "",
        "Bring your own domain: its endpoint host name (no https://).",
    ),
    # --- indices ---------------------------------------------------------------------------
    ConfigKey("indexPrefix", "string", "lambda-logs", "Index name prefix: <prefix>-YYYY-MM-DD."),
    ConfigKey(
        "retentionDays", "integer", 30, "Days an index is kept in OpenSearch (ISM deletes it)."
    ),
    ConfigKey("indexShards", "integer", 1, "Primary shards per daily index."),
    ConfigKey(
        "indexReplicas",
        "integer",
        1,
        "Replicas per shard (must be below instanceCount).",
    ),
    # --- S3 backup -------------------------------------------------------------------------
    ConfigKey(
        "archiveAfterDays",
        "integer",
        30,
        "Days before backup objects move to archiveStorageClass; 0 = never.",
    ),
    ConfigKey(
        "archiveStorageClass",
        "string",
        "GLACIER_IR",
        "Archive class: STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE.",
    ),
    ConfigKey(
        "expireAfterDays",
        "integer",
        365,
        "Days before backup objects are deleted; 0 = keep forever.",
    ),
    ConfigKey(
        "bucketForceDestroy",
        "boolean",
        False,
        "Let `pulumi destroy` delete the backup bucket with its objects.",
    ),
    # --- Firehose --------------------------------------------------------------------------
    ConfigKey("bufferSizeMb", "integer", 5, "Firehose buffer size towards OpenSearch, 1-100 MB."),
    ConfigKey(
        "bufferIntervalSeconds",
        "integer",
        60,
        "Firehose buffer interval towards OpenSearch, 0-900 s (the delivery latency).",
    ),
    ConfigKey(
        "retryDurationSeconds",
        "integer",
        300,
        "How long Firehose retries a failed OpenSearch delivery, 0-7200 s.",
    ),
    ConfigKey(
        "processorBufferSizeMb",
        "string",
        "1",
        "Transformer invocation batch size, 0.2-3 MB (set on the stream only when not 1).",
    ),
    ConfigKey(
        "processorBufferIntervalSeconds",
        "integer",
        60,
        "Transformer batch interval, 0-900 s (set on the stream only when not 60).",
    ),
    # --- Lambda functions --------------------------------------------------------------------
    ConfigKey(
        "lambdaArchitecture", "string", "arm64", "Architecture of both functions: arm64, x86_64."
    ),
    ConfigKey(
        "transformerMemoryMb", "integer", 1024, "Transformer memory, MB (also sets its CPU share)."
    ),
    ConfigKey("transformerTimeoutSeconds", "integer", 120, "Transformer timeout, 1-300 s."),
    ConfigKey(
        "bundleOrjson",
        "boolean",
        True,
        "Bundle orjson (downloaded once with pip for the architecture) into the transformer.",
    ),
    ConfigKey("subscriberMemoryMb", "integer", 256, "Subscriber memory, MB."),
    ConfigKey("subscriberTimeoutSeconds", "integer", 900, "Subscriber timeout, 1-900 s."),
    ConfigKey(
        "logRetentionDays",
        "integer",
        30,
        "Retention of the pipeline's own CloudWatch log groups (a CloudWatch Logs value).",
    ),
    ConfigKey(
        "labelKeys", "string", "milestone", "Comma-separated JSON keys promoted to labels.<key>."
    ),
    ConfigKey(
        "traceIdKeys",
        "string",
        "traceId,trace_id,correlation_id,correlationId",
        "Comma-separated JSON keys read as trace.id, first found wins.",
    ),
    ConfigKey(
        "maxMessageBytes",
        "integer",
        32768,
        "Longer messages are truncated in `message` (kept whole in event.original).",
    ),
    # --- subscriptions ---------------------------------------------------------------------
    ConfigKey(
        "subscriptionMode",
        "string",
        "reconciler",
        "`reconciler` (a function subscribes each Lambda log group) or `account-policy` (one "
        "account-level subscription filter policy for every group).",
    ),
    ConfigKey(
        "logGroupPrefixes",
        "string",
        "/aws/lambda/",
        "Comma-separated log group name prefixes to subscribe (reconciler mode) and to accept "
        "in the transformer.",
    ),
    ConfigKey(
        "excludeLogGroups",
        "string",
        "",
        "Comma-separated log group names or globs never subscribed (the pipeline's own groups "
        "are always excluded). Account-policy mode accepts exact names only.",
    ),
    ConfigKey(
        "filterPattern", "string", "", "CloudWatch Logs filter pattern; empty = every event."
    ),
    ConfigKey(
        "reconcileSchedule",
        "string",
        "rate(15 minutes)",
        "EventBridge schedule of the full reconcile (reconciler mode).",
    ),
    ConfigKey(
        "backfillLookbackHours",
        "integer",
        24,
        "How far back the subscriber backfills a newly subscribed group, hours.",
    ),
    # --- alarms ----------------------------------------------------------------------------
    ConfigKey(
        "alarmEmail",
        "string",
        "",
        "E-mail address subscribed to the alarm topic (confirm the e-mail); empty = none.",
    ),
    ConfigKey(
        "freshnessAlarmSeconds",
        "integer",
        900,
        "Alarm when the oldest record waits longer than this in Firehose, seconds.",
    ),
)


def key(name: str) -> ConfigKey:
    """The declared key `name`."""
    for candidate in KEYS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
