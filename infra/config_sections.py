"""The sections of the stack's configuration, as the components take them: each a frozen,
validated value built by a typed reader (`infra/config_readers.py`, `infra/domain_config.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.config_choices import Architecture, SubscriptionMode


@dataclass(frozen=True)
class ExistingDomain:
    """A domain the stack uses but does not create."""

    arn: str
    endpoint: str

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[1]


@dataclass(frozen=True)
class DomainConfig:
    """The OpenSearch domain (created unless `existing` is set)."""

    name: str
    engine_version: str
    instance_type: str
    instance_count: int
    volume_size_gb: int
    zone_awareness: bool
    availability_zone_count: int
    """1 when zone awareness is off."""
    allowed_cidrs: tuple[str, ...]
    master_user_name: str
    master_user_password: str | None = field(repr=False)
    existing: ExistingDomain | None


@dataclass(frozen=True)
class IndexConfig:
    prefix: str
    retention_days: int
    shards: int
    replicas: int


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
    bundle_orjson: bool
    log_retention_days: int


@dataclass(frozen=True)
class DocumentConfig:
    """How the transformer builds documents."""

    label_keys: tuple[str, ...]
    trace_id_keys: tuple[str, ...]
    max_message_bytes: int


@dataclass(frozen=True)
class SubscriptionConfig:
    mode: SubscriptionMode
    log_group_prefixes: tuple[str, ...]
    exclude_log_groups: tuple[str, ...]
    filter_pattern: str
    reconcile_schedule: str
    backfill_lookback_hours: int


@dataclass(frozen=True)
class AlarmConfig:
    email: str | None
    freshness_seconds: int
