"""What the configuration's VPC must hold, read with the deployer's credentials before anything
is created (`infra/account_checks.py` runs it): one VPC for every subnet and security group, the
new domain's subnets each in another availability zone, and a security group that admits HTTPS
from itself.

AWS: a VPC domain takes "one subnet ID for each Availability Zone that your domain uses"
(CloudFormation, VPCOptions.SubnetIds), and the Firehose API reference, VpcConfiguration
.SecurityGroupIds: "If you use the same security group for both your delivery stream and the
Amazon OpenSearch Service domain, make sure the security group inbound rule allows HTTPS
traffic." The stack gives Firehose's network interfaces the domain's own groups, so one of them
must admit TCP 443 from one of them (itself), or from address ranges holding every configured
subnet (a rule on the VPC's CIDR). For an existing domain (`zones` None) the configured groups
are Firehose's only and the domain's own groups (not read here) must admit them: only the VPC is
checked.

`vpc_problem` is pure; `check_vpc_network` makes the two EC2 reads (tests: moto).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from infra.aws_context import deployer_client
from infra.deployer import Deployer

HTTPS_PORT = 443


def _admits_https_from(
    permission: Mapping[str, Any], groups: set[str], subnets: Sequence[str]
) -> bool:
    """The rule admits TCP 443 from one of `groups`, or from ranges holding every subnet."""
    protocol = str(permission.get("IpProtocol", ""))
    if protocol == "-1":
        ports = True
    elif protocol in ("tcp", "6"):
        ports = permission.get("FromPort", 0) <= HTTPS_PORT <= permission.get("ToPort", -1)
    else:
        ports = False
    sources = {pair.get("GroupId") for pair in permission.get("UserIdGroupPairs", [])}
    ranges = [str(r.get("CidrIp", "")) for r in permission.get("IpRanges", [])]
    return ports and (bool(sources & groups) or _covered(subnets, ranges))


def _covered(subnets: Sequence[str], ranges: Sequence[str]) -> bool:
    """Every subnet CIDR lies inside one of `ranges` (IPv4)."""
    networks = []
    for cidr in ranges:
        try:
            networks.append(ipaddress.IPv4Network(cidr, strict=False))
        except ValueError:
            continue
    return bool(subnets) and all(
        any(ipaddress.IPv4Network(subnet).subnet_of(network) for network in networks)
        for subnet in subnets
    )


def _zone_problem(subnets: Sequence[Mapping[str, Any]]) -> str | None:
    by_zone: dict[str, list[str]] = {}
    for subnet in subnets:
        by_zone.setdefault(str(subnet["AvailabilityZone"]), []).append(str(subnet["SubnetId"]))
    shared = {zone: ids for zone, ids in by_zone.items() if len(ids) > 1}
    if not shared:
        return None
    listed = "; ".join(f"{' and '.join(ids)} in {zone}" for zone, ids in sorted(shared.items()))
    return (
        f"vpcSubnetIds share availability zones ({listed}): the domain takes one subnet per "
        "zone, each in another zone. Fix it with: pulumi config set vpcSubnetIds <one private "
        "subnet per zone>"
    )


def vpc_problem(
    subnets: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    zones: int | None,
) -> str | None:
    """The first problem of these DescribeSubnets / DescribeSecurityGroups answers, or None."""
    vpcs = sorted({str(s["VpcId"]) for s in subnets} | {str(g["VpcId"]) for g in groups})
    if len(vpcs) > 1:
        return (
            f"vpcSubnetIds and vpcSecurityGroupIds lie in several VPCs ({', '.join(vpcs)}): "
            "give subnets and security groups of the one VPC the domain is reached in"
        )
    if zones is None:  # an existing domain: its own groups must admit these (not read here)
        return None
    if problem := _zone_problem(subnets):
        return problem
    ids = {str(g["GroupId"]) for g in groups}
    cidrs = [str(s["CidrBlock"]) for s in subnets if s.get("CidrBlock")]
    if not any(
        _admits_https_from(permission, ids, cidrs)
        for group in groups
        for permission in group.get("IpPermissions", [])
    ):
        first = sorted(ids)[0]
        return (
            "none of vpcSecurityGroupIds admits HTTPS (TCP 443) from itself or from the subnets' "
            "address ranges, so Firehose's network interfaces (which carry the same groups) "
            "cannot reach the domain. Fix it "
            f"with: aws ec2 authorize-security-group-ingress --group-id {first} --protocol tcp "
            f"--port 443 --source-group {first}"
        )
    return None


def check_vpc_network(
    subnet_ids: Sequence[str],
    group_ids: Sequence[str],
    zones: int | None,
    region: str,
    deployer: Deployer | None = None,
    client: Any = None,
) -> str | None:
    """DescribeSubnets and DescribeSecurityGroups with the deployer's credentials."""
    if client is None:
        client = deployer_client("ec2", region, deployer, reuse=True)
    subnets = client.describe_subnets(SubnetIds=list(subnet_ids))["Subnets"]
    groups = client.describe_security_groups(GroupIds=list(group_ids))["SecurityGroups"]
    return vpc_problem(subnets, groups, zones)
