"""The transformer's configuration, read from environment variables inside the handler."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal

from lambda_shared import metrics
from lambda_shared.environment import (
    ARCHITECTURE_BUCKET,
    DELIVERY_STREAM_NAMES,
    EVENT_RULES,
    EVENT_RULES_MAX_CHARS,
    FOLD_PLATFORM_EVENTS,
    LABEL_KEYS,
    LOG_GROUP_PREFIXES,
    MAX_MESSAGE_BYTES,
    REDACT_RULES,
    REDACT_RULES_MAX_CHARS,
    TRACE_ID_KEYS,
    Switch,
)
from lambda_shared.event_rules import NO_RULES, EventRules, EventRulesError, parse_rules
from lambda_shared.redaction_rules import RedactRulesError
from transformer.redaction import Redactor, redactor_of

Architecture = Literal["x86_64", "arm64"]
ARCHITECTURES: Final[tuple[Architecture, ...]] = ("x86_64", "arm64")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})
# Firehose CreateDeliveryStream, DeliveryStreamName: 1-64 characters, pattern [a-zA-Z0-9_.-]+
_STREAM_NAME: Final = re.compile(r"[a-zA-Z0-9_.-]{1,64}")


class SettingsError(ValueError):
    """An environment variable holds a value the transformer cannot use."""


@dataclass(frozen=True)
class Prices:
    """USD prices of Lambda; defaults are us-east-1's first tier."""

    x86_64_gb_second: float = 0.0000166667
    arm64_gb_second: float = 0.0000133334
    per_request: float = 0.0000002


@dataclass(frozen=True)
class Settings:
    label_keys: tuple[str, ...] = LABEL_KEYS.default
    trace_id_keys: tuple[str, ...] = TRACE_ID_KEYS.default
    default_architecture: Architecture = "x86_64"
    prices: Prices = Prices()
    max_message_bytes: int = MAX_MESSAGE_BYTES.default
    log_group_prefixes: tuple[str, ...] = LOG_GROUP_PREFIXES.default
    region: str = ""
    metrics_namespace: str = metrics.NAMESPACE
    fold_platform_events: bool = False
    """Off unless FOLD_PLATFORM_EVENTS says so; every deployment sets it from
    `foldPlatformEvents`, true by default."""
    event_rules: EventRules = NO_RULES
    delivery_stream_names: tuple[str, ...] = ()
    architecture_bucket: str = ""
    """Where the subscribers' architecture maps are (ARCHITECTURE_BUCKET); "" = none."""
    redactor: Redactor | None = None
    """REDACT_RULES (transformer/redaction.py); None: nothing redacted."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read every setting; raise SettingsError naming the variable and the fix."""
        return cls(
            label_keys=_names(env, LABEL_KEYS.name, cls.label_keys),
            trace_id_keys=_names(env, TRACE_ID_KEYS.name, cls.trace_id_keys),
            default_architecture=_architecture(env),
            prices=Prices(
                x86_64_gb_second=_price(env, "PRICE_X86_64_GB_SECOND", Prices.x86_64_gb_second),
                arm64_gb_second=_price(env, "PRICE_ARM64_GB_SECOND", Prices.arm64_gb_second),
                per_request=_price(env, "PRICE_PER_REQUEST", Prices.per_request),
            ),
            max_message_bytes=_max_message_bytes(env, cls.max_message_bytes),
            log_group_prefixes=_names(env, LOG_GROUP_PREFIXES.name, cls.log_group_prefixes),
            region=env.get("CLOUD_REGION") or env.get("AWS_REGION", ""),
            metrics_namespace=env.get("METRICS_NAMESPACE", "").strip() or cls.metrics_namespace,
            fold_platform_events=_switch(env, FOLD_PLATFORM_EVENTS),
            event_rules=_event_rules(env),
            delivery_stream_names=_stream_names(env),
            architecture_bucket=env.get(ARCHITECTURE_BUCKET.name, "").strip(),
            redactor=_redactor(env),
        )

    def for_batch(self) -> Settings:
        """These settings with a redactor of their own for one batch (its counts start at 0)."""
        if self.redactor is None:
            return self
        return replace(self, redactor=self.redactor.fresh())


def _names(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _architecture(env: Mapping[str, str]) -> Architecture:
    raw = env.get("DEFAULT_ARCHITECTURE", "x86_64").strip()
    for architecture in ARCHITECTURES:
        if raw == architecture:
            return architecture
    raise SettingsError(
        f"DEFAULT_ARCHITECTURE={raw!r} is not a Lambda architecture; set it to x86_64 or arm64"
    )


def _price(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise SettingsError(
            f"{name}={raw!r} is not a price; set it to a number of USD, e.g. {default}"
        )
    return value


def _max_message_bytes(env: Mapping[str, str], default: int) -> int:
    raw = env.get(MAX_MESSAGE_BYTES.name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    low, high = MAX_MESSAGE_BYTES.low, MAX_MESSAGE_BYTES.high
    if not low <= value <= high:
        raise SettingsError(
            f"MAX_MESSAGE_BYTES={raw!r} is out of range; set a whole number of bytes from {low} "
            f"to {high} (default {default})"
        )
    return value


def _switch(env: Mapping[str, str], variable: Switch) -> bool:
    raw = env.get(variable.name)
    if raw is None or not raw.strip():
        return variable.default
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise SettingsError(f"{variable.name}={raw!r} is not a switch; set it to true or false")


def _event_rules(env: Mapping[str, str]) -> EventRules:
    raw = env.get(EVENT_RULES.name, "")
    if len(raw) > EVENT_RULES_MAX_CHARS:
        raise SettingsError(
            f"{EVENT_RULES.name} has {len(raw)} characters; use at most {EVENT_RULES_MAX_CHARS}"
        )
    try:
        return parse_rules(raw)
    except EventRulesError as error:
        raise SettingsError(f"{EVENT_RULES.name}: {error}") from None


def _stream_names(env: Mapping[str, str]) -> tuple[str, ...]:
    names = _names(env, DELIVERY_STREAM_NAMES.name, DELIVERY_STREAM_NAMES.default)
    for name in names:
        if not _STREAM_NAME.fullmatch(name):
            raise SettingsError(
                f"{DELIVERY_STREAM_NAMES.name} holds {name!r}, not a delivery stream name "
                "(1 to 64 letters, digits, _ . -); set it to the streams' names, comma-separated"
            )
    if len(set(names)) != len(names):
        raise SettingsError(
            f"{DELIVERY_STREAM_NAMES.name} names a stream twice ({','.join(names)}): each "
            "position routes its own share of the log groups; list each stream once"
        )
    return names


def _redactor(env: Mapping[str, str]) -> Redactor | None:
    raw = env.get(REDACT_RULES.name, "")
    if len(raw) > REDACT_RULES_MAX_CHARS:
        raise SettingsError(
            f"{REDACT_RULES.name} has {len(raw)} characters; use at most {REDACT_RULES_MAX_CHARS}"
        )
    try:
        return redactor_of(raw.strip())
    except RedactRulesError as error:
        raise SettingsError(f"{REDACT_RULES.name}: {error}") from None
