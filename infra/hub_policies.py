"""The IAM documents of a hub and its spokes (docs/organisation.md): the destinations' role
trust and resource policies, and a spoke subscriber's permissions. The rest are in
`infra/policies.py`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from infra.aws_context import AwsContext
from infra.policies import (
    Policy,
    Statement,
    allow,
    document,
    never_subscribe_pipelines,
    own_logs,
    service_trust,
)

DESTINATION_ACTIONS: Final = ("logs:PutAccountPolicy", "logs:PutSubscriptionFilter")
"""What a destination policy admits: a spoke's filters and its account-level policy."""


def destination_trust(
    ctx: AwsContext, region: str, accounts: Sequence[str], organization: bool
) -> Policy:
    """CloudWatch Logs of `region` on behalf of the spokes' log groups and of the hub itself
    (CloudWatch Logs sends a test message as the hub when the destination is created).

    The form is the CloudWatch Logs User Guide's ("Create a destination", TrustPolicyForCWL):
    `StringLike aws:SourceArn` on `arn:aws:logs:region:sourceAccountId:*` and
    `...:recipientAccountId:*`. With an organisation the accounts are not known, so the account
    is `*` but the region stays fixed; aws:SourceOrgID is not used, since CloudWatch Logs does
    not document sending it when it assumes a destination's role. Who may send at all is the
    destination policy's decision (aws:PrincipalOrgID there), and only this hub's destinations
    can use the role (naming it in a destination takes iam:PassRole in this account)."""
    senders = ["*"] if organization else [*dict.fromkeys((*accounts, ctx.account_id))]
    sources = [f"arn:{ctx.partition}:logs:{region}:{account}:*" for account in senders]
    return service_trust("logs.amazonaws.com", {"StringLike": {"aws:SourceArn": sources}})


def destination_access_policy(
    destination_arn: str, accounts: Sequence[str], organization_id: str | None
) -> Policy:
    """The spokes that may point a filter or an account policy at the destination: the listed
    accounts, and any principal of `organization_id` (`aws:PrincipalOrgID`)."""
    # parliament RESOURCE_MISMATCH on SpokeAccounts and SpokeOrganization is accepted: this is a
    # destination's resource policy, and the CloudWatch Logs User Guide's own destination policy
    # for account-level subscriptions ("Create a destination", cross-account account policy)
    # grants logs:PutSubscriptionFilter and logs:PutAccountPolicy on the destination's ARN, while
    # parliament's copy of the Service Authorization Reference knows only identity policies.
    statements: list[Statement] = []
    if accounts:
        statements.append(
            {
                "Sid": "SpokeAccounts",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(accounts)},
                "Action": list(DESTINATION_ACTIONS),
                "Resource": destination_arn,
            }
        )
    if organization_id:
        statements.append(
            {
                "Sid": "SpokeOrganization",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(DESTINATION_ACTIONS),
                "Resource": destination_arn,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
            }
        )
    return document(*statements)


def spoke_subscriber_permissions(
    ctx: AwsContext, *, destination_arns: Sequence[str], function_name: str, log_group_name: str
) -> Policy:
    """A spoke's subscriber: filters to the hub's destinations only, no Firehose, no role to
    pass, no backfill (off in spoke mode). A cross-account filter needs PutSubscriptionFilter on
    the destination too (the User Guide's "Add/validate IAM permissions for the cross-account
    destination"), so the destination ARNs are that statement's only foreign resources."""
    return document(
        allow(
            "SubscribeToTheHub",
            ["logs:PutSubscriptionFilter"],
            [ctx.all_log_groups_arn, *destination_arns],
        ),
        allow(
            "ManageSubscriptions",
            ["logs:DeleteSubscriptionFilter", "logs:DescribeSubscriptionFilters"],
            [ctx.all_log_groups_arn],
        ),
        allow("ListLogGroups", ["logs:DescribeLogGroups"], ["*"]),
        never_subscribe_pipelines(ctx),
        allow("FindFunctionLogGroups", ["lambda:ListFunctions"], ["*"]),
        allow(
            "ReadFunctionLogging",
            ["lambda:GetFunctionConfiguration"],
            [ctx.arn("lambda", "function:*")],
        ),
        allow("ContinueItself", ["lambda:InvokeFunction"], [ctx.function_arn(function_name)]),
        own_logs(ctx, log_group_name),
    )
