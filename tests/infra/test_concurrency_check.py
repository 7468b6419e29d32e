"""GIVEN an account's Lambda concurrency figures WHEN the subscriber's reservation is checked THEN
an account that cannot hold it (a new account: 10 in total) gets a sentence naming the figures,
the config key and the quota, instead of a failed `pulumi up`; 0 reserves nothing."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from infra.concurrency_check import (
    CONCURRENCY_QUOTA_CODE,
    CONFIG_KEY,
    AccountConcurrency,
    check_reservation,
    read_account_concurrency,
    reservation_error,
)
from tests.infra.harness import ProgramRun, base_config, offline_packages, run_program

NAME = "lambda-logs-test-subscriber"
REGION = "eu-west-1"
FUNCTION = "aws:lambda/function:Function"


def test_a_new_account_cannot_reserve_and_is_told_what_to_do() -> None:
    error = reservation_error(AccountConcurrency(10, 10), 1, NAME, REGION)
    assert error is not None
    assert f"{CONFIG_KEY} = 1 cannot be reserved for {NAME} in {REGION}" in error
    assert "10 in total, 10 of them unreserved" in error
    assert f"pulumi config set {CONFIG_KEY} 0" in error
    assert CONCURRENCY_QUOTA_CODE in error
    assert "at least 101" in error


def test_a_default_account_can_reserve() -> None:
    assert reservation_error(AccountConcurrency(1000, 1000), 1, NAME, REGION) is None


@pytest.mark.parametrize(
    ("unreserved", "current", "fits"),
    [
        (101, 0, True),  # exactly 100 left
        (100, 0, False),  # 99 would be left
        (100, 1, True),  # the update gives its own reservation back first
    ],
)
def test_the_boundary_is_100_unreserved(unreserved: int, current: int, fits: bool) -> None:
    figures = AccountConcurrency(1000, unreserved, current_reservation=current)
    assert (reservation_error(figures, 1, NAME, REGION) is None) is fits


def test_the_quota_to_ask_for_counts_what_other_functions_hold() -> None:
    # 150 in total, 60 held by other functions: 1 + 100 + 60 = 161 are needed.
    error = reservation_error(AccountConcurrency(150, 90), 1, NAME, REGION)
    assert error is not None and "at least 161" in error


def test_no_reservation_is_always_possible_and_asks_aws_nothing() -> None:
    client = mock.Mock()
    assert reservation_error(AccountConcurrency(10, 10), 0, NAME, REGION) is None
    assert check_reservation(0, NAME, REGION, client=client) is None
    client.get_account_settings.assert_not_called()


class _NotFound(Exception):
    pass


def _client(current: dict[str, Any] | None) -> Any:
    client = mock.Mock()
    client.exceptions.ResourceNotFoundException = _NotFound
    client.get_account_settings.return_value = {
        "AccountLimit": {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}
    }
    if current is None:
        client.get_function_concurrency.side_effect = _NotFound()
    else:
        client.get_function_concurrency.return_value = current
    return client


def test_the_figures_are_read_from_get_account_settings() -> None:
    figures = read_account_concurrency(NAME, REGION, client=_client(None))
    assert figures == AccountConcurrency(10, 10, 0)
    held = read_account_concurrency(
        NAME, REGION, client=_client({"ReservedConcurrentExecutions": 1})
    )
    assert held.current_reservation == 1
    error = check_reservation(1, NAME, REGION, client=_client(None))
    assert error is not None and CONFIG_KEY in error


@pytest.fixture(scope="module")
def unreserved_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    packages = offline_packages(tmp_path_factory.mktemp("unreserved"))
    return run_program({**base_config(), "subscriberReservedConcurrency": "0"}, packages)


def test_zero_deploys_the_subscriber_without_a_reservation(unreserved_run: ProgramRun) -> None:
    function = unreserved_run.one(FUNCTION, "lambda-logs-subscriber").inputs
    assert "reservedConcurrentExecutions" not in function


def test_the_default_reserves_one(default_run: ProgramRun) -> None:
    function = default_run.one(FUNCTION, "lambda-logs-subscriber").inputs
    assert function["reservedConcurrentExecutions"] == 1
