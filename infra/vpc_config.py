"""The private network the domain and the functions that reach it live in (issue 14).

`vpcSubnetIds` and `vpcSecurityGroupIds` (read in `infra/domain_config.py`): with them the
domain has no public endpoint, Firehose delivers to it through the VPC, and the OpenSearch
content is applied by a function inside the VPC instead of from the deployer's machine.

A domain the stack creates takes one subnet per availability zone it uses. AWS, OpenSearch
Service API reference, ZoneAwarenessConfig.AvailabilityZoneCount: "If your domain is
provisioned within a VPC, this value be equal to number of subnets"; CloudFormation's
VPCOptions.SubnetIds: "Provide one subnet ID for each Availability Zone that your domain uses.
For example, you must specify three subnet IDs for a three-AZ domain. [...] If you specify more
than one subnet, you must also configure ZoneAwarenessEnabled and ZoneAwarenessConfig [...]
otherwise you'll see the error "You must specify exactly one subnet"". So the count is checked
here, against zoneAwareness and availabilityZoneCount, and that the subnets lie in as many
different zones is checked against the account before anything is created
(`infra/vpc_check.py`). An existing domain's subnets are its own: the ones given here are only
where Firehose puts its network interfaces (1 to 16, Firehose's VpcConfiguration).
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.config_errors import ConfigError, config_error, set_command
from infra.config_values import ConfigValues

SUBNETS_KEY = "vpcSubnetIds"
SECURITY_GROUPS_KEY = "vpcSecurityGroupIds"


@dataclass(frozen=True)
class VpcConfig:
    """Subnets (private, one per availability zone the domain uses) and security groups."""

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


def read_vpc(values: ConfigValues, zones: int | None) -> VpcConfig | None:
    """Both keys or neither. `zones`: the availability zones of the domain the stack creates
    (1 with zone awareness off), which must equal the number of subnets; None when the stack
    creates no domain (an existing one: any number of subnets for Firehose)."""
    subnets = values.items(SUBNETS_KEY, checked=True)
    groups = values.items(SECURITY_GROUPS_KEY, checked=True)
    if not subnets and not groups:
        return None
    if not groups:
        raise config_error(
            SECURITY_GROUPS_KEY,
            f"is empty while {SUBNETS_KEY} is set: the domain and Firehose's network "
            "interfaces need security groups (one that admits HTTPS, TCP 443, from itself)",
            "sg-0123456789abcdef0",
        )
    if not subnets:
        raise config_error(
            SUBNETS_KEY,
            f"is empty while {SECURITY_GROUPS_KEY} is set: give the private subnets (one per "
            "availability zone the domain uses), or unset vpcSecurityGroupIds for a public "
            "domain",
            "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
        )
    if zones is not None and len(subnets) != zones:
        raise _zone_mismatch(len(subnets), zones)
    return VpcConfig(subnet_ids=subnets, security_group_ids=groups)


def _zone_mismatch(count: int, zones: int) -> ConfigError:
    layout = "zoneAwareness off" if zones == 1 else f"availabilityZoneCount {zones}"
    if count == 1:
        fix = set_command("zoneAwareness", "false")
    elif count in (2, 3):
        fix = (
            set_command("zoneAwareness", "true")
            + " and "
            + (set_command("availabilityZoneCount", str(count)))
        )
    else:
        fix = "give 1, 2 or 3 subnets"
    subnets = f"{count} subnet{'s' if count > 1 else ''}"
    return ConfigError(
        f"Configuration '{SUBNETS_KEY}' has {subnets}, but the new domain uses {zones} "
        f"availability zone{'s' if zones > 1 else ''} ({layout}): OpenSearch takes exactly one "
        f"subnet per zone, each in another zone. Fix it with {zones} subnets, or with: {fix}"
    )
