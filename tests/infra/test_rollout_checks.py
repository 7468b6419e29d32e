"""GIVEN a hub rolling out spokes WHEN the program starts THEN every member account and region
is checked before anything is registered, as the rolled-out provider will act there (the
stack's chain, then the account's deploy role), against the spoke's configuration; a deploy
role that cannot be assumed is one problem with the fix (infra/rollout_checks.py)."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from infra import aws_context, program
from infra.account_checks import AccountCheckError, AccountReaders, check_assumable
from infra.aws_context import AwsContext, deployer_client
from infra.deployer import AssumedRole, Deployer
from infra.rollout_checks import own_credentials_problem, rollout_problems
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
    """Records what each check was asked, as whom; refuses the deploy role of `locked`, or the
    deployer's own chain (`own_refused`)."""

    def __init__(
        self, locked: str = "", short: str = "", own_refused: bool = False, unreadable: str = ""
    ) -> None:
        self.locked, self.short, self.own_refused = locked, short, own_refused
        self.unreadable = unreadable
        self.asked: list[tuple[str, str, Deployer]] = []

    def reservation(self, wanted: int, name: str, region: str, who: Any) -> str | None:
        self.asked.append(("reservation", region, who))
        member = who.roles[-1].role_arn if who.roles else ""  # the hub's own: no role
        if member == _member_role(self.unreadable):
            error = {"Error": {"Code": "AccessDeniedException", "Message": "no"}}
            raise ClientError(error, "GetAccountSettings")
        return f"too little concurrency for {name}" if member == _member_role(self.short) else None

    def assumable(self, who: Deployer, region: str) -> str | None:
        self.asked.append(("assume", region, who))
        if who.roles in (CHAIN, ()):  # the deployer's own (the stack's chain, or none)
            return "AccessDenied: not the ci role" if self.own_refused else None
        refused = who.roles[-1].role_arn == _member_role(self.locked)
        return "AccessDenied: not trusted" if refused else None

    def readers(self) -> AccountReaders:
        return replace(
            AccountReaders.offline(), reservation=self.reservation, assumable=self.assumable
        )


def _problems(readers: _Readers, warned: list[str] | None = None, **extra: str) -> list[str]:
    config = StackConfig.from_values(_hub(**extra), stack="hub", region=REGION)
    ctx = AwsContext("aws", REGION, ACCOUNT)
    deployer = StackProvider(Deployer("ci", CHAIN))
    return rollout_problems(
        config, ctx, deployer, readers.readers(), [] if warned is None else warned
    )


def test_every_member_is_checked_as_its_provider_will_act() -> None:
    readers = _Readers()
    assert _problems(readers) == []
    checked = {(r, w.roles[-1].role_arn) for kind, r, w in readers.asked if kind == "reservation"}
    assert checked == {(r, _member_role(a)) for a in SPOKES for r in REGIONS}
    assumed = {(r, w.roles[-1].role_arn) for kind, r, w in readers.asked if kind == "assume"}
    assert assumed == checked  # each deploy role probed in each spoke region (STS is regional)
    for _kind, _, who in readers.asked:
        assert who.profile == "ci" and who.roles[: len(CHAIN)] == CHAIN  # the stack's chain first
        if who.roles != CHAIN:
            assert who.roles[-1].session_name == "lambda-logs-spoke-rollout"


def test_a_member_problem_and_its_warnings_name_its_account_and_region() -> None:
    warned: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none is a Python warning: the threads' are listed
        problems = _problems(_Readers(short=SPOKES[1], unreadable=SPOKES[0]), warned)
    assert problems == [
        f"account {SPOKES[1]}, {region}: too little concurrency for lambda-logs-hub-subscriber"
        for region in REGIONS
    ]
    assert len(warned) == len(REGIONS)  # in the configuration's order, not the threads'
    for message, region in zip(warned, REGIONS, strict=True):
        assert message.startswith(f"account {SPOKES[0]}, {region}: could not read the Lambda")


def test_the_members_warnings_are_kept_when_another_members_check_fails() -> None:
    """An unexpected error in one member's check (not an AWS refusal) ends the checks, but what
    the others could not read is still said."""
    readers = _Readers(unreadable=SPOKES[0])
    base = readers.reservation

    def reservation(wanted: int, name: str, region: str, who: Any) -> str | None:
        if who.roles and who.roles[-1].role_arn == _member_role(SPOKES[1]):
            raise RuntimeError("a bug in a check")
        return base(wanted, name, region, who)

    readers.reservation = reservation  # type: ignore[method-assign]
    warned: list[str] = []
    with pytest.raises(RuntimeError, match="a bug in a check"):
        _problems(readers, warned)
    assert len(warned) == len(REGIONS)
    assert all(m.startswith(f"account {SPOKES[0]}, ") for m in warned)


def test_a_role_that_cannot_be_assumed_is_one_problem_and_nothing_more() -> None:
    readers = _Readers(locked=SPOKES[0])
    (problem,) = _problems(readers)
    assert problem.startswith(f"account {SPOKES[0]}: cannot assume ")
    assert _member_role(SPOKES[0]) in problem and "AccessDenied: not trusted" in problem
    assert "trust policy must admit the hub's deployer" in problem
    reserved = [w for kind, _, w in readers.asked if kind == "reservation"]
    assert reserved and all(w.roles[-1].role_arn != _member_role(SPOKES[0]) for w in reserved)


def test_a_region_that_refuses_the_role_is_named() -> None:
    readers = _Readers()
    base = readers.assumable

    def assumable(who: Deployer, region: str) -> str | None:
        if who.roles and who.roles[-1].role_arn == _member_role(SPOKES[0]) and region != REGION:
            return "InvalidClientTokenId: the region is not enabled"
        return base(who, region)

    config = StackConfig.from_values(_hub(), stack="hub", region=REGION)
    read = replace(readers.readers(), assumable=assumable)
    (problem,) = rollout_problems(
        config, AwsContext("aws", REGION, ACCOUNT), StackProvider(Deployer("ci", CHAIN)), read, []
    )
    assert problem.startswith(f"account {SPOKES[0]}: cannot assume ")
    assert "(in us-east-1: InvalidClientTokenId: the region is not enabled)" in problem


def test_the_deployers_own_chain_failing_is_one_problem_before_anything_else(
    packages_dir: Path,
) -> None:
    readers = _Readers(own_refused=True)
    stack = StackProvider(Deployer("ci", CHAIN))
    own = own_credentials_problem(stack, REGION, readers.readers())
    assert own is not None
    assert own.startswith("the deployer's own credentials fail (AccessDenied: not the ci role)")
    assert own_credentials_problem(stack, REGION, _Readers().readers()) is None
    aws = {"profile": "ci", "assumeRoles": json.dumps([{"roleArn": CHAIN[0].role_arn}])}
    with pytest.raises(AccountCheckError) as raised:
        run_program(
            _hub(),
            offline_packages(packages_dir / "own-chain"),
            aws_values=aws,
            readers=readers.readers(),
        )
    assert str(raised.value) == f"- {own}"
    assert [kind for kind, _, _ in readers.asked] == ["assume", "assume"]  # no check after it


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
        config, AwsContext("aws", REGION, ACCOUNT), StackProvider(), readers, []
    )
    assert len(problems) == len(SPOKES) * len(REGIONS)
    # a spoke's policy name ends with its region (infra/account_checks.py policy_name)
    assert {name for name, _ in asked} == {f"lambda-logs-hub-subscription-{r}" for r in REGIONS}


def test_the_program_lists_the_hubs_and_the_members_problems_and_their_warnings(
    packages_dir: Path,
) -> None:
    readers = _Readers(locked=SPOKES[1], unreadable=SPOKES[0])
    hub_problem = mock.Mock(return_value="the hub's own problem")

    def reservation(wanted: int, name: str, region: str, who: Any) -> str | None:
        if not who.roles:
            return str(hub_problem())
        return readers.reservation(wanted, name, region, who)

    read = replace(readers.readers(), reservation=reservation)
    with (
        mock.patch.object(program, "create_pipeline", wraps=program.create_pipeline) as built,
        mock.patch("infra.program.pulumi.log.warn") as warn,
        pytest.raises(AccountCheckError) as raised,
    ):
        run_program(_hub(), offline_packages(packages_dir / "rollout-checks"), readers=read)
    message = str(raised.value)
    assert "- the hub's own problem" in message  # all at once: the hub's and the members'
    assert f"- account {SPOKES[1]}: cannot assume" in message
    built.assert_not_called()
    warned = [str(call.args[0]) for call in warn.call_args_list]  # said, though it stopped
    assert any(m.startswith(f"account {SPOKES[0]}, {REGION}: could not read") for m in warned)


class _Sessions:
    def __init__(self, refuse: bool = False) -> None:
        self.made = 0
        self.resolved: list[Any] = []  # the profiles whose credentials were resolved
        self.refuse = refuse

    def session(self, **given: Any) -> Any:
        self.made += 1
        owner = self

        def resolve() -> Any:
            owner.resolved.append(given.get("profile_name"))
            frozen = mock.Mock(access_key="A", secret_key="S", token="T")
            return mock.Mock(get_frozen_credentials=lambda: frozen)

        class Sts:
            def get_caller_identity(self) -> Any:
                return {"Account": ACCOUNT}

            def assume_role(self, **_: Any) -> Any:
                if owner.refuse:
                    error = {"Error": {"Code": "AccessDenied", "Message": "not trusted"}}
                    raise ClientError(error, "AssumeRole")
                return {
                    "Credentials": {"AccessKeyId": "K", "SecretAccessKey": "s", "SessionToken": "t"}
                }

        return mock.Mock(
            client=lambda service, **options: Sts() if service == "sts" else mock.Mock(),
            get_credentials=resolve,
        )


def test_the_checks_share_one_session_per_deployer_and_region() -> None:
    sessions = _Sessions()
    who = Deployer("ci", CHAIN)
    other = who.then("arn:aws:iam::111122223333:role/OrganizationAccountAccessRole")
    with (
        mock.patch.object(aws_context, "_SESSIONS", {}),
        mock.patch.object(aws_context, "_BASES", {}),
        mock.patch("boto3.Session", sessions.session),
    ):
        for service in ("lambda", "logs", "opensearch"):
            deployer_client(service, REGION, who, reuse=True)
        made_for_checks = sessions.made
        deployer_client("logs", REGION, other, reuse=True)  # another member, the same profile
        deployer_client("lambda", REGION, who)  # an invocation: a session of its own
    assert made_for_checks == 3  # the profile's, its credentials as a session, the role's
    # the profile's credentials resolved once for all the checks, members included (a
    # credential_process or an MFA prompt runs once, not per member and thread); the
    # invocation's own session resolves its own when it makes a client
    assert sessions.resolved == ["ci"]


def test_check_assumable_says_what_refused() -> None:
    who = Deployer(None, CHAIN)
    with (
        mock.patch.object(aws_context, "_SESSIONS", {}),
        mock.patch.object(aws_context, "_BASES", {}),
        mock.patch("boto3.Session", _Sessions(refuse=True).session),
    ):
        assert check_assumable(who, REGION) == (
            "ClientError: An error occurred (AccessDenied) when calling the AssumeRole "
            "operation: not trusted"
        )
    with (
        mock.patch.object(aws_context, "_SESSIONS", {}),
        mock.patch.object(aws_context, "_BASES", {}),
        mock.patch("boto3.Session", _Sessions().session),
    ):
        assert check_assumable(who, REGION) is None
