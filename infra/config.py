"""`StackConfig`: the stack's whole configuration, read from `pulumi.Config` in one place and
validated at once. An invalid or missing value raises `ConfigError` with the exact
`pulumi config set` command that fixes it."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from infra.config_keys import KEYS, key

SubscriptionMode = Literal["reconciler", "account-policy"]
Architecture = Literal["arm64", "x86_64"]

ARCHIVE_CLASSES: Final = (
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
LOG_RETENTION_VALUES: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
_NAME: Final = re.compile(r"^[a-z][a-z0-9-]*$")
_EMAIL: Final = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
_SCHEDULE: Final = re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$")
_ENGINE: Final = re.compile(r"^OpenSearch_(\d+)\.(\d+)$")
_DOMAIN_ARN: Final = re.compile(
    r"^arn:aws[a-z-]*:es:[a-z0-9-]+:\d{12}:domain/[a-z][a-z0-9-]{2,27}$"
)
_T = TypeVar("_T")
MODES: Final[tuple[SubscriptionMode, ...]] = ("reconciler", "account-policy")
ARCHITECTURES: Final[tuple[Architecture, ...]] = ("arm64", "x86_64")


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the message says how to fix it."""


def set_command(name: str, example: str, *, secret: bool = False) -> str:
    """The command that sets `name`."""
    flag = "--secret " if secret else ""
    return f"pulumi config set {flag}{name} {example}"


def _fail(name: str, problem: str, example: str, *, secret: bool = False) -> ConfigError:
    return ConfigError(
        f"Configuration '{name}' {problem}. Fix it with: "
        f"{set_command(name, example, secret=secret)}"
    )


def split_list(value: str) -> tuple[str, ...]:
    """Comma-separated text → stripped, non-empty items, in order."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class ExistingDomain:
    """A domain the stack uses but does not create."""

    arn: str
    endpoint: str

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[1]


@dataclass(frozen=True)
class StackConfig:
    """Validated configuration. Built by `load_stack_config` (Pulumi) or `from_values` (tests)."""

    stack: str
    region: str
    resource_prefix: str
    domain_name: str
    engine_version: str
    instance_type: str
    instance_count: int
    volume_size_gb: int
    zone_awareness: bool
    availability_zone_count: int
    allowed_cidrs: tuple[str, ...]
    master_user_name: str
    master_user_password: str | None = field(repr=False)
    existing_domain: ExistingDomain | None
    index_prefix: str
    retention_days: int
    index_shards: int
    index_replicas: int
    archive_after_days: int
    archive_storage_class: str
    expire_after_days: int
    bucket_force_destroy: bool
    buffer_size_mb: int
    buffer_interval_seconds: int
    retry_duration_seconds: int
    processor_buffer_size_mb: float
    processor_buffer_interval_seconds: int
    lambda_architecture: Architecture
    transformer_memory_mb: int
    transformer_timeout_seconds: int
    bundle_orjson: bool
    subscriber_memory_mb: int
    subscriber_timeout_seconds: int
    log_retention_days: int
    label_keys: tuple[str, ...]
    trace_id_keys: tuple[str, ...]
    max_message_bytes: int
    subscription_mode: SubscriptionMode
    log_group_prefixes: tuple[str, ...]
    exclude_log_groups: tuple[str, ...]
    filter_pattern: str
    reconcile_schedule: str
    backfill_lookback_hours: int
    alarm_email: str | None
    freshness_alarm_seconds: int

    @property
    def transformer_name(self) -> str:
        return f"{self.resource_prefix}-transformer"

    @property
    def subscriber_name(self) -> str:
        return f"{self.resource_prefix}-subscriber"

    @property
    def stream_name(self) -> str:
        return self.resource_prefix

    @property
    def firehose_log_group_name(self) -> str:
        return f"/aws/kinesisfirehose/{self.resource_prefix}"

    @property
    def transformer_log_group_name(self) -> str:
        return f"/aws/lambda/{self.transformer_name}"

    @property
    def subscriber_log_group_name(self) -> str:
        return f"/aws/lambda/{self.subscriber_name}"

    @property
    def pipeline_log_groups(self) -> tuple[str, ...]:
        """The pipeline's own log groups: never subscribed (no loop)."""
        return (
            self.transformer_log_group_name,
            self.subscriber_log_group_name,
            self.firehose_log_group_name,
        )

    @classmethod
    def from_values(
        cls,
        values: Mapping[str, str],
        *,
        stack: str,
        region: str | None,
        plain_text_keys: frozenset[str] = frozenset(),
    ) -> StackConfig:
        """Validate raw configuration text (`values` holds only the keys that are set;
        `plain_text_keys` are the set keys that were not stored as secrets)."""
        for name in sorted(plain_text_keys):
            if key(name).secret and values.get(name):
                raise _fail(name, "must be stored as a secret", "<value>", secret=True)
        return _Reader(values).build(stack=stack, region=region)


class _Reader:
    """Parses and validates one key at a time, with the fix in every error."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def text(self, name: str) -> str:
        raw = self._values.get(name)
        if raw is not None:
            return raw
        default = key(name).default
        return "" if default is None else str(default)

    def integer(self, name: str, low: int, high: int) -> int:
        raw = self.text(name).strip()
        example = str(key(name).default)
        try:
            value = int(raw)
        except ValueError:
            raise _fail(name, f"must be a whole number, got {raw!r}", example) from None
        if not low <= value <= high:
            raise _fail(name, f"must be between {low} and {high}, got {value}", example)
        return value

    def boolean(self, name: str) -> bool:
        raw = self.text(name).strip().lower()
        if raw in ("true", "1", "yes"):
            return True
        if raw in ("false", "0", "no"):
            return False
        raise _fail(name, f"must be true or false, got {raw!r}", str(key(name).default).lower())

    def choice(self, name: str, choices: tuple[_T, ...]) -> _T:
        raw = self.text(name).strip()
        for candidate in choices:
            if raw == str(candidate):
                return candidate
        allowed = ", ".join(str(c) for c in choices)
        raise _fail(name, f"must be one of {allowed}, got {raw!r}", str(choices[0]))

    def checked(self, name: str, valid: Callable[[str], bool], problem: str, example: str) -> str:
        raw = self.text(name).strip()
        if not valid(raw):
            raise _fail(name, f"{problem}, got {raw!r}", example)
        return raw

    def build(self, *, stack: str, region: str | None) -> StackConfig:
        if not region:
            raise ConfigError(
                "No AWS region is configured. Fix it with: pulumi config set aws:region eu-west-1"
            )
        prefix = self._resource_prefix(stack)
        existing = self._existing_domain(region)
        domain = self._domain_settings(prefix, existing)
        return StackConfig(
            stack=stack,
            region=region,
            resource_prefix=prefix,
            **domain,
            **self._index_settings(existing, domain["instance_count"]),
            **self._backup_settings(),
            **self._delivery_settings(),
            **self._function_settings(),
            **self._subscription_settings(),
            **self._alarm_settings(),
        )

    def _domain_settings(self, prefix: str, existing: ExistingDomain | None) -> dict[str, Any]:
        instance_count = self.integer("instanceCount", 1, 80)
        zone_awareness = self.boolean("zoneAwareness")
        zones = self.choice("availabilityZoneCount", (2, 3)) if zone_awareness else 1
        if zone_awareness and existing is None and instance_count % zones:
            raise _fail(
                "instanceCount",
                f"must be a multiple of availabilityZoneCount ({zones}) with zoneAwareness on, "
                f"got {instance_count}",
                str(zones),
            )
        return {
            "domain_name": self._domain_name(prefix, existing),
            "engine_version": self.checked(
                "engineVersion",
                _supports_flat_object,
                "must be OpenSearch_2.7 or later",
                "OpenSearch_2.19",
            ),
            "instance_type": self.checked(
                "instanceType",
                lambda v: v.endswith(".search") and "." in v.removesuffix(".search"),
                "must be an OpenSearch instance type like m7g.large.search",
                "m7g.large.search",
            ),
            "instance_count": instance_count,
            "volume_size_gb": self.integer("volumeSizeGb", 10, 24576),
            "zone_awareness": zone_awareness,
            "availability_zone_count": zones,
            "allowed_cidrs": self._cidrs(existing),
            "master_user_name": self.checked(
                "masterUserName", lambda v: 1 <= len(v) <= 64, "must be 1-64 characters", "admin"
            ),
            "master_user_password": self._password(existing),
            "existing_domain": existing,
        }

    def _index_settings(self, existing: ExistingDomain | None, instances: int) -> dict[str, Any]:
        replicas = self.integer("indexReplicas", 0, 5)
        if existing is None and replicas >= instances:
            raise _fail(
                "indexReplicas",
                f"must be below instanceCount ({instances}), got {replicas}",
                str(instances - 1),
            )
        return {
            "index_prefix": self.checked(
                "indexPrefix",
                lambda v: bool(re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", v)),
                "must be lowercase letters, digits, '-' or '_' (at most 80)",
                "lambda-logs",
            ),
            "retention_days": self.integer("retentionDays", 1, 36500),
            "index_shards": self.integer("indexShards", 1, 100),
            "index_replicas": replicas,
        }

    def _backup_settings(self) -> dict[str, Any]:
        archive_after = self.integer("archiveAfterDays", 0, 36500)
        expire_after = self.integer("expireAfterDays", 0, 36500)
        if archive_after and expire_after and expire_after <= archive_after:
            raise _fail(
                "expireAfterDays",
                f"must be greater than archiveAfterDays ({archive_after}) or 0 (keep forever), "
                f"got {expire_after}",
                str(archive_after + 365),
            )
        return {
            "archive_after_days": archive_after,
            "archive_storage_class": self.choice("archiveStorageClass", ARCHIVE_CLASSES),
            "expire_after_days": expire_after,
            "bucket_force_destroy": self.boolean("bucketForceDestroy"),
        }

    def _delivery_settings(self) -> dict[str, Any]:
        return {
            "buffer_size_mb": self.integer("bufferSizeMb", 1, 100),
            "buffer_interval_seconds": self.integer("bufferIntervalSeconds", 0, 900),
            "retry_duration_seconds": self.integer("retryDurationSeconds", 0, 7200),
            "processor_buffer_size_mb": self._processor_buffer_size(),
            "processor_buffer_interval_seconds": self.integer(
                "processorBufferIntervalSeconds", 0, 900
            ),
        }

    def _function_settings(self) -> dict[str, Any]:
        return {
            "lambda_architecture": self.choice("lambdaArchitecture", ARCHITECTURES),
            "transformer_memory_mb": self.integer("transformerMemoryMb", 128, 10240),
            "transformer_timeout_seconds": self.integer("transformerTimeoutSeconds", 1, 300),
            "bundle_orjson": self.boolean("bundleOrjson"),
            "subscriber_memory_mb": self.integer("subscriberMemoryMb", 128, 10240),
            "subscriber_timeout_seconds": self.integer("subscriberTimeoutSeconds", 1, 900),
            "log_retention_days": self.choice("logRetentionDays", LOG_RETENTION_VALUES),
            "label_keys": split_list(self.text("labelKeys")),
            "trace_id_keys": split_list(self.text("traceIdKeys")),
            "max_message_bytes": self.integer("maxMessageBytes", 1024, 1_000_000),
        }

    def _subscription_settings(self) -> dict[str, Any]:
        mode = self.choice("subscriptionMode", MODES)
        excludes = split_list(self.text("excludeLogGroups"))
        if mode == "account-policy" and any(ch in g for g in excludes for ch in "*?["):
            raise _fail(
                "excludeLogGroups",
                "must hold exact names (no globs) in account-policy mode",
                "/aws/lambda/noisy-function",
            )
        return {
            "subscription_mode": mode,
            "log_group_prefixes": split_list(self.text("logGroupPrefixes")),
            "exclude_log_groups": excludes,
            "filter_pattern": self.text("filterPattern"),
            "reconcile_schedule": self.checked(
                "reconcileSchedule",
                lambda v: bool(_SCHEDULE.match(v)),
                "must be an EventBridge rate(...) or cron(...) expression",
                "'rate(15 minutes)'",
            ),
            "backfill_lookback_hours": self.integer("backfillLookbackHours", 0, 24 * 14),
        }

    def _alarm_settings(self) -> dict[str, Any]:
        email = self.checked(
            "alarmEmail",
            lambda v: v == "" or bool(_EMAIL.match(v)),
            "must be one e-mail address or empty",
            "ops@example.com",
        )
        return {
            "alarm_email": email or None,
            "freshness_alarm_seconds": self.integer("freshnessAlarmSeconds", 60, 86400),
        }

    def _resource_prefix(self, stack: str) -> str:
        raw = self.text("resourcePrefix").strip()
        if not raw:
            raw = re.sub(r"[^a-z0-9-]+", "-", f"lambda-logs-{stack}".lower())[:40].rstrip("-")
        if len(raw) > 40 or not _NAME.match(raw):
            raise _fail(
                "resourcePrefix",
                f"must be lowercase letters, digits and hyphens, at most 40, got {raw!r}",
                "lambda-logs-prod",
            )
        return raw

    def _domain_name(self, prefix: str, existing: ExistingDomain | None) -> str:
        if existing is not None:
            return existing.name
        raw = self.text("domainName").strip() or prefix[:28].rstrip("-")
        if not 3 <= len(raw) <= 28 or not _NAME.match(raw):
            raise _fail(
                "domainName",
                f"must be 3-28 lowercase letters, digits or hyphens starting with a letter, "
                f"got {raw!r}",
                "lambda-logs",
            )
        return raw

    def _existing_domain(self, region: str) -> ExistingDomain | None:
        arn = self.text("existingDomainArn").strip()
        endpoint = self.text("existingDomainEndpoint").strip()
        if not arn and not endpoint:
            return None
        if not arn:
            raise _fail(
                "existingDomainArn",
                "is required with existingDomainEndpoint",
                "arn:aws:es:eu-west-1:123456789012:domain/my-domain",
            )
        if not _DOMAIN_ARN.match(arn):
            raise _fail(
                "existingDomainArn",
                f"must be an OpenSearch domain ARN, got {arn!r}",
                "arn:aws:es:eu-west-1:123456789012:domain/my-domain",
            )
        if arn.split(":")[3] != region:
            raise _fail(
                "existingDomainArn",
                f"must be a domain in the stack's region {region} (Firehose delivers within a "
                f"region), got {arn!r}",
                f"arn:aws:es:{region}:123456789012:domain/my-domain",
            )
        if not endpoint or "://" in endpoint or "/" in endpoint:
            raise _fail(
                "existingDomainEndpoint",
                f"must be the domain's endpoint host name without scheme, got {endpoint!r}",
                "search-my-domain-abc123.eu-west-1.es.amazonaws.com",
            )
        return ExistingDomain(arn=arn, endpoint=endpoint)

    def _cidrs(self, existing: ExistingDomain | None) -> tuple[str, ...]:
        cidrs = split_list(self.text("allowedCidrs"))
        if not cidrs and existing is None:
            raise _fail(
                "allowedCidrs",
                "is empty: `pulumi up` applies the OpenSearch content as the master user (Basic "
                "auth), and the new domain's access policy admits such unsigned requests (and "
                "your browser, for Dashboards) only from allowedCidrs; give this machine's "
                "address",
                "203.0.113.10/32",
            )
        for cidr in cidrs:
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError:
                raise _fail(
                    "allowedCidrs", f"holds an invalid CIDR {cidr!r}", "203.0.113.0/24"
                ) from None
            if ipaddress.ip_network(cidr).prefixlen == 0:
                raise _fail(
                    "allowedCidrs",
                    f"must not open the domain to everyone ({cidr})",
                    "203.0.113.0/24",
                )
        return cidrs

    def _password(self, existing: ExistingDomain | None) -> str | None:
        raw = self._values.get("masterUserPassword")
        if not raw:
            if existing is not None:
                return None
            raise _fail("masterUserPassword", "is not set", "<value>", secret=True)
        strong = (
            len(raw) >= 8
            and any(c.isupper() for c in raw)
            and any(c.islower() for c in raw)
            and any(c.isdigit() for c in raw)
            and any(not c.isalnum() for c in raw)
        )
        if not strong:
            raise _fail(
                "masterUserPassword",
                "must have 8+ characters with upper case, lower case, a digit and a special "
                "character",
                "<value>",
                secret=True,
            )
        return raw

    def _processor_buffer_size(self) -> float:
        raw = self.text("processorBufferSizeMb").strip()
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0.2 <= value <= 3:
            raise _fail(
                "processorBufferSizeMb", f"must be a number from 0.2 to 3, got {raw!r}", "1"
            )
        return value


def _supports_flat_object(version: str) -> bool:
    match = _ENGINE.match(version)
    if match is None:
        return False
    major, minor = int(match.group(1)), int(match.group(2))
    return (major, minor) >= (2, 7)


def load_stack_config() -> StackConfig:
    """Read every declared key from the stack configuration (call inside the Pulumi program)."""
    import pulumi
    import pulumi.runtime

    config = pulumi.Config()
    values = {k.name: v for k in KEYS if (v := config.get(k.name)) is not None}
    plain = frozenset(
        name for name in values if not pulumi.runtime.is_config_secret(config.full_key(name))
    )
    region = (
        pulumi.Config("aws").get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )
    return StackConfig.from_values(
        values, stack=pulumi.get_stack(), region=region, plain_text_keys=plain
    )
