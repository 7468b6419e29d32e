"""What a rolled-out spoke needs beyond its wiring (tests/infra/test_spoke_rollout.py): names
that fit, the checks made before anything is registered, the roles it waits for.

Every resource Pulumi names itself (no `name` input: its logical name + "-" + 7 random
characters) fits AWS's shortest name limit among the types the program creates, 64 characters
(EventBridge rules and IAM roles), in every stack variant, including a hub rolling out spokes
into the longest region names. Above it Pulumi's bridge fails the preview ("plus 7 random chars
is longer than maximum length"); the mocks do no naming, so this test does the arithmetic."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from infra import program
from infra.config_errors import ConfigError
from infra.stack_config import StackConfig
from tests.infra.conftest import SPOKES
from tests.infra.harness import ACCOUNT, REGION, base_config, key, offline_packages, run_program

AUTO_NAME_SUFFIX = 8  # "-" + 7 random characters
SHORTEST_LIMIT = 64
NAMED_BY_AWS_TYPES = ("aws:cloudwatch/eventRule:EventRule", "aws:iam/role:Role")


def _hub(mode: str = "reconciler", **extra: str) -> dict[str, str]:
    return {
        **base_config(),
        "deployment": "hub",
        "spokeRegions": "ap-southeast-2,eu-west-1",
        "spokeDeployAccountIds": ",".join(SPOKES),
        "subscriptionMode": mode,
        **extra,
    }


@pytest.mark.parametrize("mode", ["reconciler", "account-policy"])
def test_auto_named_rules_and_roles_fit_64_characters(mode: str, packages_dir: Path) -> None:
    run = run_program(_hub(mode), offline_packages(packages_dir / f"names-{mode}"))
    auto_named = [
        r.name for r in run.resources if r.type in NAMED_BY_AWS_TYPES and not r.inputs.get("name")
    ]
    assert any("ap-southeast-2" in name for name in auto_named)  # the spokes are among them
    too_long = [n for n in auto_named if len(n) + AUTO_NAME_SUFFIX > SHORTEST_LIMIT]
    assert too_long == []


def test_deploying_into_the_hubs_own_account_is_refused_before_anything_is_registered(
    packages_dir: Path,
) -> None:
    values = _hub(spokeDeployAccountIds=f"{SPOKES[0]},{ACCOUNT}")
    with (
        mock.patch.object(program, "create_pipeline", wraps=program.create_pipeline) as built,
        pytest.raises(ConfigError) as raised,
    ):
        run_program(values, offline_packages(packages_dir / "rollout-own"))
    message = str(raised.value)
    assert f"'spokeDeployAccountIds' lists {ACCOUNT}, the hub's own account" in message
    assert f"pulumi config set spokeDeployAccountIds {SPOKES[0]}" in message
    built.assert_not_called()  # no domain, stream or bucket sent to the engine first


@pytest.mark.parametrize("name", ["Rôle", "path/role"])
def test_a_role_name_iam_would_refuse_is_refused_at_config_time(name: str) -> None:
    with pytest.raises(ConfigError, match="spokeDeployRoleName"):
        StackConfig.from_values(_hub(spokeDeployRoleName=name), stack="test", region=REGION)


def test_a_spokes_first_reconcile_waits_for_the_hubs_backfill_role(packages_dir: Path) -> None:
    run = run_program(_hub(), offline_packages(packages_dir / "names-backfill"))
    invocation = key(
        "pulumi-python:dynamic/lambdalogs:LambdaInvocation",
        f"{SPOKES[0]}-{REGION}-subscriber-lifecycle",
    )
    backfill = [r for r in run.of_type("aws:iam/role:Role") if r.name.endswith("spoke-backfill")]
    assert backfill, [r.name for r in run.of_type("aws:iam/role:Role")]
    assert key(backfill[0].type, backfill[0].name) in run.depends_on[invocation]
