"""GIVEN the account's account-level subscription filter policies WHEN an account-policy stack is
deployed THEN another stack's policy (CloudWatch allows one per account and Region) is named with
the two ways out, before anything is created; the stack's own policy is no conflict."""

from __future__ import annotations

import json
from unittest import mock

from infra.account_policy_check import (
    check_account_policy,
    policy_conflict,
    read_subscription_policies,
)

REGION = "eu-west-1"
OWN = "prod-subscription"
STREAM = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/other"


def _policy(name: str) -> dict[str, str]:
    return {
        "policyName": name,
        "policyType": "SUBSCRIPTION_FILTER_POLICY",
        "policyDocument": json.dumps({"DestinationArn": STREAM, "FilterPattern": ""}),
    }


def test_no_policy_or_only_our_own_is_no_conflict() -> None:
    assert policy_conflict([], OWN, REGION) is None
    assert policy_conflict([_policy(OWN)], OWN, REGION) is None


def test_another_stacks_policy_is_named_with_the_way_out() -> None:
    error = policy_conflict([_policy(OWN), _policy("staging-subscription")], OWN, REGION)
    assert error is not None
    assert "'staging-subscription'" in error and STREAM in error
    assert "one per account and Region" in error
    assert "pulumi config set subscriptionMode reconciler" in error
    assert "aws logs delete-account-policy --policy-name staging-subscription" in error


def test_an_unreadable_document_still_names_the_policy() -> None:
    broken = {**_policy("other"), "policyDocument": "not json"}
    error = policy_conflict([broken], OWN, REGION)
    assert error is not None and "'other' (to ?)" in error


def test_every_page_is_read() -> None:
    client = mock.Mock()
    client.describe_account_policies.side_effect = [
        {"accountPolicies": [_policy(OWN)], "nextToken": "t"},
        {"accountPolicies": [_policy("other")]},
    ]
    names = [p["policyName"] for p in read_subscription_policies(REGION, client=client)]
    assert names == [OWN, "other"]
    client.describe_account_policies.assert_any_call(
        policyType="SUBSCRIPTION_FILTER_POLICY", nextToken="t"
    )


def test_the_check_reads_and_decides() -> None:
    client = mock.Mock()
    client.describe_account_policies.return_value = {"accountPolicies": [_policy("other")]}
    assert check_account_policy(OWN, REGION, client=client) is not None
