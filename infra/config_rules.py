"""The named validators that `Rule` constraints in `infra/config_keys.py` refer to: each takes
the stripped text of a key and says whether it is acceptable."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Final

from lambda_shared.environment import EVENT_RULES_MAX_CHARS, LOG_GROUP_GLOB, LOG_GROUP_NAME
from lambda_shared.event_rules import EventRulesError, parse_rules

Validator = Callable[[str], bool]

_NAME: Final = re.compile(r"[a-z][a-z0-9-]*")
_EMAIL: Final = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")
# EventBridge, rate expressions: "If the value is equal to 1, then the unit must be singular. If
# the value is greater than 1, the unit must be plural" (value: "A positive number"); cron
# expressions: "Cron expressions have six required fields, which are separated by white space."
_RATE: Final = re.compile(r"rate\((?P<value>\d+) (?P<unit>minute|hour|day)(?P<plural>s?)\)")
_CRON: Final = re.compile(r"cron\((?P<fields>[^()]+)\)")
_CRON_FIELDS: Final = 6
_ENGINE: Final = re.compile(r"OpenSearch_(\d+)\.(\d+)")
_INDEX_PREFIX: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_DOMAIN_ARN: Final = re.compile(r"arn:aws[a-z-]*:es:[a-z0-9-]+:\d{12}:domain/[a-z][a-z0-9-]{2,27}")


def split_list(value: str) -> tuple[str, ...]:
    """Comma-separated text → stripped, non-empty items, in order."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


def resource_prefix(value: str) -> bool:
    return len(value) <= 40 and bool(_NAME.fullmatch(value))


def domain_name(value: str) -> bool:
    return 3 <= len(value) <= 28 and bool(_NAME.fullmatch(value))


def engine_version(value: str) -> bool:
    """OpenSearch 2.7 or later (the `json` field is a flat_object)."""
    match = _ENGINE.fullmatch(value)
    if match is None:
        return False
    return (int(match.group(1)), int(match.group(2))) >= (2, 7)


def instance_type(value: str) -> bool:
    return value.endswith(".search") and "." in value.removesuffix(".search")


def _network(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=True).prefixlen > 0
    except ValueError:
        return False


def cidrs(value: str) -> bool:
    """Every item a CIDR with its host bits clear, none of them /0 (open to everyone)."""
    return all(_network(cidr) for cidr in split_list(value))


def password(value: str) -> bool:
    return (
        len(value) >= 8
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
        and any(not c.isalnum() for c in value)
    )


def domain_arn(value: str) -> bool:
    return bool(_DOMAIN_ARN.fullmatch(value))


def endpoint(value: str) -> bool:
    return bool(value) and "://" not in value and "/" not in value


def index_prefix(value: str) -> bool:
    return bool(_INDEX_PREFIX.fullmatch(value))


def schedule(value: str) -> bool:
    """An EventBridge rate(...) or cron(...) expression that EventBridge accepts."""
    rate = _RATE.fullmatch(value)
    if rate is not None:
        count = int(rate["value"])
        return count >= 1 and bool(rate["plural"]) == (count > 1)
    cron = _CRON.fullmatch(value)
    return cron is not None and len(cron["fields"].split()) == _CRON_FIELDS


def email(value: str) -> bool:
    return value == "" or bool(_EMAIL.fullmatch(value))


def log_group_prefixes(value: str) -> bool:
    """What the subscriber accepts in LOG_GROUP_PREFIXES (empty: every group)."""
    return all(LOG_GROUP_NAME.fullmatch(item) for item in split_list(value))


def log_group_globs(value: str) -> bool:
    """What the subscriber accepts in EXCLUDE_LOG_GROUPS."""
    return all(LOG_GROUP_GLOB.fullmatch(item) for item in split_list(value))


def event_rules(value: str) -> bool:
    """What the transformer accepts in EVENT_RULES (infra/config_sections.py says why not)."""
    try:
        parse_rules(value)
    except EventRulesError:
        return False
    return len(value) <= EVENT_RULES_MAX_CHARS


RULES: Final[Mapping[str, Validator]] = {
    "resource_prefix": resource_prefix,
    "domain_name": domain_name,
    "engine_version": engine_version,
    "instance_type": instance_type,
    "cidrs": cidrs,
    "password": password,
    "domain_arn": domain_arn,
    "endpoint": endpoint,
    "index_prefix": index_prefix,
    "schedule": schedule,
    "email": email,
    "log_group_prefixes": log_group_prefixes,
    "log_group_globs": log_group_globs,
    "event_rules": event_rules,
}
