"""The account-policy mode's document and selection criteria (pure)."""

from __future__ import annotations

import json

import pytest

from infra.account_policy import AccountPolicyError, build_account_subscription_policy

STREAM = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/lambda-logs"
ROLE = "arn:aws:iam::123456789012:role/cwl-to-firehose"


def test_builds_the_document_and_excludes_the_pipeline_groups_by_exact_name() -> None:
    # GIVEN the pipeline's own groups (one repeated)
    groups = [
        "/aws/lambda/transformer",
        "/aws/kinesisfirehose/lambda-logs",
        "/aws/lambda/subscriber",
        "/aws/lambda/transformer",
    ]

    # WHEN the policy is built
    policy = build_account_subscription_policy(STREAM, ROLE, "", groups)

    # THEN the document names the stream, role and pattern, and the criteria exclude each once
    assert policy.policy_type == "SUBSCRIPTION_FILTER_POLICY"
    assert json.loads(policy.policy_document) == {
        "DestinationArn": STREAM,
        "RoleArn": ROLE,
        "FilterPattern": "",
        "Distribution": "Random",
    }
    assert policy.selection_criteria == (
        'LogGroupName NOT IN ["/aws/kinesisfirehose/lambda-logs", "/aws/lambda/subscriber", '
        '"/aws/lambda/transformer"]'
    )


@pytest.mark.parametrize(
    ("groups", "says"),
    [
        ([], "empty"),
        (["/aws/lambda/tmp-*"], "no globs"),
        ([f"/aws/lambda/{'f' * 480}-{i}" for i in range(60)], "25600-byte limit"),
    ],
)
def test_refuses_what_the_account_policy_cannot_express(groups: list[str], says: str) -> None:
    with pytest.raises(AccountPolicyError, match=says):
        build_account_subscription_policy(STREAM, ROLE, "", groups)
