"""GIVEN a VPC in a (moto) account WHEN the configuration's subnets and security groups are
checked before anything is created THEN subnets sharing a zone, groups of another VPC and a
group without HTTPS from itself are each a problem that says the fix; a good network is none;
the account check runs it only when there is a VPC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.account_checks import AccountReaders, account_problems
from infra.deployer import Deployer
from infra.stack_config import StackConfig
from infra.vpc_check import check_vpc_network
from tests.infra.harness import PASSWORD

REGION = "eu-west-1"


@dataclass(frozen=True)
class Network:
    client: Any
    vpc: str
    subnet_a: str
    subnet_a2: str
    subnet_b: str
    subnet_c: str
    group: str
    """Admits TCP 443 from itself."""
    closed_group: str
    """No inbound rule."""


@pytest.fixture
def network() -> Iterator[Network]:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]

        def subnet(cidr: str, zone: str) -> str:
            created = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)
            return str(created["Subnet"]["SubnetId"])

        def group(name: str) -> str:
            created = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)
            return str(created["GroupId"])

        open_group, closed = group("search"), group("closed")
        ec2.authorize_security_group_ingress(
            GroupId=open_group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "UserIdGroupPairs": [{"GroupId": open_group}],
                }
            ],
        )
        yield Network(
            client=ec2,
            vpc=vpc,
            subnet_a=subnet("10.0.1.0/24", f"{REGION}a"),
            subnet_a2=subnet("10.0.2.0/24", f"{REGION}a"),
            subnet_b=subnet("10.0.3.0/24", f"{REGION}b"),
            subnet_c=subnet("10.0.4.0/24", f"{REGION}c"),
            group=open_group,
            closed_group=closed,
        )


def _check(net: Network, subnets: list[str], groups: list[str], zones: int | None) -> str | None:
    return check_vpc_network(subnets, groups, zones, REGION, client=net.client)


def test_subnets_in_distinct_zones_with_an_https_group_pass(network: Network) -> None:
    assert _check(network, [network.subnet_a, network.subnet_b], [network.group], 2) is None
    three = [network.subnet_a, network.subnet_b, network.subnet_c]
    assert _check(network, three, [network.closed_group, network.group], 3) is None


def test_subnets_sharing_a_zone_are_refused_for_a_new_domain(network: Network) -> None:
    problem = _check(network, [network.subnet_a, network.subnet_a2], [network.group], 2)
    assert problem is not None
    assert f"{network.subnet_a} and {network.subnet_a2} in {REGION}a" in problem
    assert "pulumi config set vpcSubnetIds" in problem


def test_an_existing_domain_may_share_zones_for_firehose(network: Network) -> None:
    assert _check(network, [network.subnet_a, network.subnet_a2], [network.group], None) is None


def test_a_group_without_https_from_itself_is_refused(network: Network) -> None:
    problem = _check(network, [network.subnet_a, network.subnet_b], [network.closed_group], 2)
    assert problem is not None
    assert "admits HTTPS (TCP 443) from itself or from the subnets' address ranges" in problem
    assert f"--group-id {network.closed_group} --protocol tcp --port 443" in problem


def _cidr_group(net: Network, name: str, cidr: str) -> str:
    group = str(
        net.client.create_security_group(GroupName=name, Description=name, VpcId=net.vpc)["GroupId"]
    )
    net.client.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": cidr}]}
        ],
    )
    return group


def test_a_group_admitting_https_from_the_vpc_range_passes(network: Network) -> None:
    # GIVEN a group admitting 443 from the VPC's CIDR (not from itself): Firehose's interfaces,
    # in the configured subnets, are inside it
    group = _cidr_group(network, "vpc-range", "10.0.0.0/16")
    assert _check(network, [network.subnet_a, network.subnet_b], [group], 2) is None


def test_a_range_missing_one_subnet_is_refused(network: Network) -> None:
    group = _cidr_group(network, "one-subnet", "10.0.1.0/24")  # subnet_a only
    problem = _check(network, [network.subnet_a, network.subnet_b], [group], 2)
    assert problem is not None and "TCP 443" in problem


def test_an_existing_domain_needs_no_https_rule_on_firehoses_groups(network: Network) -> None:
    # the documented setup: a Firehose-only group with no inbound rule; the domain's own
    # groups (not the stack's) admit it
    subnets = [network.subnet_a, network.subnet_b]
    assert _check(network, subnets, [network.closed_group], None) is None


def test_groups_of_another_vpc_are_refused(network: Network) -> None:
    ec2 = network.client
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    stranger = ec2.create_security_group(GroupName="x", Description="x", VpcId=other)["GroupId"]
    problem = _check(network, [network.subnet_a, network.subnet_b], [stranger], 2)
    assert problem is not None
    assert "several VPCs" in problem and other in problem and network.vpc in problem


def _config(values: dict[str, str]) -> StackConfig:
    return StackConfig.from_values(
        {"masterUserPassword": PASSWORD, **values}, stack="dev", region=REGION
    )


def test_account_check_asks_about_the_vpc_only_when_there_is_one() -> None:
    asked: list[tuple[Any, ...]] = []

    def vpc_network(*args: Any) -> str:
        asked.append(args)
        return "the VPC problem"

    readers = replace(AccountReaders.offline(), vpc_network=vpc_network)
    public = _config({"allowedCidrs": "198.51.100.7/32"})
    assert account_problems(public, None, readers) == []
    assert asked == []
    subnets = "subnet-0123456789abcdef0,subnet-0fedcba9876543210"
    private = _config({"vpcSubnetIds": subnets, "vpcSecurityGroupIds": "sg-0123456789abcdef0"})
    assert account_problems(private, Deployer("prof"), readers) == ["the VPC problem"]
    assert asked == [
        (tuple(subnets.split(",")), ("sg-0123456789abcdef0",), 2, REGION, Deployer("prof")),
    ]


def test_account_check_of_an_existing_domain_asks_without_a_zone_count() -> None:
    asked: list[tuple[Any, ...]] = []

    def vpc_network(*args: Any) -> None:
        asked.append(args)

    readers = replace(AccountReaders.offline(), vpc_network=vpc_network)
    values = {
        "existingDomainArn": "arn:aws:es:eu-west-1:123456789012:domain/existing-logs",
        "existingDomainEndpoint": "vpc-existing-logs-xyz.eu-west-1.es.amazonaws.com",
        "vpcSubnetIds": "subnet-0123456789abcdef0",
        "vpcSecurityGroupIds": "sg-0123456789abcdef0",
    }
    config = StackConfig.from_values(values, stack="dev", region=REGION)
    assert account_problems(config, None, readers) == []
    assert [args[2] for args in asked] == [None]
