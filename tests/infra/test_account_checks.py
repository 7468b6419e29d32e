"""GIVEN a configuration and what the account allows WHEN the program checks the account THEN each
problem (reservation, a second account policy, the EBS size) is one line of one error, and a
run without AWS access asks nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from infra.account_checks import (
    AccountCheckError,
    AccountReaders,
    account_problems,
    policy_name,
    raise_problems,
)
from infra.deployer import Deployer
from infra.ebs_limits import VolumeLimits
from infra.stack_config import StackConfig
from tests.infra.harness import PASSWORD

OPS = Deployer("ops")  # the deployer the checks are given, passed on as it is

VALID = {"masterUserPassword": PASSWORD, "allowedCidrs": "198.51.100.7/32"}
BYO = {
    "existingDomainArn": "arn:aws:es:eu-west-1:123456789012:domain/existing-logs",
    "existingDomainEndpoint": "search-existing-logs-xyz.eu-west-1.es.amazonaws.com",
}


def _config(**values: str) -> StackConfig:
    return StackConfig.from_values({**VALID, **values}, stack="dev", region="eu-west-1")


def _readers(**given: Any) -> AccountReaders:
    """Offline readers, with the given ones replaced."""
    return replace(AccountReaders.offline(), **given)


def test_offline_readers_ask_nothing_and_find_nothing() -> None:
    assert account_problems(_config(), readers=AccountReaders.offline()) == []


def test_reconciler_mode_checks_the_subscribers_reservation() -> None:
    reservation = mock.Mock(return_value="cannot reserve")
    problems = account_problems(_config(), OPS, _readers(reservation=reservation))
    assert problems == ["cannot reserve"]
    reservation.assert_called_once_with(1, "lambda-logs-dev-subscriber", "eu-west-1", OPS)


def test_account_policy_mode_checks_the_one_policy_not_the_reservation() -> None:
    config = _config(subscriptionMode="account-policy", **BYO)
    reservation = mock.Mock(return_value="never asked")
    policy = mock.Mock(return_value="another policy")
    problems = account_problems(
        config, None, _readers(reservation=reservation, account_policy=policy)
    )
    assert problems == ["another policy"]
    reservation.assert_not_called()
    policy.assert_called_once_with("lambda-logs-dev-subscription", "eu-west-1", None)
    assert policy_name(config) == "lambda-logs-dev-subscription"


def test_the_volume_is_checked_against_the_static_table() -> None:
    config = _config(instanceType="t3.small.search", volumeSizeGb="200")
    (problem,) = account_problems(config, readers=AccountReaders.offline())
    assert "above the 100 GiB maximum" in problem


def test_live_volume_limits_decide_for_types_the_table_does_not_know() -> None:
    config = _config(instanceType="m7g.large.search", volumeSizeGb="3000")
    live = mock.Mock(return_value=VolumeLimits(10, 2048))
    (problem,) = account_problems(config, readers=_readers(volume_limits=live))
    assert "above the 2048 GiB maximum of a gp3 volume on m7g.large.search" in problem
    live.assert_called_once_with("m7g.large.search", "OpenSearch_2.19", "eu-west-1", None)


def test_a_refused_limits_call_falls_back_to_the_table() -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException"}}, "DescribeInstanceTypeLimits")
    config = _config(instanceType="m7g.large.search", volumeSizeGb="3000")
    readers = _readers(volume_limits=mock.Mock(side_effect=denied))
    with pytest.warns(UserWarning, match="EBS limits of m7g.large.search"):
        assert account_problems(config, readers=readers) == []


def test_an_existing_domain_is_not_sized_by_the_stack() -> None:
    live = mock.Mock()
    config = _config(**BYO, volumeSizeGb="24576")
    assert account_problems(config, readers=_readers(volume_limits=live)) == []
    live.assert_not_called()


def test_every_problem_is_one_line_of_one_error() -> None:
    config = _config(instanceType="t3.small.search", volumeSizeGb="200")
    readers = _readers(reservation=mock.Mock(return_value="cannot reserve"))
    with pytest.raises(AccountCheckError) as raised:
        raise_problems(account_problems(config, readers=readers))
    lines = str(raised.value).splitlines()
    assert lines[0] == "- cannot reserve"
    assert lines[1].startswith("- volumeSizeGb = 200")


@pytest.mark.parametrize("mode", ["reconciler", "account-policy"])
def test_a_deployer_who_may_not_read_the_account_is_warned_not_blocked(mode: str) -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException"}}, "GetAccountSettings")
    refusing = mock.Mock(side_effect=denied)
    config = _config(subscriptionMode=mode, **(BYO if mode == "account-policy" else {}))
    readers = _readers(reservation=refusing, account_policy=refusing)
    with pytest.warns(UserWarning, match="could not read"):
        assert account_problems(config, readers=readers) == []
    refusing.assert_called_once()
