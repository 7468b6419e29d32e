"""The sections of the stack's configuration, as the components take them, each with its
reader: a frozen value validated from `ConfigValues` (the domain's and indices' are in
`infra/domain_config.py`). A key only infra uses is declared in `infra/config_keys.py`, read
here into its section, and used by its component."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from infra.account_policy import AccountPolicyError, check_exclusions
from infra.config_choices import (
    ARCHITECTURES,
    ARCHIVE_CLASSES,
    LOG_RETENTION_VALUES,
    MODES,
    Architecture,
    SubscriptionMode,
)
from infra.config_errors import config_error
from infra.config_values import ConfigValues
from infra.notification_channels import NotificationChannels, read_notification_channels
from infra.stack_names import MAX_DELIVERY_STREAMS, StackNames
from lambda_shared.environment import EVENT_RULES_MAX_CHARS, REDACT_RULES_MAX_CHARS
from lambda_shared.event_rules import EventRulesError, parse_rules
from lambda_shared.redaction_rules import RedactRulesError, parse_redact_rules

_EVENT_RULES_EXAMPLE: Final = "'drop-level /aws/lambda/dev- DEBUG'"


@dataclass(frozen=True)
class BackupConfig:
    """The S3 backup bucket's lifecycle."""

    archive_after_days: int
    """0 = never move to the archive class."""
    archive_storage_class: str
    expire_after_days: int
    """0 = keep forever."""
    force_destroy: bool


@dataclass(frozen=True)
class StreamConfig:
    """The delivery stream's buffering and retries."""

    buffer_size_mb: int
    buffer_interval_seconds: int
    retry_duration_seconds: int
    processor_buffer_size_mb: float
    processor_buffer_interval_seconds: int


@dataclass(frozen=True)
class FunctionSize:
    memory_mb: int
    timeout_seconds: int


@dataclass(frozen=True)
class FunctionsConfig:
    """What both Lambda functions share, and each one's size."""

    architecture: Architecture
    transformer: FunctionSize
    subscriber: FunctionSize
    subscriber_reserved_concurrency: int
    """0 = none reserved (docs/subscriptions.md says what overlapping runs do)."""
    bundle_orjson: bool
    log_retention_days: int


@dataclass(frozen=True)
class DocumentConfig:
    """How the transformer builds documents."""

    label_keys: tuple[str, ...]
    trace_id_keys: tuple[str, ...]
    max_message_bytes: int
    fold_platform_events: bool
    event_rules: str
    """As the transformer reads it (lambda_shared/event_rules.py), checked here."""
    redact_rules: str = ""
    """As the transformer reads it (lambda_shared/redaction_rules.py), checked here."""


@dataclass(frozen=True)
class SubscriptionConfig:
    mode: SubscriptionMode
    log_group_prefixes: tuple[str, ...]
    exclude_log_groups: tuple[str, ...]
    filter_pattern: str
    reconcile_schedule: str
    backfill_lookback_hours: int
    masked_data_identifiers: tuple[str, ...] = ()
    """maskSensitiveData: the identifiers the account's data protection policy masks (empty:
    no policy)."""


@dataclass(frozen=True)
class AlarmConfig:
    email: str | None
    freshness_seconds: int
    channels: NotificationChannels = field(default_factory=NotificationChannels)
    """Webhook channels every monitor notifies (`infra/notification_channels.py`)."""
    test_notification: bool = False
    relay_to_channels: bool = True
    """Relay the CloudWatch alarms to the channels (`infra/alarm_relay.py`), when there are any."""


# S3 API reference, Transition.Days: "If the specified storage class is INTELLIGENT_TIERING,
# GLACIER_IR, GLACIER, or DEEP_ARCHIVE, valid values are 0 or positive integers. If the specified
# storage class is STANDARD_IA or ONEZONE_IA, valid values are positive integers greater than 30"
# (the User Guide: objects must be stored "at least 30 days" before such a transition).
MIN_DAYS_BEFORE: Final = {"STANDARD_IA": 30, "ONEZONE_IA": 30}


def read_backup(values: ConfigValues) -> BackupConfig:
    archive_after = values.integer("archiveAfterDays")
    expire_after = values.integer("expireAfterDays")
    storage_class = values.choice("archiveStorageClass", ARCHIVE_CLASSES)
    minimum = MIN_DAYS_BEFORE.get(storage_class, 0)
    if archive_after and archive_after < minimum:
        raise config_error(
            "archiveAfterDays",
            f"must be at least {minimum} (or 0, never) with archiveStorageClass {storage_class}: "
            f"S3 refuses an earlier transition, got {archive_after}",
            str(minimum),
        )
    if archive_after and expire_after and expire_after <= archive_after:
        raise config_error(
            "expireAfterDays",
            f"must be greater than archiveAfterDays ({archive_after}) or 0 (keep forever), "
            f"got {expire_after}",
            str(archive_after + 365),
        )
    return BackupConfig(
        archive_after_days=archive_after,
        archive_storage_class=storage_class,
        expire_after_days=expire_after,
        force_destroy=values.boolean("bucketForceDestroy"),
    )


def read_stream(values: ConfigValues) -> StreamConfig:
    return StreamConfig(
        buffer_size_mb=values.integer("bufferSizeMb"),
        buffer_interval_seconds=values.integer("bufferIntervalSeconds"),
        retry_duration_seconds=values.integer("retryDurationSeconds"),
        processor_buffer_size_mb=values.decimal("processorBufferSizeMb"),
        processor_buffer_interval_seconds=values.integer("processorBufferIntervalSeconds"),
    )


def read_stream_count(values: ConfigValues) -> int:
    """`deliveryStreams` (`StackNames.stream_count`). Above the most a stack runs, the fix is a
    higher quota per stream, not more streams."""
    raw = values.text("deliveryStreams").strip()
    if raw.isdigit() and int(raw) > MAX_DELIVERY_STREAMS:
        raise config_error(
            "deliveryStreams",
            f"is {int(raw)}, above the {MAX_DELIVERY_STREAMS} delivery streams a stack runs: "
            "request a higher Direct PUT quota for the streams instead (the Firehose limits "
            "form; docs/scale.md)",
            str(MAX_DELIVERY_STREAMS),
        )
    return values.integer("deliveryStreams")


def read_functions(values: ConfigValues) -> FunctionsConfig:
    return FunctionsConfig(
        architecture=values.choice("lambdaArchitecture", ARCHITECTURES),
        transformer=FunctionSize(
            memory_mb=values.integer("transformerMemoryMb"),
            timeout_seconds=values.integer("transformerTimeoutSeconds"),
        ),
        subscriber=FunctionSize(
            memory_mb=values.integer("subscriberMemoryMb"),
            timeout_seconds=values.integer("subscriberTimeoutSeconds"),
        ),
        subscriber_reserved_concurrency=values.integer("subscriberReservedConcurrency"),
        bundle_orjson=values.boolean("bundleOrjson"),
        log_retention_days=values.choice("logRetentionDays", LOG_RETENTION_VALUES),
    )


def read_documents(values: ConfigValues) -> DocumentConfig:
    return DocumentConfig(
        label_keys=values.items("labelKeys"),
        trace_id_keys=values.items("traceIdKeys"),
        max_message_bytes=values.integer("maxMessageBytes"),
        fold_platform_events=values.boolean("foldPlatformEvents"),
        event_rules=_event_rules(values),
        redact_rules=_redact_rules(values),
    )


def _redact_rules(values: ConfigValues) -> str:
    """The rules, or the transformer's own words for the one it could not use (the rule's
    name, and the regex error or the refused shape)."""
    text = values.text("redactRules").strip()
    example = "'default,order-id=ORD-[0-9]{8}'"
    try:
        parse_redact_rules(text)
    except RedactRulesError as error:
        raise config_error("redactRules", f"is not usable: {error}", example) from None
    if len(text) > REDACT_RULES_MAX_CHARS:
        problem = f"has {len(text)} characters; at most {REDACT_RULES_MAX_CHARS} fit"
        raise config_error("redactRules", problem, example)
    return text


def _event_rules(values: ConfigValues) -> str:
    """The rules, or the transformer's own words for the one it could not use."""
    text = values.text("eventRules").strip()
    try:
        parse_rules(text)
    except EventRulesError as error:
        raise config_error("eventRules", f"is not usable: {error}", _EVENT_RULES_EXAMPLE) from None
    if len(text) > EVENT_RULES_MAX_CHARS:
        problem = f"has {len(text)} characters; at most {EVENT_RULES_MAX_CHARS} fit"
        raise config_error("eventRules", problem, _EVENT_RULES_EXAMPLE)
    return text


def read_subscription(values: ConfigValues, names: StackNames) -> SubscriptionConfig:
    mode = values.choice("subscriptionMode", MODES)
    excludes = values.items("excludeLogGroups", checked=True)
    if mode == "account-policy":
        try:
            check_exclusions(excludes, names.pipeline_log_groups)
        except AccountPolicyError as error:
            raise config_error(
                "excludeLogGroups",
                f"does not fit the account-policy mode: {error}",
                "/aws/lambda/noisy-function",
            ) from None
    return SubscriptionConfig(
        mode=mode,
        log_group_prefixes=values.items("logGroupPrefixes", checked=True),
        exclude_log_groups=excludes,
        filter_pattern=values.length("filterPattern"),
        reconcile_schedule=values.checked("reconcileSchedule"),
        backfill_lookback_hours=values.integer("backfillLookbackHours"),
        masked_data_identifiers=(
            values.items("maskedDataIdentifiers", checked=True)
            if values.boolean("maskSensitiveData")
            else ()
        ),
    )


def read_alarms(values: ConfigValues) -> AlarmConfig:
    return AlarmConfig(
        email=values.checked("alarmEmail") or None,
        freshness_seconds=values.integer("freshnessAlarmSeconds"),
        channels=read_notification_channels(values.text("notificationChannels")),
        test_notification=values.boolean("testNotification"),
        relay_to_channels=values.boolean("relayAlarmsToChannels"),
    )
