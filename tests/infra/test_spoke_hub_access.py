"""GIVEN a hub and a spoke given the hub's outputs WHEN the program runs under mocks THEN the hub's
bucket admits each spoke to its own architecture maps only, the hub's `<prefix>-spoke-backfill`
role may only PutRecordBatch into the hub's streams and only the spokes' subscriber roles may
assume it, and the spoke's subscriber gets exactly what it needs for both (parsed policies)."""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path
from typing import Any

import pytest

from infra.config_errors import ConfigError
from infra.stack_config import StackConfig
from tests.infra.conftest import (
    HUB_BACKFILL_ROLE,
    HUB_BUCKET,
    HUB_DEST,
    HUB_DEST_2,
    HUB_REGION,
    HUB_STREAMS,
    ORG,
    SPOKES,
)
from tests.infra.harness import (
    ACCOUNT,
    REGION,
    ProgramRun,
    base_config,
    offline_packages,
    run_program,
)
from tests.infra.policy_checks import (
    allowed_actions,
    assert_least_privilege,
    resources_for,
    statements,
)

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
FUNCTION = "aws:lambda/function:Function"
HUB_BUCKET_ARN = "arn:aws:s3:::lambda-logs-backup-0a1b2c3"  # the hub run's (harness naming)


def by_sid(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s.get("Sid", ""): s for s in statements(policy)}


# --- hub ---------------------------------------------------------------------------------------


def test_the_hub_bucket_admits_each_spoke_to_its_own_maps_only(hub_run: ProgramRun) -> None:
    policy = hub_run.one(BUCKET_POLICY).json("policy")
    found = by_sid(policy)
    own_prefix = f"{HUB_BUCKET_ARN}/architectures/${{aws:PrincipalAccount}}/*"
    accounts, organization = found["SpokeAccountMaps"], found["SpokeOrganizationMaps"]
    for statement in (accounts, organization):
        assert statement["Effect"] == "Allow"
        assert sorted(statement["Action"]) == ["s3:GetObject", "s3:PutObject"]
        assert statement["Resource"] == own_prefix  # the caller's own account, nothing else
    assert accounts["Principal"] == {"AWS": sorted(SPOKES)} and "Condition" not in accounts
    assert organization["Principal"] == {"AWS": "*"}
    assert organization["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    # AND the TLS-only denials still hold, and the hub owns whatever a spoke writes
    assert {"DenyInsecureTransport", "DenyOldTls"} <= set(found)
    rule = hub_run.one(OWNERSHIP).inputs["rule"]
    assert rule["objectOwnership"] == "BucketOwnerEnforced"


def test_a_standalone_bucket_admits_no_other_account(default_run: ProgramRun) -> None:
    policy = default_run.one(BUCKET_POLICY).json("policy")
    assert {s["Sid"] for s in statements(policy)} == {"DenyInsecureTransport", "DenyOldTls"}


def test_the_spoke_backfill_role_only_puts_into_the_hubs_streams(hub_run: ProgramRun) -> None:
    roles = [r for r in hub_run.of_type(ROLE) if r.name == "lambda-logs-hub-spoke-backfill"]
    assert len(roles) == 1
    assert roles[0].inputs["name"] == "lambda-logs-hub-spoke-backfill"
    assert roles[0].inputs["maxSessionDuration"] == 3600  # role chaining: an hour at most
    policy = next(
        p.json("policy")
        for p in hub_run.of_type(ROLE_POLICY)
        if p.name == "lambda-logs-hub-spoke-backfill"
    )
    assert_least_privilege(policy)
    assert allowed_actions(policy) == {"firehose:PutRecordBatch"}
    assert resources_for(policy, "firehose:PutRecordBatch") == {
        f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/lambda-logs-hub",
        f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/lambda-logs-hub-2",
    }
    assert hub_run.outputs["hubBackfillRoleArn"] == (
        f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-hub-spoke-backfill"
    )


def _tag(backfill_role_arn: str) -> str:
    """The hub's tag as docs/organisation.md states it, computed here independently."""
    return hashlib.sha256(backfill_role_arn.encode()).hexdigest()[:8]


def _backfill_trust(run: ProgramRun) -> list[dict[str, Any]]:
    role = next(r for r in run.of_type(ROLE) if r.name == "lambda-logs-hub-spoke-backfill")
    return statements(role.json("assumeRolePolicy"))


def test_only_the_spokes_subscriber_roles_may_assume_it(hub_run: ProgramRun) -> None:
    trust = _backfill_trust(hub_run)
    assert len(trust) == 2 and all(s["Action"] == "sts:AssumeRole" for s in trust)
    tag = _tag(f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-hub-spoke-backfill")
    subscriber_roles = f"arn:aws:iam::*:role/lambda-logs-spoke-subscriber-role-*-{tag}"
    for statement in trust:
        assert statement["Condition"]["ArnLike"] == {"aws:PrincipalArn": subscriber_roles}
    accounts = next(s for s in trust if s["Principal"] != {"AWS": "*"})
    assert accounts["Principal"] == {"AWS": sorted(SPOKES)}
    organization = next(s for s in trust if s["Principal"] == {"AWS": "*"})
    assert organization["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": ORG}


def _subscriber_role_name(run: ProgramRun) -> str:
    name: str = run.named("lambda-logs-spoke-subscriber-role").inputs["name"]
    return name


def test_the_hub_trusts_its_own_spokes_roles_and_not_another_hubs(
    hub_run: ProgramRun, spoke_run: ProgramRun, spoke_hub_run: ProgramRun
) -> None:
    # GIVEN spoke_run, a spoke of this hub (its destinations), and spoke_hub_run, a spoke of the
    # hub in account HUB_ACCOUNT
    ours, theirs = _subscriber_role_name(spoke_run), _subscriber_role_name(spoke_hub_run)
    for statement in _backfill_trust(hub_run):
        pattern = statement["Condition"]["ArnLike"]["aws:PrincipalArn"]
        for account in SPOKES:
            assert fnmatch.fnmatchcase(f"arn:aws:iam::{account}:role/{ours}", pattern)
            assert not fnmatch.fnmatchcase(f"arn:aws:iam::{account}:role/{theirs}", pattern)
        # the old, untagged names (a spoke not yet upgraded) are no longer trusted
        old = f"arn:aws:iam::{SPOKES[0]}:role/lambda-logs-spoke-subscriber-role-1a2b3c4"
        assert not fnmatch.fnmatchcase(old, pattern)


def test_the_hub_transformer_reads_the_maps_and_no_function(hub_run: ProgramRun) -> None:
    policy = next(p.json("policy") for p in hub_run.of_type(ROLE_POLICY) if "transformer" in p.name)
    assert not {a for a in allowed_actions(policy) if a.startswith("lambda:")}
    assert resources_for(policy, "s3:GetObject") == {f"{HUB_BUCKET_ARN}/architectures/*"}


# --- spoke -------------------------------------------------------------------------------------


def _spoke_policy(run: ProgramRun) -> dict[str, Any]:
    policy: dict[str, Any] = run.named("lambda-logs-spoke-subscriber-policy").json("policy")
    return policy


def _spoke_environment(run: ProgramRun) -> dict[str, str]:
    function = next(f for f in run.of_type(FUNCTION) if "subscriber" in f.name)
    variables: dict[str, str] = function.inputs["environment"]["variables"]
    return variables


def test_a_spoke_given_the_hubs_outputs_publishes_and_backfills_there(
    spoke_hub_run: ProgramRun,
) -> None:
    env = _spoke_environment(spoke_hub_run)
    assert env["ARCHITECTURE_BUCKET"] == HUB_BUCKET
    assert env["ARCHITECTURE_BUCKET_REGION"] == HUB_REGION
    assert env["BACKFILL_ROLE_ARN"] == HUB_BACKFILL_ROLE
    assert env["BACKFILL_STREAM_ARNS"] == ",".join(HUB_STREAMS)
    assert env["BACKFILL_LOOKBACK_HOURS"] == "24"  # no longer forced to 0
    policy = _spoke_policy(spoke_hub_run)
    assert_least_privilege(policy)
    assert resources_for(policy, "sts:AssumeRole") == {HUB_BACKFILL_ROLE}
    own_maps = f"arn:aws:s3:::{HUB_BUCKET}/architectures/{ACCOUNT}/*"
    assert resources_for(policy, "s3:PutObject") == {own_maps}
    assert resources_for(policy, "s3:GetObject") == {own_maps}
    assert resources_for(policy, "logs:FilterLogEvents") == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"
    }
    assert not {a for a in allowed_actions(policy) if a.startswith("firehose:")}


def test_the_spoke_subscribers_role_is_named_after_its_region_and_hub(
    spoke_hub_run: ProgramRun, spoke_run: ProgramRun
) -> None:
    # explicit, whatever Pulumi's auto-naming: the hub's tag from hubBackfillRoleArn
    assert _subscriber_role_name(spoke_hub_run) == (
        f"lambda-logs-spoke-subscriber-role-{REGION}-{_tag(HUB_BACKFILL_ROLE)}"
    )
    # without it, from the ARN the hub of its first destination gives that role (`<prefix>-dest`
    # in the hub's account: lambda-logs-hub in ACCOUNT)
    implied = f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-hub-spoke-backfill"
    assert HUB_DEST.endswith(f":{ACCOUNT}:destination:lambda-logs-hub-dest")
    assert _subscriber_role_name(spoke_run) == (
        f"lambda-logs-spoke-subscriber-role-{REGION}-{_tag(implied)}"
    )


def test_a_spoke_without_them_neither_publishes_nor_backfills(spoke_run: ProgramRun) -> None:
    env = _spoke_environment(spoke_run)
    assert env["BACKFILL_LOOKBACK_HOURS"] == "0"
    for name in ("ARCHITECTURE_BUCKET", "BACKFILL_ROLE_ARN", "BACKFILL_STREAM_ARNS"):
        assert name not in env
    actions = allowed_actions(_spoke_policy(spoke_run))
    assert not {a for a in actions if a.startswith(("s3:", "sts:", "firehose:"))}
    assert "logs:FilterLogEvents" not in actions


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"hubBucketName": HUB_BUCKET}, "hubStreamArns"),
        ({"hubBackfillRoleArn": HUB_BACKFILL_ROLE}, "hubStreamArns"),
        ({"hubStreamArns": HUB_STREAMS[0], "hubBucketName": HUB_BUCKET}, "1 streams for 2"),
        ({"hubStreamArns": "arn:aws:s3:::x"}, "hubStreamArns"),
        ({"hubStreamArns": ",".join(HUB_STREAMS), "hubBackfillRoleArn": "role/x"}, "hubBackfill"),
    ],
)
def test_a_spokes_hub_keys_are_checked(
    changes: dict[str, str], needle: str, tmp_path: Path
) -> None:
    values = {"deployment": "spoke", "hubDestinationArn": f"{HUB_DEST},{HUB_DEST_2}", **changes}
    with pytest.raises(ConfigError, match=needle):
        run_program(values, offline_packages(tmp_path))


def test_a_backfill_trust_too_large_for_iam_is_refused_at_config_time() -> None:
    def hub(accounts: int) -> StackConfig:
        ids = ",".join(f"{i:012d}" for i in range(accounts))
        values = {**base_config(), "deployment": "hub", "spokeAccountIds": ids}
        return StackConfig.from_values(values, stack="dev", region=REGION)

    assert len(hub(100).deployment.spoke_account_ids) == 100
    with pytest.raises(ConfigError, match=r"trust policy would be \d+ characters.*organizationId"):
        hub(130)
