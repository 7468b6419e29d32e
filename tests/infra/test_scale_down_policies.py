"""GIVEN a stack (or a hub) with 3 delivery streams, then 1 WHEN the program runs under mocks THEN
the role CloudWatch Logs delivers with (the logs role; a hub's destinations' roles) allows the
same ten exact stream names both times: lowering `deliveryStreams` revokes nothing while filters
still point at a stream being removed (docs/scale.md), and the policy stays within IAM's limit."""

from __future__ import annotations

from typing import Any, Final

import pytest

from lambda_shared.stream_names import MAX_DELIVERY_STREAMS
from tests.infra.harness import (
    ACCOUNT,
    REGION,
    ProgramRun,
    base_config,
    offline_packages,
    run_program,
)
from tests.infra.policy_checks import assert_least_privilege, resources_for, statements

ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
DELIVERY: Final = ("firehose:PutRecord", "firehose:PutRecordBatch")
ROLE_POLICY_MAX_CHARS: Final = 10_240
"""AWS, IAM and AWS STS quotas: "Role policy size cannot exceed 10,240 characters" (the
aggregate of a role's inline policies; whitespace excluded, here counted in)."""


def _every(prefix: str) -> set[str]:
    first = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{prefix}"
    return {first, *(f"{first}-{i}" for i in range(2, MAX_DELIVERY_STREAMS + 1))}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ProgramRun]:
    """A standalone stack and a hub (two regions), each at 3 streams and at 1."""
    found = {}
    for streams in ("3", "1"):
        packages = offline_packages(tmp_path_factory.mktemp(f"standalone-{streams}"))
        found[f"standalone-{streams}"] = run_program(
            {**base_config(), "deliveryStreams": streams}, packages
        )
        hub = {
            **base_config(),
            "deployment": "hub",
            "resourcePrefix": "lambda-logs-hub",
            "deliveryStreams": streams,
            "spokeRegions": f"{REGION},us-east-1",
            "spokeAccountIds": "111111111111",
        }
        packages = offline_packages(tmp_path_factory.mktemp(f"hub-{streams}"))
        found[f"hub-{streams}"] = run_program(hub, packages)
    return found


def _delivery_policy(run: ProgramRun, name: str) -> dict[str, Any]:
    recorded = run.one(ROLE_POLICY, name)
    assert len(recorded.inputs["policy"]) <= ROLE_POLICY_MAX_CHARS
    policy: dict[str, Any] = recorded.json("policy")
    assert_least_privilege(policy)
    (statement,) = statements(policy)
    assert sorted(statement["Action"]) == list(DELIVERY)
    assert not any("*" in arn for arn in statement["Resource"])  # exact names only
    return policy


@pytest.mark.parametrize("streams", ["3", "1"])
def test_the_logs_role_keeps_every_stream_name_the_stack_could_have(
    runs: dict[str, ProgramRun], streams: str
) -> None:
    policy = _delivery_policy(runs[f"standalone-{streams}"], "lambda-logs-delivery-logs")
    for action in DELIVERY:
        assert resources_for(policy, action) == _every("lambda-logs-test")


@pytest.mark.parametrize("streams", ["3", "1"])
@pytest.mark.parametrize("region", [REGION, "us-east-1"])
def test_each_destination_role_keeps_every_stream_name_the_hub_could_have(
    runs: dict[str, ProgramRun], streams: str, region: str
) -> None:
    policy = _delivery_policy(runs[f"hub-{streams}"], f"lambda-logs-hub-{region}-role")
    for action in DELIVERY:
        assert resources_for(policy, action) == _every("lambda-logs-hub")


def test_lowering_the_count_leaves_the_delivery_policies_unchanged(
    runs: dict[str, ProgramRun],
) -> None:
    # the same document at 3 streams and at 1: Pulumi has no policy update to make early in the
    # `pulumi up` that removes streams, so nothing is revoked before the filters have moved
    for stack, policy in (
        ("standalone", "lambda-logs-delivery-logs"),
        ("hub", f"lambda-logs-hub-{REGION}-role"),
    ):
        three = runs[f"{stack}-3"].one(ROLE_POLICY, policy).inputs["policy"]
        assert runs[f"{stack}-1"].one(ROLE_POLICY, policy).inputs["policy"] == three
