"""The named validators that `Rule` constraints in `infra/config_keys.py` refer to: each takes
the stripped text of a key and says whether it is acceptable."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Final, TypeVar

from lambda_shared.environment import (
    EVENT_RULES_MAX_CHARS,
    LOG_GROUP_GLOB,
    LOG_GROUP_NAME,
    REDACT_RULES_MAX_CHARS,
)
from lambda_shared.event_rules import EventRulesError, parse_rules
from lambda_shared.redaction_rules import RedactRulesError, parse_redact_rules

Validator = Callable[[str], bool]
_N = TypeVar("_N", ipaddress.IPv4Network, ipaddress.IPv6Network)

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


_REGION: Final = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
_ORGANIZATION_ID: Final = re.compile(r"o-[a-z0-9]{10,32}")
_ACCOUNT_ID: Final = re.compile(r"\d{12}")
DESTINATION_ARN: Final = re.compile(
    r"arn:aws(-cn|-us-gov)?:logs:(?P<region>[a-z0-9-]+):\d{12}:destination:[^:*\s,]{1,512}"
)
"""A CloudWatch Logs destination ARN (destination names take no ':' or '*')."""
MAX_REGIONS: Final = 20  # infra.stack_names.MAX_SPOKE_REGIONS (checked by tests)


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


WIDEST_PREFIX: Final = {4: 8, 6: 32}
"""The widest network `allowedCidrs` takes without `allowWideCidrs`, per IP version. An IPv4 /8
is the largest block one organisation holds (a legacy class A, 16,777,216 addresses); an IPv6
/32 is the regional registries' minimum allocation to one ISP (RIPE-738: "the minimum
allocation size for IPv6 address space is /32"). A wider network always spans several
organisations' networks: an allowlist that admits them is not an allowlist."""


def _covered(networks: list[_N]) -> int:
    """The addresses `networks` cover, each counted once."""
    return sum(net.num_addresses for net in ipaddress.collapse_addresses(networks))


def wide_networks(items: tuple[str, ...]) -> list[str]:
    """Why `items` (valid CIDRs) admit more than `WIDEST_PREFIX` allows: each network wider than
    it, then each IP version whose networks together cover more addresses than one such network
    (so `0.0.0.0/1,128.0.0.0/1`, or 256 /16s, are caught as well as `0.0.0.0/1`). Empty: fine."""
    networks = [ipaddress.ip_network(item, strict=True) for item in items]
    problems = [
        f"{net} (wider than /{WIDEST_PREFIX[net.version]})"
        for net in networks
        if net.prefixlen < WIDEST_PREFIX[net.version]
    ]
    v4 = [net for net in networks if isinstance(net, ipaddress.IPv4Network)]
    v6 = [net for net in networks if isinstance(net, ipaddress.IPv6Network)]
    for version, covered, bits in (
        (4, _covered(v4), 32),
        (6, _covered(v6), 128),
    ):
        widest = WIDEST_PREFIX[version]
        if covered > 2 ** (bits - widest):
            problems.append(
                f"the IPv{version} networks together ({covered:,} addresses, more than one "
                f"/{widest})"
            )
    return problems


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


_IDENTIFIER: Final = re.compile(r"[A-Z][A-Za-z0-9]*(-[A-Z]{2})?")
"""A managed data identifier's name: `EmailAddress`, `DriversLicense-US`."""


def data_identifiers(value: str) -> bool:
    """At least one managed data identifier name, each at most once."""
    items = split_list(value)
    return bool(items) and len(set(items)) == len(items) and all(map(_IDENTIFIER.fullmatch, items))


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


_SUBNET_ID: Final = re.compile(r"subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?")
_SECURITY_GROUP_ID: Final = re.compile(r"sg-[0-9a-f]{8}(?:[0-9a-f]{9})?")
MAX_SECURITY_GROUPS: Final = 5
MAX_SUBNETS: Final = 16
"""Firehose's VpcConfiguration (botocore's firehose model: SubnetIdList min 1, max 16;
SecurityGroupIdList min 1, max 5). The domain gets the same security groups, and one subnet per
availability zone it uses (infra/vpc_config.py)."""


def _unique_ids(value: str, pattern: re.Pattern[str], most: int) -> bool:
    items = split_list(value)
    unique = len(set(items)) == len(items)
    return len(items) <= most and unique and all(map(pattern.fullmatch, items))


def subnet_ids(value: str) -> bool:
    """Subnet ids (`subnet-` and 8 or 17 hex digits), each once (empty: no VPC)."""
    return _unique_ids(value, _SUBNET_ID, MAX_SUBNETS)


def security_group_ids(value: str) -> bool:
    """At most MAX_SECURITY_GROUPS security group ids (`sg-…`), each once (empty: no VPC)."""
    return _unique_ids(value, _SECURITY_GROUP_ID, MAX_SECURITY_GROUPS)


def redact_rules(value: str) -> bool:
    """What the transformer accepts in REDACT_RULES (infra/config_sections.py says why not)."""
    try:
        parse_redact_rules(value)
    except RedactRulesError:
        return False
    return len(value) <= REDACT_RULES_MAX_CHARS


def region(value: str) -> bool:
    return bool(_REGION.fullmatch(value))


def regions(value: str) -> bool:
    """Region names, each once, at most MAX_REGIONS (empty: the stack's own region)."""
    items = split_list(value)
    return len(items) <= MAX_REGIONS and len(set(items)) == len(items) and all(map(region, items))


def organization_id(value: str) -> bool:
    return value == "" or bool(_ORGANIZATION_ID.fullmatch(value))


def account_ids(value: str) -> bool:
    items = split_list(value)
    return len(set(items)) == len(items) and all(map(_ACCOUNT_ID.fullmatch, items))


def destination_arns(value: str) -> bool:
    items = split_list(value)
    return len(set(items)) == len(items) and all(map(DESTINATION_ARN.fullmatch, items))


_BUCKET_NAME: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
ROLE_ARN: Final = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/[\w+=,.@/-]{1,512}")
STREAM_ARN: Final = re.compile(
    r"arn:aws[a-z-]*:firehose:(?P<region>[a-z0-9-]+):(?P<account>\d{12})"
    r":deliverystream/[A-Za-z0-9_.-]{1,64}"
)


def bucket_name(value: str) -> bool:
    return value == "" or bool(_BUCKET_NAME.fullmatch(value))


def role_arn(value: str) -> bool:
    return value == "" or bool(ROLE_ARN.fullmatch(value))


_ROLE_NAME: Final = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")  # IAM: ASCII only, no path
r"""IAM CreateRole: RoleName "Pattern: [\w+=,.@-]+", "Length Constraints: 1 to 64"."""


def role_name(value: str) -> bool:
    return bool(_ROLE_NAME.fullmatch(value))


def stream_arns(value: str) -> bool:
    items = split_list(value)
    return len(set(items)) == len(items) and all(map(STREAM_ARN.fullmatch, items))


RULES: Final[Mapping[str, Validator]] = {
    "bucket_name": bucket_name,
    "role_arn": role_arn,
    "role_name": role_name,
    "stream_arns": stream_arns,
    "regions": regions,
    "organization_id": organization_id,
    "account_ids": account_ids,
    "destination_arns": destination_arns,
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
    "data_identifiers": data_identifiers,
    "log_group_prefixes": log_group_prefixes,
    "log_group_globs": log_group_globs,
    "event_rules": event_rules,
    "subnet_ids": subnet_ids,
    "security_group_ids": security_group_ids,
    "redact_rules": redact_rules,
}
