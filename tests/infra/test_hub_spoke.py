"""GIVEN a hub or a spoke configuration WHEN the program runs under mocks THEN the hub has one
destination per spoke region and stream, admitting exactly the spokes, and the spoke holds only
what subscribes, pointed at the hub (docs/organisation.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config_errors import ConfigError
from infra.config_rules import MAX_REGIONS
from infra.stack_config import StackConfig
from infra.stack_names import MAX_SPOKE_REGIONS
from tests.infra.conftest import HUB_DEST, HUB_DEST_2, ORG, SPOKES
from tests.infra.harness import (
    ACCOUNT,
    REGION,
    ProgramRun,
    base_config,
    key,
    offline_packages,
    run_program,
)
from tests.infra.policy_checks import allowed_actions, assert_least_privilege, statements
from transformer.source_region import source_region

DESTINATION = "aws:cloudwatch/logDestination:LogDestination"
DESTINATION_POLICY = "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy"
PROVIDER = "pulumi:providers:aws"
FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
NOT_IN_A_SPOKE = (
    "aws:opensearch/domain:Domain",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
)


@pytest.fixture(scope="module")
def spoke_policy_run(packages_dir: Path) -> ProgramRun:
    values = {
        "deployment": "spoke",
        "subscriptionMode": "account-policy",
        "hubDestinationArn": f"{HUB_DEST},{HUB_DEST_2}",
    }
    return run_program(values, offline_packages(packages_dir / "spoke-policy"))


# --- hub -------------------------------------------------------------------------------------


def test_hub_has_one_destination_per_region_and_stream_in_that_region(hub_run: ProgramRun) -> None:
    # each in its region through the stack's own provider (its credentials and assumed roles)
    assert not [p for p in hub_run.of_type(PROVIDER) if p.name.startswith("lambda-logs-hub")]
    for type_ in (DESTINATION, DESTINATION_POLICY):
        for resource in hub_run.of_type(type_):
            assert resource.name.startswith(f"lambda-logs-hub-{resource.inputs['region']}-")
    assert {d.inputs["region"] for d in hub_run.of_type(DESTINATION)} == {REGION, "us-east-1"}
    found = {}
    for destination in hub_run.of_type(DESTINATION):
        parent = hub_run.parents[key(DESTINATION, destination.name)]
        assert parent == key("lambdalogs:hub:Destinations", "lambda-logs-hub")
        found[destination.name] = (destination.inputs["name"], destination.inputs["targetArn"])
    stream = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/lambda-logs-hub"
    assert found == {
        f"lambda-logs-hub-{region}-lambda-logs-hub-dest{suffix}": (
            f"lambda-logs-hub-dest{suffix}",
            f"{stream}{suffix}",
        )
        for region in (REGION, "us-east-1")
        for suffix in ("", "-2")
    }


def test_hub_destinations_output_is_each_regions_arns_in_stream_order(hub_run: ProgramRun) -> None:
    assert hub_run.outputs["hubDestinations"] == {
        region: (
            f"arn:aws:logs:{region}:{ACCOUNT}:destination:lambda-logs-hub-dest,"
            f"arn:aws:logs:{region}:{ACCOUNT}:destination:lambda-logs-hub-dest-2"
        )
        for region in (REGION, "us-east-1")
    }
    assert hub_run.outputs["streamNames"] == ["lambda-logs-hub", "lambda-logs-hub-2"]


def test_destination_policy_admits_the_accounts_and_the_organisation_only(
    hub_run: ProgramRun,
) -> None:
    policies = hub_run.of_type(DESTINATION_POLICY)
    assert len(policies) == 4
    for recorded in policies:
        policy = recorded.json("accessPolicy")
        name = recorded.inputs["destinationName"]
        region = "us-east-1" if "us-east-1" in recorded.name else REGION
        accounts, organisation = statements(policy)
        for statement in (accounts, organisation):
            assert statement["Effect"] == "Allow"
            assert statement["Action"] == ["logs:PutAccountPolicy", "logs:PutSubscriptionFilter"]
            assert statement["Resource"] == f"arn:aws:logs:{region}:{ACCOUNT}:destination:{name}"
        assert accounts["Principal"] == {"AWS": list(SPOKES)}
        assert "Condition" not in accounts
        assert organisation["Principal"] == {"AWS": "*"}
        assert organisation["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}


def test_destination_role_is_for_logs_of_its_region_into_the_hubs_streams(
    hub_run: ProgramRun,
) -> None:
    role = hub_run.one("aws:iam/role:Role", "lambda-logs-hub-us-east-1-role")
    (trust,) = statements(role.json("assumeRolePolicy"))
    assert trust["Principal"] == {"Service": "logs.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    # an organisation: any account, but only log groups of us-east-1
    assert trust["Condition"] == {"StringLike": {"aws:SourceArn": ["arn:aws:logs:us-east-1:*:*"]}}
    permissions = hub_run.one(ROLE_POLICY, "lambda-logs-hub-us-east-1-role").json("policy")
    assert_least_privilege(permissions)
    assert allowed_actions(permissions) == {"firehose:PutRecord", "firehose:PutRecordBatch"}
    (statement,) = statements(permissions)
    # the hub's two streams, and the names a lower or higher count gives (ten, exact)
    first = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/lambda-logs-hub"
    assert statement["Resource"] == [first, *(f"{first}-{i}" for i in range(2, 11))]


def test_accounts_only_hub_trusts_those_accounts_and_itself(packages_dir: Path) -> None:
    values = {**base_config(), "deployment": "hub", "spokeAccountIds": SPOKES[0]}
    run = run_program(values, offline_packages(packages_dir / "hub-accounts"))
    (destination,) = run.of_type(DESTINATION)
    assert destination.inputs["name"] == "lambda-logs-test-dest"
    (trust,) = statements(
        run.one("aws:iam/role:Role", f"lambda-logs-hub-{REGION}-role").json("assumeRolePolicy")
    )
    assert trust["Condition"] == {
        "StringLike": {
            "aws:SourceArn": [
                f"arn:aws:logs:{REGION}:{SPOKES[0]}:*",
                f"arn:aws:logs:{REGION}:{ACCOUNT}:*",
            ]
        }
    }
    (only,) = statements(run.one(DESTINATION_POLICY).json("accessPolicy"))
    assert only["Principal"] == {"AWS": [SPOKES[0]]}
    assert "Condition" not in only


def test_standalone_has_no_destination(default_run: ProgramRun) -> None:
    assert not default_run.of_type(DESTINATION)
    assert "hubDestinations" not in default_run.outputs


# --- spoke -----------------------------------------------------------------------------------


def test_spoke_creates_no_pipeline(spoke_run: ProgramRun) -> None:
    for type_ in NOT_IN_A_SPOKE:
        assert not spoke_run.of_type(type_), type_
    (function,) = spoke_run.of_type(FUNCTION)
    assert function.inputs["name"] == "lambda-logs-test-subscriber"
    assert spoke_run.outputs == {
        "subscriberFunctionName": "lambda-logs-test-subscriber",
        "hubDestinationArns": [HUB_DEST, HUB_DEST_2],
    }


def test_spoke_subscriber_points_at_the_hub_without_role_or_backfill(spoke_run: ProgramRun) -> None:
    env = spoke_run.one(FUNCTION).inputs["environment"]["variables"]
    assert env["DESTINATION_ARN"] == f"{HUB_DEST},{HUB_DEST_2}"
    assert "ROLE_ARN" not in env
    assert "BACKFILL_STATE_BUCKET" not in env
    assert env["BACKFILL_LOOKBACK_HOURS"] == "0"
    assert env["FILTER_NAME"] == "lambda-logs-test"


def test_spoke_subscriber_may_subscribe_only_to_the_hub(spoke_run: ProgramRun) -> None:
    policy = spoke_run.one(ROLE_POLICY, "lambda-logs-spoke-subscriber-policy").json("policy")
    assert_least_privilege(policy)
    actions = allowed_actions(policy)
    assert not {a for a in actions if a.startswith(("firehose:", "iam:", "s3:"))}
    assert "logs:FilterLogEvents" not in actions
    by_sid = {s["Sid"]: s for s in statements(policy)}
    assert by_sid["SubscribeToTheHub"]["Resource"] == [
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*",
        HUB_DEST,
        HUB_DEST_2,
    ]
    deny = by_sid["NeverSubscribeThePipeline"]
    assert deny["Effect"] == "Deny"
    assert deny["Resource"] == [
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/lambda-logs-pipeline/*"
    ]


def test_spoke_account_policy_points_at_the_first_hub_destination(
    spoke_policy_run: ProgramRun,
) -> None:
    assert not spoke_policy_run.of_type(FUNCTION)
    for type_ in NOT_IN_A_SPOKE:
        assert not spoke_policy_run.of_type(type_), type_
    policy = spoke_policy_run.one("aws:cloudwatch/logAccountPolicy:LogAccountPolicy")
    document = policy.json("policyDocument")
    assert document == {"DestinationArn": HUB_DEST, "FilterPattern": "", "Distribution": "Random"}
    assert spoke_policy_run.outputs == {"hubDestinationArns": [HUB_DEST, HUB_DEST_2]}
    # account policies take no emitSystemFields: the name tells the hub the groups' region
    # (transformer/source_region.py reads it back)
    assert policy.inputs["policyName"].endswith(f"-subscription-{REGION}")
    assert source_region({"subscriptionFilters": [policy.inputs["policyName"]]}, "x") == REGION


# --- configuration errors ----------------------------------------------------------------------


def _config(values: dict[str, str]) -> StackConfig:
    return StackConfig.from_values(values, stack="test", region=REGION)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"deployment": "hub"}, "neither organizationId nor spokeAccountIds"),
        ({"deployment": "hub", "organizationId": "o-short"}, "'organizationId' is 'o-short'"),
        ({"deployment": "hub", "spokeAccountIds": "1234"}, "'spokeAccountIds' is '1234'"),
        (
            {"deployment": "hub", "organizationId": ORG, "spokeRegions": "eu-west-1,moon-1"},
            "'spokeRegions' is",
        ),
        ({"deployment": "spoke"}, "'hubDestinationArn' is not set"),
        ({"deployment": "spoke", "hubDestinationArn": "arn:aws:firehose:x"}, "'hubDestinationArn'"),
    ],
)
def test_config_errors(values: dict[str, str], message: str) -> None:
    base = base_config() if values["deployment"] == "hub" else {}
    with pytest.raises(ConfigError, match="Fix it with: pulumi config set") as raised:
        _config({**base, **values})
    assert message in str(raised.value)


def test_too_many_spoke_regions_are_refused() -> None:
    assert MAX_REGIONS == MAX_SPOKE_REGIONS
    regions = ",".join(f"eu-west-{i}" for i in range(1, MAX_SPOKE_REGIONS + 2))
    with pytest.raises(ConfigError, match="spokeRegions"):
        _config(
            {**base_config(), "deployment": "hub", "organizationId": ORG, "spokeRegions": regions}
        )


def test_a_destination_in_another_region_is_refused_with_the_fix() -> None:
    other = HUB_DEST.replace(REGION, "us-east-1")
    with pytest.raises(ConfigError) as raised:
        _config({"deployment": "spoke", "hubDestinationArn": f"{HUB_DEST},{other}"})
    assert (
        "CloudWatch Logs requires the destination in the log groups' region: use the hub's "
        f'output hubDestinations["{REGION}"], or add {REGION} to the hub\'s spokeRegions'
    ) in str(raised.value)


def test_a_spoke_needs_no_domain_settings_but_a_hub_does() -> None:
    spoke = _config({"deployment": "spoke", "hubDestinationArn": HUB_DEST})
    assert spoke.domain.master_user_password is None
    assert spoke.deployment.hub_destination_arns == (HUB_DEST,)
    with pytest.raises(ConfigError, match="masterUserPassword"):
        _config({"deployment": "hub", "organizationId": ORG, "allowedCidrs": "198.51.100.7/32"})


def test_a_hub_serves_its_own_region_by_default() -> None:
    hub = _config({**base_config(), "deployment": "hub", "organizationId": ORG})
    assert hub.deployment.spoke_regions == (REGION,)
    assert hub.deployment.organization_id == ORG


def test_a_destination_policy_too_large_for_cloudwatch_logs_is_refused() -> None:
    fits = ",".join(f"{i:012d}" for i in range(100))
    hub = _config({**base_config(), "deployment": "hub", "spokeAccountIds": fits})
    assert len(hub.deployment.spoke_account_ids) == 100
    too_many = ",".join(f"{i:012d}" for i in range(400))
    with pytest.raises(ConfigError, match=r"'spokeAccountIds' lists 400 accounts.*organizationId"):
        _config({**base_config(), "deployment": "hub", "spokeAccountIds": too_many})


def test_a_spoke_masks_in_its_own_account(packages_dir: Path) -> None:
    values = {"deployment": "spoke", "hubDestinationArn": HUB_DEST, "maskSensitiveData": "true"}
    run = run_program(values, offline_packages(packages_dir / "spoke-masked"))
    policies = run.of_type("aws:cloudwatch/logAccountPolicy:LogAccountPolicy")
    assert [p.inputs["policyType"] for p in policies] == ["DATA_PROTECTION_POLICY"]


def test_the_hubs_destinations_are_protected_unless_destroyable(
    hub_run: ProgramRun, packages_dir: Path
) -> None:
    # GIVEN a hub as deployed: every destination protected, so a destroy fails at them while
    # spokes may still point at them (docs/organisation.md, "Destroying")
    destinations = {key(r.type, r.name) for r in hub_run.of_type(DESTINATION)}
    assert len(destinations) == 4  # 2 regions x 2 streams
    assert destinations <= hub_run.protected
    assert not any("FirehoseDeliveryStream" in name for name in hub_run.protected)
    # WHEN the operator sets hubDestroyable after destroying the spokes
    values = {
        **base_config(),
        "deployment": "hub",
        "resourcePrefix": "lambda-logs-hub",
        "spokeRegions": "us-east-1",
        "spokeAccountIds": SPOKES[0],
        "hubDestroyable": "true",
    }
    run = run_program(values, offline_packages(packages_dir / "hub-destroyable"))
    # THEN nothing is protected any more
    assert run.of_type(DESTINATION)
    assert not run.protected
