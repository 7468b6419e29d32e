"""The transformer's configuration, read from environment variables inside the handler."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from lambda_shared import metrics
from lambda_shared.environment import (
    LABEL_KEYS,
    LOG_GROUP_PREFIXES,
    MAX_MESSAGE_BYTES,
    TRACE_ID_KEYS,
)

Architecture = Literal["x86_64", "arm64"]
ARCHITECTURES: Final[tuple[Architecture, ...]] = ("x86_64", "arm64")


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
        )


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
