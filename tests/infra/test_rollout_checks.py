"""GIVEN a hub rolling out spokes WHEN the program starts THEN every member account and region
is checked before anything is registered, as the rolled-out provider will act there (the
stack's chain, then the account's deploy role), against the spoke's configuration; a deploy
role that cannot be assumed is one problem with the fix (infra/rollout_checks.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from infra import aws_context
from infra.account_checks import AccountCheckError, AccountReaders, check_assumable
from infra.aws_context import AwsContext, deployer_client
from infra.deployer import AssumedRole, Deployer
from infra.rollout_checks import rollout_problems
from infra.stack_config import StackConfig
from infra.stack_provider import StackProvider
from tests.infra.conftest import SPOKES
from tests.infra.harness import ACCOUNT, REGION, base_config, offline_packages, run_program

REGIONS = (REGION, "us-east-1")
CHAIN = (AssumedRole("arn:aws:iam::999988887777:role/ci"),)


def _hub(**extra: str) -> dict[str, str]:
    return {
        **base_config(),
        "deployment": "hub",
        "spokeRegions": ",".join(REGIONS),
        "spokeDeployAccountIds": ",".join(SPOKES),
        **extra,
    }


def _member_role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"


class _Readers:
    """Records what each check was asked, as whom; refuses the deploy role of `locked`."""

    def __init__(self, locked: str = "", short: str = "") -> None:
        self.locked, self.short = locked, short
        self.asked: list[tuple[str, str, Deployer]] = []

    def reservation(self, wanted: int, name: str, region: str, who: Any) -> str | None:
        self.asked.append(("reservation", region, who))
        member = who.roles[-1].role_arn if who.roles else ""  # the hub's own: no role
        return f"too little concurrency for {name}" if member == _member_role(self.short) else None

    def assumable(self, who: Deployer, region: str) -> str | None:
        self.asked.append(("assume", region, who))
        return (
            "AccessDenied: not trusted"
            if who.roles[-1].role_arn == _member_role(self.locked)
            else None
        )

    def readers(self) -> AccountReaders:
        return replace(
            AccountReaders.offline(), reservation=self.reservation, assumable=self.assumable
        )


def _problems(readers: _Readers, **extra: str) -> list[str]:
    config = StackConfig.from_values(_hub(**extra), stack="hub", region=REGION)
    ctx = AwsContext("aws", REGION, ACCOUNT)
    return rollout_problems(config, ctx, StackProvider(Deployer("ci", CHAIN)), readers.readers())


def test_every_member_is_checked_as_its_provider_will_act() -> None:
    readers = _Readers()
    assert _problems(readers) == []
    checked = {(r, w.roles[-1].role_arn) for kind, r, w in readers.asked if kind == "reservation"}
    assert checked == {(r, _member_role(a)) for a in SPOKES for r in REGIONS}
    for _, _, who in readers.asked:
        assert who.profile == "ci" and who.roles[:-1] == CHAIN  # the stack's chain first
        assert who.roles[-1].session_name == "lambda-logs-spoke-rollout"


def test_a_member_problem_names_its_account_and_region() -> None:
    problems = _problems(_Readers(short=SPOKES[1]))
    assert problems == [
        f"account {SPOKES[1]}, {region}: too little concurrency for lambda-logs-hub-subscriber"
        for region in REGIONS
    ]


def test_a_role_that_cannot_be_assumed_is_one_problem_per_region_and_nothing_more() -> None:
    readers = _Readers(locked=SPOKES[0])
    problems = _problems(readers)
    assert len(problems) == len(REGIONS)
    for problem, region in zip(problems, REGIONS, strict=True):
        assert problem.startswith(f"account {SPOKES[0]}, {region}: cannot assume ")
        assert _member_role(SPOKES[0]) in problem and "AccessDenied: not trusted" in problem
        assert "trust policy must admit the hub's deployer" in problem
    locked = [w for kind, _, w in readers.asked if kind == "reservation"]
    assert all(w.roles[-1].role_arn != _member_role(SPOKES[0]) for w in locked)


def test_account_policy_members_are_checked_for_an_existing_policy() -> None:
    asked: list[tuple[str, str]] = []

    def policy(name: str, region: str, who: Any) -> str | None:
        asked.append((name, region))
        return "another account policy exists"

    readers = replace(AccountReaders.offline(), account_policy=policy)
    config = StackConfig.from_values(
        _hub(subscriptionMode="account-policy"), stack="hub", region=REGION
    )
    problems = rollout_problems(
        config, AwsContext("aws", REGION, ACCOUNT), StackProvider(), readers
    )
    assert len(problems) == len(SPOKES) * len(REGIONS)
    # a spoke's policy name ends with its region (infra/account_checks.py policy_name)
    assert {name for name, _ in asked} == {f"lambda-logs-hub-subscription-{r}" for r in REGIONS}


def test_the_program_stops_before_anything_is_registered(packages_dir: Path) -> None:
    readers = _Readers(locked=SPOKES[1])
    with pytest.raises(AccountCheckError) as raised:
        run_program(
            _hub(), offline_packages(packages_dir / "rollout-checks"), readers=readers.readers()
        )
    assert f"account {SPOKES[1]}" in str(raised.value)


class _Sessions:
    def __init__(self, refuse: bool = False) -> None:
        self.made = 0
        self.refuse = refuse

    def session(self, **given: Any) -> Any:
        self.made += 1
        owner = self

        class Sts:
            def assume_role(self, **_: Any) -> Any:
                if owner.refuse:
                    error = {"Error": {"Code": "AccessDenied", "Message": "not trusted"}}
                    raise ClientError(error, "AssumeRole")
                return {
                    "Credentials": {"AccessKeyId": "K", "SecretAccessKey": "s", "SessionToken": "t"}
                }

        return mock.Mock(
            client=lambda service, **options: Sts() if service == "sts" else mock.Mock()
        )


def test_the_checks_share_one_session_per_deployer_and_region() -> None:
    sessions = _Sessions()
    who = Deployer("ci", CHAIN)
    with (
        mock.patch.object(aws_context, "_SESSIONS", {}),
        mock.patch("boto3.Session", sessions.session),
    ):
        for service in ("lambda", "logs", "opensearch"):
            deployer_client(service, REGION, who, reuse=True)
        made_for_checks = sessions.made
        deployer_client("lambda", REGION, who)  # an invocation: a session of its own
    assert made_for_checks == 2  # the profile's, then the role's: once
    assert sessions.made == 4


def test_check_assumable_says_what_refused() -> None:
    who = Deployer(None, CHAIN)
    with (
        mock.patch.object(aws_context, "_SESSIONS", {}),
        mock.patch("boto3.Session", _Sessions(refuse=True).session),
    ):
        assert check_assumable(who, REGION) == (
            "ClientError: An error occurred (AccessDenied) when calling the AssumeRole "
            "operation: not trusted"
        )
    with (
        mock.patch.object(aws_context, "_SESSIONS", {}),
        mock.patch("boto3.Session", _Sessions().session),
    ):
        assert check_assumable(who, REGION) is None
