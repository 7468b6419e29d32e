"""The stack's names, its OpenSearch domain and its indices: the sections and their readers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from infra.config_choices import ZONE_COUNTS
from infra.config_errors import ConfigError, config_error
from infra.config_rules import wide_networks
from infra.config_values import ConfigValues
from infra.stack_names import StackNames
from infra.vpc_config import SUBNETS_KEY, VpcConfig, read_vpc


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
    vpc: VpcConfig | None = None
    """Private deployment (`vpcSubnetIds`, `vpcSecurityGroupIds`): the created domain lives in
    these subnets with no public endpoint, and Firehose reaches it (or the existing domain)
    through them."""


@dataclass(frozen=True)
class IndexConfig:
    prefix: str
    retention_days: int
    shards: int
    replicas: int


_NOT_A_NAME = re.compile(r"[^a-z0-9-]+")
_MAX_PREFIX = 40
_MAX_DOMAIN_NAME = 28


def read_names(values: ConfigValues, stack: str) -> StackNames:
    """`resourcePrefix`, or `lambda-logs-<stack>` made a valid prefix."""
    prefix = values.text("resourcePrefix").strip()
    if not prefix:
        derived = _NOT_A_NAME.sub("-", f"lambda-logs-{stack}".lower())
        prefix = derived[:_MAX_PREFIX].rstrip("-")
    return StackNames(values.checked("resourcePrefix", prefix))


def read_existing_domain(values: ConfigValues, region: str) -> ExistingDomain | None:
    arn = values.text("existingDomainArn").strip()
    endpoint = values.text("existingDomainEndpoint").strip()
    if not arn and not endpoint:
        return None
    if not arn:
        raise values.rejected("existingDomainArn", "")
    values.checked("existingDomainArn")
    if arn.split(":")[3] != region:
        raise config_error(
            "existingDomainArn",
            f"must be a domain in the stack's region {region} (Firehose delivers within a "
            f"region), got {arn!r}",
            f"arn:aws:es:{region}:123456789012:domain/my-domain",
        )
    return ExistingDomain(arn=arn, endpoint=values.checked("existingDomainEndpoint"))


def _cidrs(
    values: ConfigValues, existing: ExistingDomain | None, required: bool, private: bool
) -> tuple[str, ...]:
    values.checked("allowedCidrs")
    cidrs = values.items("allowedCidrs")
    if cidrs and private:
        # AWS, "Launching your Amazon OpenSearch Service domains within a VPC": "You can't
        # apply IP-based access policies to domains that reside within a VPC because security
        # groups already enforce IP-based access policies."
        raise ConfigError(
            f"Configuration 'allowedCidrs' is set together with {SUBNETS_KEY}: a VPC domain "
            "takes no IP-based access policy (its security groups decide who reaches it, "
            "docs/security.md). Fix it with: pulumi config rm allowedCidrs (and admit your "
            "networks in the security group instead)"
        )
    if not cidrs and existing is None and required and not private:
        raise config_error(
            "allowedCidrs",
            "is empty: `pulumi up` applies the OpenSearch content as the master user (Basic "
            "auth), and the new domain's access policy admits such unsigned requests (and "
            "your browser, for Dashboards) only from allowedCidrs; give this machine's "
            "address",
            "203.0.113.10/32",
        )
    wide = wide_networks(cidrs)
    if wide and not values.boolean("allowWideCidrs"):
        raise ConfigError(
            f"Configuration 'allowedCidrs' admits {'; '.join(wide)}: unsigned requests from "
            "that many addresses reach the domain, with only the master user's password in "
            "the way. Fix it with: pulumi config set allowedCidrs 203.0.113.0/24 (your "
            "networks only), or, if you mean it: pulumi config set allowWideCidrs true"
        )
    return cidrs


def _password(values: ConfigValues, existing: ExistingDomain | None, required: bool) -> str | None:
    raw = values.raw("masterUserPassword")
    if not raw:
        if existing is not None or not required:
            return None
        raise config_error("masterUserPassword", "is not set", "<value>", secret=True)
    return values.checked("masterUserPassword", raw)


def _zones(values: ConfigValues, instance_count: int, existing: ExistingDomain | None) -> int:
    if not values.boolean("zoneAwareness"):
        return 1
    zones = values.choice("availabilityZoneCount", ZONE_COUNTS)
    if existing is None and instance_count % zones:
        raise config_error(
            "instanceCount",
            f"must be a multiple of availabilityZoneCount ({zones}) with zoneAwareness on, "
            f"got {instance_count}",
            str(zones),
        )
    return zones


def _domain_name(values: ConfigValues, names: StackNames, existing: ExistingDomain | None) -> str:
    if existing is not None:
        return existing.name
    given = values.text("domainName").strip()
    return values.checked("domainName", given or names.prefix[:_MAX_DOMAIN_NAME].rstrip("-"))


def read_domain(
    values: ConfigValues, names: StackNames, region: str, *, required: bool = True
) -> DomainConfig:
    """`required`: the stack creates a pipeline (not a spoke), so the new domain's settings must
    be given."""
    existing = read_existing_domain(values, region)
    instance_count = values.integer("instanceCount")
    zones = _zones(values, instance_count, existing)
    creates = existing is None and required
    vpc = read_vpc(values, zones if creates else None)
    return DomainConfig(
        name=_domain_name(values, names, existing),
        engine_version=values.checked("engineVersion"),
        instance_type=values.checked("instanceType"),
        instance_count=instance_count,
        volume_size_gb=values.integer("volumeSizeGb"),
        zone_awareness=zones > 1,
        availability_zone_count=zones,
        allowed_cidrs=_cidrs(values, existing, required, private=vpc is not None),
        master_user_name=values.length("masterUserName", values.text("masterUserName").strip()),
        master_user_password=_password(values, existing, required),
        existing=existing,
        vpc=vpc,
    )


def read_index(values: ConfigValues, domain: DomainConfig) -> IndexConfig:
    replicas = values.integer("indexReplicas")
    if domain.existing is None and replicas >= domain.instance_count:
        raise config_error(
            "indexReplicas",
            f"must be below instanceCount ({domain.instance_count}), got {replicas}",
            str(domain.instance_count - 1),
        )
    return IndexConfig(
        prefix=values.checked("indexPrefix"),
        retention_days=values.integer("retentionDays"),
        shards=values.integer("indexShards"),
        replicas=replicas,
    )
