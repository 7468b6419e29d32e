"""GIVEN vpcSubnetIds and vpcSecurityGroupIds WHEN the program runs under mocks THEN the domain
lives in the subnets with no public endpoint and no IP condition, Firehose delivers through the
VPC with the delivery role, and that role may manage Firehose's network interfaces there, only
there; an existing VPC domain is reached the same way; bad combinations are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest

from infra.config_errors import ConfigError
from infra.config_rules import security_group_ids, subnet_ids
from infra.stack_config import StackConfig
from tests.infra.conftest import BYO_ARN, BYO_ENDPOINT
from tests.infra.harness import (
    ACCOUNT,
    PASSWORD,
    REGION,
    ProgramRun,
    offline_packages,
    run_program,
)
from tests.infra.policy_checks import (
    allowed_actions,
    as_list,
    assert_least_privilege,
    iam_policies,
    lint,
    resources_for,
    statements,
)
from tests.infra.test_policy_lint import JUSTIFIED, needs_parliament

DOMAIN: Final = "aws:opensearch/domain:Domain"
STREAM: Final = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
SUBNETS: Final = ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")
THIRD_SUBNET: Final = "subnet-0aaaabbbbccccdddd"
GROUPS: Final = ("sg-0123456789abcdef0", "sg-89abcdef")
ENI_ACTIONS: Final = {
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkInterfaces",
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
}
"""The list the Firehose API reference gives for VpcConfiguration.RoleARN."""
FIREHOSE_ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-delivery-firehose"


def _vpc(subnets: tuple[str, ...] = SUBNETS, groups: tuple[str, ...] = GROUPS) -> dict[str, str]:
    return {"vpcSubnetIds": ",".join(subnets), "vpcSecurityGroupIds": ", ".join(groups)}


@pytest.fixture(scope="module")
def vpc_run(packages_dir: Path) -> ProgramRun:
    """A new domain in two private subnets (the default two zones), no allowedCidrs."""
    values = {"masterUserPassword": PASSWORD, **_vpc()}
    return run_program(values, offline_packages(packages_dir / "vpc"))


@pytest.fixture(scope="module")
def byo_vpc_run(packages_dir: Path) -> ProgramRun:
    """An existing VPC domain, reached through three subnets (not tied to any zone count)."""
    values = {
        "existingDomainArn": BYO_ARN,
        "existingDomainEndpoint": BYO_ENDPOINT,
        **_vpc((*SUBNETS, THIRD_SUBNET), GROUPS[:1]),
    }
    return run_program(values, offline_packages(packages_dir / "byo-vpc", bundle_orjson=False))


def _firehose_policy(run: ProgramRun) -> dict[str, Any]:
    policy: dict[str, Any] = run.one(ROLE_POLICY, "lambda-logs-delivery-firehose").json("policy")
    return policy


def _subnet_arns(subnets: tuple[str, ...]) -> set[str]:
    return {f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnet}" for subnet in subnets}


# --- the domain ----------------------------------------------------------------------------


def test_domain_gets_the_subnets_and_groups_and_one_zone_per_subnet(vpc_run: ProgramRun) -> None:
    domain = vpc_run.one(DOMAIN).inputs
    assert domain["vpcOptions"] == {
        "subnetIds": list(SUBNETS),
        "securityGroupIds": list(GROUPS),
    }
    cluster = domain["clusterConfig"]
    assert cluster["zoneAwarenessEnabled"] is True
    assert cluster["zoneAwarenessConfig"] == {"availabilityZoneCount": len(SUBNETS)}


def test_public_domain_has_no_vpc_options(default_run: ProgramRun) -> None:
    assert "vpcOptions" not in default_run.one(DOMAIN).inputs


def test_vpc_domain_policy_has_no_source_ip_and_admits_what_the_vpc_lets_in(
    vpc_run: ProgramRun,
) -> None:
    policy = vpc_run.one(DOMAIN).json("accessPolicies")
    found = {s["Sid"]: s for s in statements(policy)}
    assert set(found) == {"Account", "InsideVpc"}
    assert all("Condition" not in s for s in found.values())
    assert "aws:SourceIp" not in vpc_run.one(DOMAIN).inputs["accessPolicies"]
    assert found["Account"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert found["InsideVpc"]["Principal"] == {"AWS": "*"}
    domain_arn = f"arn:aws:es:{REGION}:{ACCOUNT}:domain/lambda-logs-test"
    assert found["InsideVpc"]["Resource"] == f"{domain_arn}/*"
    assert all(a.startswith("es:ESHttp") for a in as_list(found["InsideVpc"]["Action"]))


def test_public_domain_still_guards_unsigned_requests_by_source_ip(
    default_run: ProgramRun,
) -> None:
    policy = default_run.one(DOMAIN).json("accessPolicies")
    open_statements = [s for s in statements(policy) if s["Principal"] == {"AWS": "*"}]
    assert [s["Sid"] for s in open_statements] == ["AllowedNetworks"]
    assert "aws:SourceIp" in open_statements[0]["Condition"]["IpAddress"]


# --- Firehose through the VPC --------------------------------------------------------------


def test_firehose_delivers_through_the_vpc_with_the_delivery_role(vpc_run: ProgramRun) -> None:
    config = vpc_run.one(STREAM).inputs["opensearchConfiguration"]
    assert config["vpcConfig"] == {
        "subnetIds": list(SUBNETS),
        "securityGroupIds": list(GROUPS),
        "roleArn": FIREHOSE_ROLE_ARN,
    }
    assert config["roleArn"] == FIREHOSE_ROLE_ARN


def test_public_stream_has_no_vpc_config(default_run: ProgramRun) -> None:
    assert "vpcConfig" not in default_run.one(STREAM).inputs["opensearchConfiguration"]


def test_delivery_role_manages_network_interfaces_only_in_the_configured_network(
    vpc_run: ProgramRun,
) -> None:
    policy = _firehose_policy(vpc_run)
    assert allowed_actions(policy) >= ENI_ACTIONS
    assert_least_privilege(policy)
    interfaces = f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/*"
    groups = {f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}" for group in GROUPS}
    assert resources_for(policy, "ec2:CreateNetworkInterface") == {
        interfaces,
        *_subnet_arns(SUBNETS),
        *groups,
    }
    found = {s["Sid"]: s for s in statements(policy)}
    manage = found["ManageDeliveryInterfaces"]
    assert set(manage["Action"]) == {
        "ec2:CreateNetworkInterfacePermission",
        "ec2:DeleteNetworkInterface",
    }
    assert manage["Resource"] == [interfaces]
    assert set(manage["Condition"]["ArnEquals"]["ec2:Subnet"]) == _subnet_arns(SUBNETS)
    describe = found["DescribeVpcNetwork"]
    assert describe["Resource"] == ["*"]
    assert describe["Condition"] == {"StringEquals": {"ec2:Region": REGION}}
    assert resources_for(policy, "ec2:DescribeVpcAttribute") == {
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/*"
    }


def test_public_delivery_role_has_no_ec2_permission(default_run: ProgramRun) -> None:
    actions = allowed_actions(_firehose_policy(default_run))
    assert not {a for a in actions if a.startswith("ec2:")}


@needs_parliament
def test_vpc_policies_have_no_unjustified_linter_finding(
    vpc_run: ProgramRun, byo_vpc_run: ProgramRun
) -> None:
    findings = [
        finding
        for run in (vpc_run, byo_vpc_run)
        for label, policy in iam_policies(run).items()
        for finding in lint(label, policy)
    ]
    assert any(label.endswith("delivery-firehose:policy") for label in iam_policies(vpc_run))
    new = [f for f in findings if (f[1], f[2]) not in JUSTIFIED]
    assert not new, new


# --- an existing VPC domain ----------------------------------------------------------------


def test_existing_vpc_domain_is_reached_through_the_vpc(byo_vpc_run: ProgramRun) -> None:
    assert byo_vpc_run.of_type(DOMAIN) == []
    config = byo_vpc_run.one(STREAM).inputs["opensearchConfiguration"]
    assert config["domainArn"] == BYO_ARN
    assert config["vpcConfig"] == {
        "subnetIds": [*SUBNETS, THIRD_SUBNET],
        "securityGroupIds": [GROUPS[0]],
        "roleArn": FIREHOSE_ROLE_ARN,
    }
    policy = _firehose_policy(byo_vpc_run)
    assert allowed_actions(policy) >= ENI_ACTIONS
    subnets = _subnet_arns((*SUBNETS, THIRD_SUBNET))
    assert resources_for(policy, "ec2:CreateNetworkInterface") >= subnets


# --- configuration -------------------------------------------------------------------------


def _config(values: dict[str, str]) -> StackConfig:
    return StackConfig.from_values(
        {"masterUserPassword": PASSWORD, **values}, stack="test", region=REGION
    )


def test_vpc_needs_no_allowed_cidrs_and_reads_both_lists() -> None:
    domain = _config(_vpc()).domain
    assert domain.allowed_cidrs == ()
    assert domain.vpc is not None
    assert domain.vpc.subnet_ids == SUBNETS
    assert domain.vpc.security_group_ids == GROUPS


def test_without_vpc_keys_there_is_no_vpc() -> None:
    assert _config({"allowedCidrs": "198.51.100.7/32"}).domain.vpc is None


def test_three_zones_take_three_subnets() -> None:
    values = {
        **_vpc((*SUBNETS, THIRD_SUBNET)),
        "availabilityZoneCount": "3",
        "instanceCount": "3",
        "indexReplicas": "1",
    }
    domain = _config(values).domain
    assert domain.availability_zone_count == 3
    assert domain.vpc is not None and len(domain.vpc.subnet_ids) == 3


def test_one_zone_takes_one_subnet() -> None:
    values = {**_vpc(SUBNETS[:1]), "zoneAwareness": "false"}
    domain = _config(values).domain
    assert domain.zone_awareness is False
    assert domain.vpc is not None and domain.vpc.subnet_ids == SUBNETS[:1]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"vpcSubnetIds": ",".join(SUBNETS)}, "'vpcSecurityGroupIds' is empty while"),
        ({"vpcSecurityGroupIds": GROUPS[0]}, "'vpcSubnetIds' is empty while"),
        (_vpc(("subnet-xyz",)), "'vpcSubnetIds' is 'subnet-xyz', not"),
        (_vpc(groups=("sg-nothex!",)), "'vpcSecurityGroupIds' is 'sg-nothex!', not"),
        (_vpc((SUBNETS[0], SUBNETS[0])), "'vpcSubnetIds' is"),
        (
            _vpc(groups=tuple(f"sg-0000000{i}" for i in range(6))),
            "'vpcSecurityGroupIds' is",
        ),
        (_vpc(SUBNETS[:1]), "has 1 subnet, but the new domain uses 2 availability zones"),
        (
            _vpc((*SUBNETS, THIRD_SUBNET)),
            "pulumi config set availabilityZoneCount 3",
        ),
        (
            {**_vpc(), "zoneAwareness": "false"},
            "has 2 subnets, but the new domain uses 1 availability zone (zoneAwareness off)",
        ),
        (
            {**_vpc(), "allowedCidrs": "10.0.0.0/16"},
            "'allowedCidrs' is set together with vpcSubnetIds",
        ),
    ],
)
def test_bad_vpc_settings_are_refused_with_the_fix(values: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        _config(values)
    assert expected in str(error.value)
    assert "Fix it with" in str(error.value)


def test_existing_domain_takes_any_number_of_subnets_for_firehose() -> None:
    values = {
        "existingDomainArn": BYO_ARN,
        "existingDomainEndpoint": BYO_ENDPOINT,
        **_vpc((*SUBNETS, THIRD_SUBNET)),
    }
    domain = StackConfig.from_values(values, stack="test", region=REGION).domain
    assert domain.vpc is not None and len(domain.vpc.subnet_ids) == 3


def test_id_rules() -> None:
    assert subnet_ids("") and security_group_ids("")
    assert subnet_ids("subnet-0123abcd, subnet-0123456789abcdef0")
    assert not subnet_ids("subnet-0123abc")  # 7 hex digits
    assert not subnet_ids("sg-0123abcd")
    assert not subnet_ids(",".join(f"subnet-{i:08x}" for i in range(17)))
    assert security_group_ids(",".join(f"sg-{i:08x}" for i in range(5)))
    assert not security_group_ids(",".join(f"sg-{i:08x}" for i in range(6)))
    assert not security_group_ids("sg-0123abcd,sg-0123abcd")
