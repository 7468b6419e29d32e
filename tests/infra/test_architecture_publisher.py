"""GIVEN account-policy mode (no subscriber) WHEN the program runs under mocks THEN an hourly
architecture publisher exists (`subscriptions.publish_only.handler`, the subscriber's package):
its schedule, its least-privilege policy (ListFunctions, its one map key, its own logs), its
reserved log group excluded from the account policy by name; a spoke's writes to the hub's
bucket; reconciler mode has none (the subscriber publishes)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any, Final

import pytest

from infra.content_applier import log_group_name as applier_log_group
from infra.stack_names import StackNames
from lambda_shared.environment import architecture_map_key
from tests.infra.conftest import HUB_BUCKET, HUB_DEST, HUB_REGION, HUB_STREAMS
from tests.infra.harness import ACCOUNT, REGION, ProgramRun, key, offline_packages, run_program
from tests.infra.policy_checks import assert_least_privilege, lint, statements

FUNCTION: Final = "aws:lambda/function:Function"
RULE: Final = "aws:cloudwatch/eventRule:EventRule"
TARGET: Final = "aws:cloudwatch/eventTarget:EventTarget"
PERMISSION: Final = "aws:lambda/permission:Permission"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
ACCOUNT_POLICY: Final = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
PUBLISHER: Final = "lambda-logs-architectures"
OWN: Final = "/lambda-logs-pipeline/lambda-logs-test"
MAP_KEY: Final = architecture_map_key(ACCOUNT, REGION)
BUCKET: Final = "lambda-logs-backup-0a1b2c3"  # the mocks' name for the pipeline's bucket


@pytest.fixture(scope="module")
def spoke_publisher_run(packages_dir: Path) -> ProgramRun:
    """An account-policy spoke given the hub's bucket and streams."""
    values = {
        "deployment": "spoke",
        "subscriptionMode": "account-policy",
        "hubDestinationArn": HUB_DEST,
        "hubStreamArns": HUB_STREAMS[0],
        "hubBucketName": HUB_BUCKET,
    }
    return run_program(values, offline_packages(packages_dir / "spoke-publisher"))


def publisher_policy(run: ProgramRun, prefix: str = "lambda-logs") -> dict[str, Any]:
    policy: dict[str, Any] = run.one(ROLE_POLICY, f"{prefix}-architectures-policy").json("policy")
    return policy


def test_the_publisher_is_the_publish_only_entry_of_the_subscriber_package(
    byo_policy_run: ProgramRun,
) -> None:
    function = byo_policy_run.one(FUNCTION, PUBLISHER).inputs
    assert function["name"] == "lambda-logs-test-architectures"
    assert function["handler"] == "subscriptions.publish_only.handler"
    assert function["code"].path.endswith("subscriber.zip")
    assert function["environment"]["variables"] == {
        "ARCHITECTURE_BUCKET": BUCKET,
        "FILTER_API_QUOTA_PERCENT": "40",  # its ListFunctions walk's share of Lambda's quota
    }
    assert function["loggingConfig"] == {"logFormat": "Text", "logGroup": f"{OWN}/architectures"}
    # its paced ListFunctions walk may take most of Lambda's longest timeout (PUBLISHER_SIZE)
    assert function["timeout"] == 900 and function["memorySize"] == 128


def test_it_runs_every_hour_from_its_own_rule(byo_policy_run: ProgramRun) -> None:
    rule = byo_policy_run.one(RULE, f"{PUBLISHER}-schedule").inputs
    assert rule["scheduleExpression"] == "rate(1 hour)"
    assert "eventPattern" not in rule or not rule["eventPattern"]
    target = byo_policy_run.one(TARGET, f"{PUBLISHER}-schedule").inputs
    assert (
        target["arn"]
        == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lambda-logs-test-architectures"
    )
    permission = byo_policy_run.one(PERMISSION, f"{PUBLISHER}-schedule").inputs
    assert permission["principal"] == "events.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["sourceArn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{PUBLISHER}-schedule"
    deps = byo_policy_run.depends_on[key(TARGET, f"{PUBLISHER}-schedule")]
    assert key(PERMISSION, f"{PUBLISHER}-schedule") in deps


def test_its_policy_is_list_functions_its_one_map_key_and_its_own_logs(
    byo_policy_run: ProgramRun,
) -> None:
    policy = publisher_policy(byo_policy_run)
    assert_least_privilege(policy)
    found = {s["Sid"]: (s["Action"], s["Resource"]) for s in statements(policy)}
    assert found == {
        "ListFunctions": (["lambda:ListFunctions"], ["*"]),
        "PublishArchitectureMap": (
            ["s3:GetObject", "s3:PutObject"],
            [f"arn:aws:s3:::{BUCKET}/{MAP_KEY}"],
        ),
        "OwnLogs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{OWN}/architectures:*"],
        ),
    }


def test_the_account_policy_never_ships_the_pipelines_own_functions_logs(
    byo_policy_run: ProgramRun,
) -> None:
    names = StackNames("lambda-logs-test")
    assert applier_log_group(names) == names.content_applier_log_group
    criteria = byo_policy_run.one(ACCOUNT_POLICY).inputs["selectionCriteria"]
    excluded = json.loads(criteria.removeprefix("LogGroupName NOT IN "))
    function_groups = {
        f.inputs["loggingConfig"]["logGroup"] for f in byo_policy_run.of_type(FUNCTION)
    }
    assert function_groups <= set(excluded)
    assert {names.architecture_publisher_log_group, names.content_applier_log_group} <= set(
        excluded
    )


def test_reconciler_mode_has_no_publisher(default_run: ProgramRun) -> None:
    names = {f.inputs["name"] for f in default_run.of_type(FUNCTION)}
    assert names == {"lambda-logs-test-transformer", "lambda-logs-test-subscriber"}
    assert all(
        r.inputs.get("scheduleExpression") != "rate(1 hour)" for r in default_run.of_type(RULE)
    )


# A spoke without `hubBucketName` has no publisher (nowhere to write): no function at all
# (tests/infra/test_hub_spoke.py, test_spoke_account_policy_points_at_the_first_hub_destination).


def test_a_spokes_publisher_writes_its_map_into_the_hubs_bucket(
    spoke_publisher_run: ProgramRun,
) -> None:
    function = spoke_publisher_run.one(FUNCTION, "lambda-logs-spoke-architectures").inputs
    assert function["environment"]["variables"] == {
        "ARCHITECTURE_BUCKET": HUB_BUCKET,
        "ARCHITECTURE_BUCKET_REGION": HUB_REGION,
        "FILTER_API_QUOTA_PERCENT": "40",
    }
    policy = publisher_policy(spoke_publisher_run, "lambda-logs-spoke")
    assert_least_privilege(policy)
    # its own account's key, as the hub's bucket policy admits (architectures/<account>/*)
    s3 = next(s for s in statements(policy) if s["Sid"] == "PublishArchitectureMap")
    assert s3["Resource"] == [f"arn:aws:s3:::{HUB_BUCKET}/architectures/{ACCOUNT}/{REGION}.json.gz"]


@pytest.mark.skipif(
    importlib.util.find_spec("parliament") is None, reason="parliament is not installed"
)
def test_the_spokes_publisher_policy_lints_clean(spoke_publisher_run: ProgramRun) -> None:
    assert lint("spoke-publisher", publisher_policy(spoke_publisher_run, "lambda-logs-spoke")) == []
