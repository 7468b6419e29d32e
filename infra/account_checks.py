"""What the account itself must allow, read with the deployer's credentials while the program
runs (preview included), before any resource exists: the subscriber's reserved concurrency, the
one account-level subscription policy per account and Region, the EBS volume size of the
domain's instance type. Each problem is a sentence naming the setting and the fix; the program
raises `AccountCheckError` with all of them.

Every AWS read is injected (`AccountReaders`): tests pass fakes, and a run under Pulumi mocks
passes `AccountReaders.offline()` (no AWS call, only the static EBS table).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from infra.account_policy_check import check_account_policy
from infra.aws_context import reused_session
from infra.concurrency_check import check_reservation
from infra.data_protection import check_data_protection_policy, data_protection_policy_name
from infra.deployer import Deployer
from infra.ebs_limits import VolumeLimits, check_volume_size, read_volume_limits
from infra.stack_config import StackConfig
from infra.vpc_check import check_vpc_network

_T = TypeVar("_T")


class AccountCheckError(ValueError):
    """The account cannot hold what the configuration asks for; the message says what to do."""


ReservationCheck = Callable[[int, str, str, "Deployer | None"], "str | None"]
PolicyCheck = Callable[[str, str, "Deployer | None"], "str | None"]
VolumeReader = Callable[[str, str, str, "Deployer | None"], "VolumeLimits | None"]
AssumeCheck = Callable[[Deployer, str], "str | None"]
VpcCheck = Callable[
    [tuple[str, ...], tuple[str, ...], "int | None", str, "Deployer | None"], "str | None"
]


def _no_reservation_check(wanted: int, name: str, region: str, deployer: Deployer | None) -> None:
    return None


def _no_policy_check(name: str, region: str, deployer: Deployer | None) -> None:
    return None


def _no_volume_read(kind: str, version: str, region: str, deployer: Deployer | None) -> None:
    return None


def _no_vpc_check(
    subnets: tuple[str, ...],
    groups: tuple[str, ...],
    zones: int | None,
    region: str,
    deployer: Deployer | None,
) -> None:
    return None


def check_assumable(deployer: Deployer, region: str) -> str | None:
    """None when `deployer`'s credentials work, every role of its chain assumed (STS
    GetCallerIdentity with the last one's: it needs no permission), else what refused them
    (the session is then reused by the checks that follow: infra/aws_context.py)."""
    try:
        reused_session(deployer, region).client("sts", region_name=region).get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def _no_assume_check(deployer: Deployer, region: str) -> None:
    return None


@dataclass(frozen=True)
class AccountReaders:
    reservation: ReservationCheck = check_reservation
    account_policy: PolicyCheck = check_account_policy
    volume_limits: VolumeReader = read_volume_limits
    data_protection: PolicyCheck = check_data_protection_policy
    vpc_network: VpcCheck = check_vpc_network
    assumable: AssumeCheck = check_assumable
    """A rolled-out member's deploy role (infra/rollout_checks.py)."""

    @classmethod
    def offline(cls) -> AccountReaders:
        return cls(
            _no_reservation_check,
            _no_policy_check,
            _no_volume_read,
            _no_policy_check,
            _no_vpc_check,
            _no_assume_check,
        )


def policy_name(config: StackConfig) -> str:
    """The account policy's name (infra/pipeline.py and infra/spoke.py name it so). A spoke's
    ends with its region: account policies take no emitSystemFields, and the hub's transformer
    reads the log groups' region from the name the records carry (transformer/source_region.py)."""
    if config.deployment.role == "spoke":
        return f"{config.names.prefix}-subscription-{config.region}"
    return f"{config.names.prefix}-subscription"


@dataclass(frozen=True)
class _Reading:
    """Where the checks read (the member account and region, "" for the stack's own) and where
    what they could not read is said: appended to `warned`, else a Python warning. A list, not
    `warnings.catch_warnings`, for the members' checks: they run in threads, and the warnings
    filters are process-wide (context-local only with Python 3.14's context-aware warnings)."""

    where: str = ""
    warned: list[str] | None = None

    def unless_refused(self, check: Callable[[], _T], what: str, instead: str) -> _T | None:
        """The check's answer; a deployer who may not read `what` (or cannot reach it) is not
        blocked by the check, only warned: `instead` says what decides then."""
        try:
            return check()
        except (BotoCoreError, ClientError) as error:
            said = f"could not read {what} ({error}); {instead}"
            said = f"{self.where}: {said}" if self.where else said
            if self.warned is None:
                warnings.warn(said, stacklevel=2)
            else:
                self.warned.append(said)
            return None


def account_problems(
    config: StackConfig,
    deployer: Deployer | None = None,
    readers: AccountReaders | None = None,
    where: str = "",
    warned: list[str] | None = None,
) -> list[str]:
    """Every problem the account has with this configuration (empty: go ahead); `where`
    prefixes the warnings of a rolled-out member (its account and region); what could not be
    read is appended to `warned` (without one, a Python warning)."""
    read = readers or AccountReaders()
    reading = _Reading(where, warned)
    region, domain = config.region, config.domain
    later = "AWS refuses what does not fit when it is created"
    problems: list[str | None] = []
    if config.subscription.mode == "reconciler":
        wanted = config.functions.subscriber_reserved_concurrency
        problems.append(
            reading.unless_refused(
                lambda: read.reservation(wanted, config.names.subscriber, region, deployer),
                "the Lambda concurrency (lambda:GetAccountSettings)",
                later,
            )
        )
    else:
        problems.append(
            reading.unless_refused(
                lambda: read.account_policy(policy_name(config), region, deployer),
                "the account-level subscription policies (logs:DescribeAccountPolicies)",
                later,
            )
        )
    if config.subscription.masked_data_identifiers:  # one data protection policy per account
        problems.append(
            reading.unless_refused(
                lambda: read.data_protection(
                    data_protection_policy_name(config.names.prefix), region, deployer
                ),
                "the account-level data protection policy (logs:DescribeAccountPolicies)",
                later,
            )
        )
    # a domain the stack does not create (an existing one, or none: a spoke) is not sized by it
    if domain.existing is None and config.deployment.creates_pipeline:
        limits = reading.unless_refused(
            lambda: read.volume_limits(
                domain.instance_type, domain.engine_version, region, deployer
            ),
            f"the EBS limits of {domain.instance_type} (es:DescribeInstanceTypeLimits)",
            "the table in infra/ebs_limits.py decides",
        )
        problems.append(check_volume_size(domain.instance_type, domain.volume_size_gb, limits))
    problems.append(_vpc_problem(config, read, deployer, later, reading))
    return [problem for problem in problems if problem]


def _vpc_problem(
    config: StackConfig,
    read: AccountReaders,
    deployer: Deployer | None,
    later: str,
    reading: _Reading,
) -> str | None:
    """The VPC's subnets, zones and HTTPS rule (infra/vpc_check.py), when there is one."""
    vpc, domain = config.domain.vpc, config.domain
    if vpc is None or not config.deployment.creates_pipeline:
        return None
    zones = domain.availability_zone_count if domain.existing is None else None
    return reading.unless_refused(
        lambda: read.vpc_network(
            vpc.subnet_ids, vpc.security_group_ids, zones, config.region, deployer
        ),
        "the VPC's subnets and security groups (ec2:DescribeSubnets, ec2:DescribeSecurityGroups)",
        later,
    )


def raise_problems(problems: list[str]) -> None:
    """Raise AccountCheckError listing `problems`, one a line, or return when there is none."""
    if problems:
        raise AccountCheckError("\n".join(f"- {problem}" for problem in problems))
