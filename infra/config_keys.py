"""Every configuration key of the stack, declared once: type, default, meaning and what it
accepts (its constraint). The names', domain's and indices' keys are in `infra/domain_keys.py`.

`Pulumi.yaml` and docs/configuration.md's table are rendered from this table and checked by
tests; the config reader (`infra/config_values.py`) takes bounds and choices from it.
"""

from __future__ import annotations

from typing import Final

from infra.config_choices import (
    ARCHITECTURES,
    LOG_RETENTION_VALUES,
    MODES,
)
from infra.config_declaration import (
    Choices,
    ConfigKey,
    Flag,
    Length,
    Range,
    Rule,
    Text,
)
from infra.data_protection import DEFAULT_IDENTIFIERS
from infra.deployment_keys import DEPLOYMENT_KEYS
from infra.domain_keys import DOMAIN_KEYS
from infra.sso_keys import SSO_KEYS
from infra.storage_keys import STORAGE_KEYS
from lambda_shared.environment import (
    BACKFILL_BYTES_PER_SECOND,
    BACKFILL_LOOKBACK_HOURS,
    EVENT_RULES,
    EXCLUDE_LOG_GROUPS,
    FILTER_API_QUOTA_PERCENT,
    FILTER_PATTERN,
    FOLD_PLATFORM_EVENTS,
    LABEL_KEYS,
    LOG_GROUP_PREFIXES,
    MAX_MESSAGE_BYTES,
    REDACT_RULES,
    SWEEP_INTERVAL_HOURS,
    TRACE_ID_KEYS,
)

KEYS: Final[tuple[ConfigKey, ...]] = (
    *DEPLOYMENT_KEYS,
    *DOMAIN_KEYS,
    *SSO_KEYS,
    *STORAGE_KEYS,
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
    ConfigKey(
        "foldPlatformEvents",
        "boolean",
        True,  # on in every deployment; the variable's own default (unset) is off
        "Fold each invocation's START and END lines into its REPORT document (their time and "
        "version kept as fields): two fewer documents per invocation, nothing lost.",
        constraint=Flag(),
        variable=FOLD_PLATFORM_EVENTS,
    ),
    ConfigKey(
        "eventRules",
        "string",
        "",
        "Log events left out before they become documents, `;`-separated: `drop-level <group "
        "prefix> <LEVEL>`, `drop-match <group prefix> <regex>`, `sample <group prefix> <LEVEL> "
        "<percent>` (`*`: every group); errors and platform lines are always kept. What each "
        "gives up: docs/transformer.md.",
        constraint=Rule(
            "event_rules",
            "rules as docs/transformer.md describes them (empty: none)",
            "'drop-level /aws/lambda/dev- DEBUG; sample /aws/lambda/ INFO 10'",
        ),
        variable=EVENT_RULES,
    ),
    ConfigKey(
        "redactRules",
        "string",
        "",
        "Text replaced by `[REDACTED:<rule>]` in every field a document takes from its log "
        "line, before indexing and backup: built-in rule names (`default`, `aws-access-key`, "
        "`aws-secret-key`, `bearer-token`, `jwt`, `private-key`, `credit-card`, `email`, "
        "`ipv4`) and custom `<name>=<regex>` rules, comma- or newline-separated, applied in "
        "order. Regexes are checked for backtracking shapes: docs/security.md.",
        constraint=Rule(
            "redact_rules",
            "redaction rules as docs/security.md describes them (empty: none)",
            "'default,order-id=ORD-[0-9]{8}'",
        ),
        variable=REDACT_RULES,
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
    ConfigKey(
        "fullSweepIntervalHours",
        "integer",
        SWEEP_INTERVAL_HOURS.default,
        "Hours between the subscriber's full sweeps (every group's filters read again); "
        "between them a run reads only new or changed groups.",
        constraint=Range.of(SWEEP_INTERVAL_HOURS),
        variable=SWEEP_INTERVAL_HOURS,
    ),
    ConfigKey(
        "filterApiQuotaPercent",
        "integer",
        FILTER_API_QUOTA_PERCENT.default,
        "Percent of the fixed 5 calls/s of Describe/Put/DeleteSubscriptionFilter the "
        "subscriber may use (40 = 2 calls/s each), and of its listings' quotas "
        "(DescribeLogGroups, FilterLogEvents, Lambda's 15 control-plane calls/s).",
        constraint=Range.of(FILTER_API_QUOTA_PERCENT),
        variable=FILTER_API_QUOTA_PERCENT,
    ),
    ConfigKey(
        "backfillBytesPerSecond",
        "integer",
        BACKFILL_BYTES_PER_SECOND.default,
        "Backfill record bytes per second into each delivery stream (the transformer "
        "re-ingests ~17-25x that as documents); a hub rolling out spokes shares it equally "
        "between its subscriber and theirs.",
        constraint=Range.of(BACKFILL_BYTES_PER_SECOND),
        variable=BACKFILL_BYTES_PER_SECOND,
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
    ConfigKey(
        "notificationChannels",
        "string",
        "",
        "Slack, Microsoft Teams, Chime, generic webhook, PagerDuty and Opsgenie channels every "
        'alert goes to, besides the alarm topic: a JSON list of {"name", "type" (slack, '
        'microsoft_teams, chime, webhook, pagerduty, opsgenie), "url", and for webhook '
        '"headers", "method"; for pagerduty "routingKey" instead of "url", for opsgenie "apiKey" '
        'and "region" (us, eu)}; set with --secret (see docs/alerts.md). Empty = the alarm topic '
        "only.",
        constraint=Text(),
        secret=True,
    ),
    ConfigKey(
        "relayAlarmsToChannels",
        "boolean",
        True,
        "Relay the CloudWatch alarms (pipeline and domain health) from the alarm topic to every "
        "notificationChannels channel, through a small Lambda function; only with channels.",
        constraint=Flag(),
    ),
    ConfigKey(
        "testNotification",
        "boolean",
        False,
        "Send a test message to every notification channel when the OpenSearch content is "
        "applied; the deployment fails if one is not delivered.",
        constraint=Flag(),
    ),
)


def key(name: str) -> ConfigKey:
    """The declared key `name`."""
    for candidate in KEYS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
