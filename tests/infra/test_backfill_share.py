"""GIVEN a hub rolling out spokes (`spokeDeployAccountIds`) WHEN its configuration is loaded
THEN `backfillBytesPerSecond` is shared equally by the hub's subscriber and every rolled-out
one, so their backfills together stay within it (infra/backfill_share.py); a share below the
subscriber's least rate is raised to it, with a warning giving the total."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from infra.backfill_share import backfill_senders, shared_backfill
from infra.stack_config import StackConfig
from lambda_shared.environment import BACKFILL_BYTES_PER_SECOND
from tests.infra.conftest import SPOKES
from tests.infra.harness import base_config, offline_packages, run_program

RATE = BACKFILL_BYTES_PER_SECOND.name
FUNCTION = "aws:lambda/function:Function"


def _config(**values: str) -> StackConfig:
    hub = {**base_config(), "deployment": "hub", "spokeAccountIds": ",".join(SPOKES)}
    return StackConfig.from_values({**hub, **values}, stack="hub", region="eu-west-1")


def test_without_a_rollout_the_budget_is_the_hubs_alone() -> None:
    config = _config(backfillBytesPerSecond="40960")
    shared = shared_backfill(config)
    assert backfill_senders(config) == 1
    assert shared.config is config and shared.warning == ""
    assert shared.config.variables[RATE] == "40960"


def test_two_accounts_in_two_regions_and_the_hub_share_it_five_ways() -> None:
    config = _config(
        backfillBytesPerSecond="40960",
        spokeRegions="eu-west-1,us-east-1",
        spokeDeployAccountIds=",".join(SPOKES),
    )
    shared = shared_backfill(config)
    assert backfill_senders(config) == 5
    assert shared.config.variables[RATE] == str(40960 // 5)
    assert shared.warning == ""
    assert config.variables[RATE] == "40960"  # the loaded configuration is left as it was
    others = {k: v for k, v in shared.config.variables.items() if k != RATE}
    assert others == {k: v for k, v in config.variables.items() if k != RATE}


def test_the_default_budget_is_shared_too() -> None:
    shared = shared_backfill(_config(spokeDeployAccountIds=SPOKES[0]))  # hub + one spoke
    assert shared.config.variables[RATE] == str(BACKFILL_BYTES_PER_SECOND.default // 2)


@pytest.mark.parametrize("accounts", [3, 40])
def test_a_share_below_the_least_rate_is_raised_to_it_with_a_warning(accounts: int) -> None:
    ids = ",".join(f"{100000000000 + i}" for i in range(accounts))
    budget = BACKFILL_BYTES_PER_SECOND.low * 2
    config = _config(backfillBytesPerSecond=str(budget), spokeDeployAccountIds=ids)
    shared = shared_backfill(config)
    low = BACKFILL_BYTES_PER_SECOND.low
    assert shared.config.variables[RATE] == str(low)
    total = low * (accounts + 1)
    assert f"may put {total:,} bytes/s" in shared.warning
    assert f"shared by {accounts + 1:,} subscribers" in shared.warning
    assert "Raise backfillBytesPerSecond" in shared.warning


@pytest.mark.parametrize("budget", [BACKFILL_BYTES_PER_SECOND.low, 3 * 4096])
def test_every_subscriber_of_the_program_gets_its_share(budget: int, packages_dir: Path) -> None:
    # the hub's and one per rolled-out account (one region): 3 subscribers
    values = {
        **base_config(),
        "deployment": "hub",
        "spokeDeployAccountIds": ",".join(SPOKES),
        "backfillBytesPerSecond": str(budget),
    }
    with mock.patch("infra.program.pulumi.log.warn") as warn:
        run = run_program(values, offline_packages(packages_dir / f"backfill-share-{budget}"))
    warned = [str(call.args[0]) for call in warn.call_args_list]
    share = max(budget // 3, BACKFILL_BYTES_PER_SECOND.low)
    assert any("shared by 3 subscribers" in m for m in warned) == (share * 3 > budget)
    subscribers = [f for f in run.of_type(FUNCTION) if f.name.endswith("-subscriber")]
    assert len(subscribers) == 3
    for function in subscribers:
        env = function.inputs["environment"]["variables"]
        assert env[RATE] == str(share), function.name


@pytest.mark.parametrize(
    "off", [{"subscriptionMode": "account-policy"}, {"backfillLookbackHours": "0"}]
)
def test_nothing_is_shared_when_nothing_backfills(off: dict[str, str]) -> None:
    # account-policy mode has no subscriber; a lookback of 0 turns the backfill off
    config = _config(backfillBytesPerSecond="2048", spokeDeployAccountIds=",".join(SPOKES), **off)
    shared = shared_backfill(config)
    assert backfill_senders(config) == 1
    assert shared.config is config and shared.warning == ""
