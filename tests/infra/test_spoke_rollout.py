"""GIVEN a hub with `spokeDeployAccountIds` WHEN the program runs under mocks THEN it deploys a
spoke into every listed account and spoke region, each through its own provider assuming the
deploy role there, pointed at the hub's destinations of its region, created after them and
deleted before them (docs/organisation.md, "One pulumi up for the whole organisation")."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from infra.config_errors import ConfigError
from infra.stack_config import StackConfig
from tests.infra import harness
from tests.infra.conftest import ORG, SPOKES
from tests.infra.harness import (
    ACCOUNT,
    REGION,
    ProgramRun,
    RecordingMocks,
    base_config,
    key,
    offline_packages,
    run_program,
)
from tests.infra.policy_checks import statements

PROVIDER = "pulumi:providers:aws"
SPOKE = "lambdalogs:spoke:Spoke"
FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
INVOCATION = "pulumi-python:dynamic/lambdalogs:LambdaInvocation"
DESTINATION = "aws:cloudwatch/logDestination:LogDestination"
DESTINATION_POLICY = "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy"
REGIONS = (REGION, "us-east-1")
PREFIX = "lambda-logs-hub"


@dataclass
class RolloutRun:
    run: ProgramRun
    providers: dict[str, str] = field(default_factory=dict)
    """`type::name` → the provider reference the engine was given for it ("" for none)."""


def _run(values: dict[str, str], packages: Path) -> RolloutRun:
    used: dict[str, str] = {}

    class ProviderRecordingMocks(RecordingMocks):
        def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:
            used[key(args.typ, args.name)] = args.provider or ""
            return super().new_resource(args)

    with mock.patch.object(harness, "RecordingMocks", ProviderRecordingMocks):
        run = run_program(values, offline_packages(packages))
    return RolloutRun(run, used)


def _hub(**extra: str) -> dict[str, str]:
    return {
        **base_config(),
        "deployment": "hub",
        "resourcePrefix": PREFIX,
        "deliveryStreams": "2",
        "spokeRegions": ",".join(REGIONS),
        "spokeDeployAccountIds": ",".join(SPOKES),
        **extra,
    }


@pytest.fixture(scope="module")
def rollout(packages_dir: Path) -> RolloutRun:
    """Two member accounts x two spoke regions, reconciler mode, no organisation."""
    return _run(_hub(), packages_dir / "rollout")


def _where(account: str, region: str) -> str:
    """The provider's name."""
    return f"lambda-logs-rollout-{account}-{region}"


def _spoke(account: str, region: str) -> str:
    """The spoke's name, the prefix of its resources' (short: infra/spoke_rollout.py)."""
    return f"{account}-{region}"


def _pairs() -> Iterator[tuple[str, str]]:
    yield from ((account, region) for account in SPOKES for region in REGIONS)


def test_one_provider_per_account_and_region_assuming_the_deploy_role(
    rollout: RolloutRun,
) -> None:
    providers = {p.name: p.inputs for p in rollout.run.of_type(PROVIDER)}
    # no external id in the chain: nothing to hide, the state stays readable
    assert not any(
        harness.is_secret(p.raw_inputs["assumeRoles"]) for p in rollout.run.of_type(PROVIDER)
    )
    assert set(providers) == {_where(a, r) for a, r in _pairs()}
    for account, region in _pairs():
        inputs = providers[_where(account, region)]
        assert inputs["region"] == region
        assert json.loads(inputs["allowedAccountIds"]) == [account]
        (assumed,) = json.loads(inputs["assumeRoles"])
        assert assumed["roleArn"] == f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        assert assumed["sessionName"] == "lambda-logs-spoke-rollout"


def test_every_resource_of_a_spoke_uses_its_accounts_provider(rollout: RolloutRun) -> None:
    run = rollout.run
    for account, region in _pairs():
        spoke = key(SPOKE, _spoke(account, region))
        inside = [k for k in run.parents if _descends(run, k, spoke)]
        custom = [k for k in inside if k.split("::")[0].startswith("aws:")]
        assert len(custom) >= 10, custom  # role, policy, log group, function, rules, ...
        provider_urn = f"$pulumi:providers:aws::{_where(account, region)}::"
        for resource in custom:
            assert provider_urn in rollout.providers[resource], resource
    # the hub's own resources stay on the stack's default provider
    for destination in run.of_type(DESTINATION):
        assert "lambda-logs-rollout" not in rollout.providers[key(DESTINATION, destination.name)]


def _descends(run: ProgramRun, child: str, ancestor: str) -> bool:
    parent = run.parents.get(child)
    while parent is not None:
        if parent == ancestor:
            return True
        parent = run.parents.get(parent)
    return False


def _subscriber(run: ProgramRun, account: str, region: str) -> Any:
    return run.one(FUNCTION, f"{_spoke(account, region)}-subscriber")


def test_each_subscriber_sends_to_the_hubs_destinations_of_its_region(rollout: RolloutRun) -> None:
    run = rollout.run
    for account, region in _pairs():
        env = _subscriber(run, account, region).inputs["environment"]["variables"]
        assert env["DESTINATION_ARN"] == (
            f"arn:aws:logs:{region}:{ACCOUNT}:destination:{PREFIX}-dest,"
            f"arn:aws:logs:{region}:{ACCOUNT}:destination:{PREFIX}-dest-2"
        )
        assert env["BACKFILL_ROLE_ARN"] == f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-spoke-backfill"
        assert env["BACKFILL_STREAM_ARNS"] == ",".join(run.outputs["streamArns"])
        assert env["ARCHITECTURE_BUCKET"] == run.outputs["bucketName"]
        assert env["ARCHITECTURE_BUCKET_REGION"] == REGION  # the hub's, where its bucket is
        assert "ROLE_ARN" not in env


def test_the_hubs_derived_arns_are_those_it_creates(rollout: RolloutRun) -> None:
    # the spokes are given ARNs built from the hub's names: they must be the hub's outputs
    run = rollout.run
    backfill = run.one("aws:iam/role:Role", f"{PREFIX}-spoke-backfill").inputs["name"]
    assert run.outputs["hubBackfillRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{backfill}"
    for account, region in _pairs():
        env = _subscriber(run, account, region).inputs["environment"]["variables"]
        assert env["DESTINATION_ARN"] == run.outputs["hubDestinations"][region]
        assert env["BACKFILL_ROLE_ARN"] == run.outputs["hubBackfillRoleArn"]


def test_subscriber_policy_scopes_the_member_account_and_the_hubs_bucket(
    rollout: RolloutRun,
) -> None:
    run = rollout.run
    account, region = SPOKES[1], "us-east-1"
    policy = run.one(
        "aws:iam/rolePolicy:RolePolicy", f"{_spoke(account, region)}-subscriber-policy"
    )
    by_sid = {s["Sid"]: s for s in statements(policy.json("policy"))}
    assert by_sid["SubscribeToTheHub"]["Resource"] == [
        f"arn:aws:logs:{region}:{account}:log-group:*",
        f"arn:aws:logs:{region}:{ACCOUNT}:destination:{PREFIX}-dest",
        f"arn:aws:logs:{region}:{ACCOUNT}:destination:{PREFIX}-dest-2",
    ]
    published = [s for s in by_sid.values() if run.outputs["bucketName"] in json.dumps(s)]
    assert published and f"architectures/{account}/" in json.dumps(published)


def _tag(backfill_role_arn: str) -> str:
    """The hub's tag as docs/organisation.md states it, computed here independently."""
    return hashlib.sha256(backfill_role_arn.encode()).hexdigest()[:8]


def _backfill_role(run: ProgramRun) -> Any:
    (backfill,) = [r for r in run.of_type(ROLE) if r.name.endswith("-spoke-backfill")]
    return backfill


def _backfill_arn(run: ProgramRun) -> str:
    """The ARN AWS gives the hub's backfill role (named, no path), from its name input: the
    mocks derive a role's ARN output from its logical name instead."""
    return f"arn:aws:iam::{ACCOUNT}:role/{_backfill_role(run).inputs['name']}"


def _trusted(run: ProgramRun) -> str:
    """The `aws:PrincipalArn` pattern of the hub's backfill role's only trust statement."""
    (trust,) = statements(_backfill_role(run).json("assumeRolePolicy"))
    return str(trust["Condition"]["ArnLike"]["aws:PrincipalArn"])


def _subscriber_role_names(run: ProgramRun) -> dict[str, str]:
    """`<account>/<region>` → the rolled-out subscriber role's explicit name."""
    rolled_out = {r.name for r in run.of_type(SPOKE)}
    names: dict[str, str] = {}
    for account, region in _pairs():
        if _spoke(account, region) in rolled_out:
            role = run.one(ROLE, f"{_spoke(account, region)}-subscriber-role")
            names[f"{account}/{region}"] = role.inputs["name"]
    return names


def test_subscriber_roles_are_named_with_the_hubs_tag_and_trusted_by_it(
    rollout: RolloutRun,
) -> None:
    run = rollout.run
    (trust,) = statements(_backfill_role(run).json("assumeRolePolicy"))
    tag = _tag(_backfill_arn(run))
    pattern = _trusted(run)
    assert pattern == f"arn:aws:iam::*:role/lambda-logs-spoke-subscriber-role-*-{tag}"
    names = _subscriber_role_names(run)
    assert set(names) == {f"{account}/{region}" for account, region in _pairs()}
    for account, region in _pairs():
        name = names[f"{account}/{region}"]
        assert name == f"lambda-logs-spoke-subscriber-role-{region}-{tag}"
        assert fnmatch.fnmatchcase(f"arn:aws:iam::{account}:role/{name}", pattern)
    assert trust["Principal"] == {"AWS": list(SPOKES)}


def test_two_hubs_give_the_same_account_and_region_two_role_names(
    rollout: RolloutRun, packages_dir: Path
) -> None:
    other = _run(
        _hub(resourcePrefix="lambda-logs-b", spokeRegions=REGION, spokeDeployAccountIds=SPOKES[0]),
        packages_dir / "rollout-other-hub",
    ).run
    where = f"{SPOKES[0]}/{REGION}"
    ours, theirs = _subscriber_role_names(rollout.run)[where], _subscriber_role_names(other)[where]
    assert ours != theirs  # IAM role names are per account: both can exist side by side
    assert theirs == f"lambda-logs-spoke-subscriber-role-{REGION}-{_tag(_backfill_arn(other))}"
    # AND neither hub's backfill role admits the other hub's spokes, each its own
    for run, own, foreign in ((rollout.run, ours, theirs), (other, theirs, ours)):
        assert fnmatch.fnmatchcase(f"arn:aws:iam::{SPOKES[0]}:role/{own}", _trusted(run))
        assert not fnmatch.fnmatchcase(f"arn:aws:iam::{SPOKES[0]}:role/{foreign}", _trusted(run))


def test_a_hand_run_spoke_of_the_same_hub_gets_the_rolled_out_name(
    rollout: RolloutRun, spoke_run: ProgramRun, packages_dir: Path
) -> None:
    # GIVEN a spoke stack run by hand with the rolled-out hub's outputs for its region
    outputs = rollout.run.outputs
    hand_run = run_program(
        {
            "deployment": "spoke",
            "hubDestinationArn": outputs["hubDestinations"][REGION],
            "hubStreamArns": ",".join(outputs["streamArns"]),
            "hubBackfillRoleArn": _backfill_arn(rollout.run),  # its output hubBackfillRoleArn
        },
        offline_packages(packages_dir / "rollout-hand-run-spoke"),
    )
    rolled_out = _subscriber_role_names(rollout.run)[f"{SPOKES[0]}/{REGION}"]
    # THEN its subscriber role has the very name the roll-out gives that account and region (so
    # the two collide on it: IAM EntityAlreadyExists), with or without hubBackfillRoleArn
    (hand_role,) = [r for r in hand_run.of_type(ROLE) if r.name.endswith("-subscriber-role")]
    assert hand_role.inputs["name"] == rolled_out
    (bare_role,) = [r for r in spoke_run.of_type(ROLE) if r.name.endswith("-subscriber-role")]
    env = spoke_run.one(FUNCTION).inputs["environment"]["variables"]  # of the same hub:
    assert env["DESTINATION_ARN"] == outputs["hubDestinations"][REGION]
    assert bare_role.inputs["name"] == rolled_out


def test_invocations_assume_the_role_and_wait_for_the_hubs_destinations(
    rollout: RolloutRun,
) -> None:
    run = rollout.run
    for account, region in _pairs():
        name = f"{_spoke(account, region)}-subscriber-lifecycle"
        invocation = run.one(INVOCATION, name)
        assert invocation.inputs["assume_role_arn"] == (
            f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        )
        assert invocation.inputs["region"] == region
        deps = run.depends_on[key(INVOCATION, name)]
        hub = {
            key(type_, f"lambda-logs-hub-{region}-{PREFIX}-dest{suffix}")
            for type_ in (DESTINATION, DESTINATION_POLICY)
            for suffix in ("", "-2")
        }
        assert hub <= deps, hub - deps
        # its first reconcile writes its map into the hub's bucket: the policy admitting it first
        assert key("aws:s3/bucketPolicy:BucketPolicy", "lambda-logs-backup-tls-only") in deps
        other = "us-east-1" if region == REGION else REGION
        assert not {d for d in deps if f"::lambda-logs-hub-{other}-" in d}


def test_the_hubs_own_invocation_is_unchanged(rollout: RolloutRun) -> None:
    spokes = tuple(_spoke(a, r) for a, r in _pairs())
    own = [r for r in rollout.run.of_type(INVOCATION) if not r.name.startswith(spokes)]
    assert own
    for invocation in own:
        assert "assume_role_arn" not in invocation.inputs


def test_destination_policies_admit_the_deployed_accounts(rollout: RolloutRun) -> None:
    policies = rollout.run.of_type(DESTINATION_POLICY)
    assert len(policies) == 4
    for recorded in policies:
        (only,) = statements(recorded.json("accessPolicy"))
        assert only["Principal"] == {"AWS": list(SPOKES)}


def test_rolled_out_spokes_output(rollout: RolloutRun) -> None:
    assert rollout.run.outputs["rolledOutSpokes"] == {
        f"{account}/{region}": f"{PREFIX}-subscriber" for account, region in _pairs()
    }


def test_account_policy_spokes_and_a_custom_role(packages_dir: Path) -> None:
    values = _hub(
        spokeRegions=REGION,
        spokeDeployAccountIds=SPOKES[0],
        subscriptionMode="account-policy",
        spokeDeployRoleName="AWSControlTowerExecution",
        organizationId=ORG,
    )
    rolled = _run(values, packages_dir / "rollout-policy")
    run = rolled.run
    assert run.outputs["rolledOutSpokes"] == {f"{SPOKES[0]}/{REGION}": "account-policy"}
    (provider,) = run.of_type(PROVIDER)
    (assumed,) = json.loads(provider.inputs["assumeRoles"])
    assert assumed["roleArn"] == f"arn:aws:iam::{SPOKES[0]}:role/AWSControlTowerExecution"
    name = f"{_spoke(SPOKES[0], REGION)}-account-policy"
    policies = run.of_type("aws:cloudwatch/logAccountPolicy:LogAccountPolicy")
    (spoke_policy,) = [p for p in policies if p.name.startswith(name)]
    assert spoke_policy.json("policyDocument")["DestinationArn"] == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:destination:{PREFIX}-dest"
    )
    assert _where(SPOKES[0], REGION) in rolled.providers[key(spoke_policy.type, spoke_policy.name)]
    deps = run.depends_on[key(spoke_policy.type, spoke_policy.name)]
    assert key(DESTINATION, f"lambda-logs-hub-{REGION}-{PREFIX}-dest") in deps
    # an organisation admits its members: the deployed account is not listed as well
    for recorded in run.of_type(DESTINATION_POLICY):
        assert all("Condition" in s for s in statements(recorded.json("accessPolicy")))


def test_no_rollout_without_the_key(hub_run: ProgramRun) -> None:
    assert not hub_run.of_type(SPOKE)
    assert "rolledOutSpokes" not in hub_run.outputs


# --- configuration errors --------------------------------------------------------------------


def _config(values: dict[str, str]) -> StackConfig:
    return StackConfig.from_values(values, stack="test", region=REGION)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"spokeDeployAccountIds": SPOKES[0]}, "'deployment' is standalone: only a hub"),
        (
            {
                "deployment": "spoke",
                "hubDestinationArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:destination:d",
                "spokeDeployAccountIds": SPOKES[0],
            },
            "'deployment' is spoke: only a hub",
        ),
        (_hub(spokeDeployAccountIds="1234"), "'spokeDeployAccountIds' is '1234'"),
        (
            _hub(spokeDeployAccountIds=f"{SPOKES[0]},{SPOKES[0]}"),
            f"'spokeDeployAccountIds' is '{SPOKES[0]},{SPOKES[0]}'",
        ),
        (_hub(spokeDeployRoleName="no spaces"), "'spokeDeployRoleName' is 'no spaces'"),
        (_hub(spokeDeployRoleName="r" * 65), "'spokeDeployRoleName' is 'rrr"),
    ],
)
def test_config_errors(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match="Fix it with: pulumi config set") as raised:
        _config(values)
    assert message in str(raised.value)


def test_the_keys_defaults() -> None:
    hub = _config(_hub(spokeAccountIds="999988887777"))
    assert hub.deployment.spoke_deploy_role_name == "OrganizationAccountAccessRole"
    assert hub.deployment.spoke_deploy_account_ids == SPOKES
    assert hub.deployment.spoke_account_ids == ("999988887777", *SPOKES)
    off = _config({**base_config(), "deployment": "hub", "organizationId": ORG})
    assert off.deployment.spoke_deploy_account_ids == ()
