"""Account-policy mode: is the account's one subscription filter policy free for this stack?

AWS, PutAccountPolicy (CloudWatch Logs API reference, as shipped in botocore's model): "Each
account can have one account-level subscription filter policy per Region. If you are updating an
existing filter, you must specify the correct name in PolicyName." Its declared errors include
LimitExceededException ("You have reached the maximum number of resources that can be
created."). Each stack names its policy `<resourcePrefix>-subscription`, so a second
account-policy stack in the same account and region never replaces the first one's policy: its
`pulumi up` is refused by CloudWatch Logs at the policy, after the stream, the roles and the
functions were created. This check says so before anything is created, naming the stack that
holds the policy (docs/decisions/subscriptions.md).

`policy_conflict` is pure; `read_subscription_policies` is the one boto3 call
(DescribeAccountPolicies, policyType SUBSCRIPTION_FILTER_POLICY; it needs
logs:DescribeAccountPolicies and logs:DescribeSubscriptionFilters).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from infra.account_policy import POLICY_TYPE
from infra.aws_context import deployer_client
from infra.deployer import Deployer


def _destination(policy: Mapping[str, Any]) -> str:
    try:
        document = json.loads(str(policy.get("policyDocument") or "{}"))
    except json.JSONDecodeError:
        return "?"
    return str(document.get("DestinationArn", "?")) if isinstance(document, dict) else "?"


def policy_conflict(
    policies: Iterable[Mapping[str, Any]], own_policy_name: str, region: str
) -> str | None:
    """None when no other account-level subscription filter policy exists in this account and
    region (none at all, or only this stack's own, which `pulumi up` updates); otherwise what is
    wrong and what to do."""
    others = [
        policy
        for policy in policies
        if policy.get("policyType", POLICY_TYPE) == POLICY_TYPE
        and policy.get("policyName") != own_policy_name
    ]
    if not others:
        return None
    other = others[0]
    return (
        f"subscriptionMode = account-policy: this account already has an account-level "
        f"subscription filter policy in {region}, {other.get('policyName')!r} (to "
        f"{_destination(other)}), and CloudWatch Logs allows one per account and Region, so "
        f"this stack's {own_policy_name!r} would be refused. Either deploy this stack with "
        "`pulumi config set subscriptionMode reconciler` (it then subscribes groups one by one "
        "and never conflicts), or remove the other policy first (`pulumi destroy` of the stack "
        f"that owns it, or `aws logs delete-account-policy --policy-name "
        f"{other.get('policyName')} --policy-type {POLICY_TYPE} --region {region}`)."
    )


def read_subscription_policies(
    region: str, deployer: Deployer | None = None, client: Any = None
) -> list[Mapping[str, Any]]:
    """Every SUBSCRIPTION_FILTER_POLICY of the account in `region` (`client` for tests)."""
    if client is None:
        client = deployer_client("logs", region, deployer, reuse=True)
    policies: list[Mapping[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"policyType": POLICY_TYPE}
        if token:
            kwargs["nextToken"] = token
        response = client.describe_account_policies(**kwargs)
        policies.extend(response.get("accountPolicies", []))
        token = response.get("nextToken")
        if not token:
            return policies


def check_account_policy(
    own_policy_name: str, region: str, deployer: Deployer | None = None, client: Any = None
) -> str | None:
    """The check the program runs in account-policy mode, before any resource exists."""
    return policy_conflict(
        read_subscription_policies(region, deployer, client), own_policy_name, region
    )
