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
    publish_architectures,
    service_trust,
)
from infra.spoke_role_names import hub_backfill_role_arn, hub_tag, spoke_subscriber_role_name
from lambda_shared.environment import ARCHITECTURE_MAP_KEY_PREFIX

DESTINATION_ACTIONS: Final = ("logs:PutAccountPolicy", "logs:PutSubscriptionFilter")
"""What a destination policy admits: a spoke's filters and its account-level policy."""
MAP_ACTIONS: Final = ("s3:GetObject", "s3:PutObject")
"""A spoke reads its map back (unchanged: not written again) and writes it."""


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


def _senders(accounts: Sequence[str], organization_id: str | None) -> list[Statement]:
    """Principal and condition pairs admitting the listed accounts and the organisation."""
    found: list[Statement] = []
    if accounts:
        found.append({"Principal": {"AWS": sorted(accounts)}})
    if organization_id:
        found.append(
            {
                "Principal": {"AWS": "*"},
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
            }
        )
    return found


def spoke_architecture_statements(
    bucket_arn: str, accounts: Sequence[str], organization_id: str | None
) -> list[Statement]:
    """The hub's bucket policy: a spoke may read and write only its own account's maps. The key
    holds the policy variable `${aws:PrincipalAccount}`: "Global condition context keys can be
    used as variables in requests across AWS services" (IAM User Guide, policy variables), so
    account A's request matches only `architectures/A/*`. Bucket-owner-enforced ownership makes
    the hub own what a spoke writes (infra/backup_bucket.py)."""
    resource = f"{bucket_arn}/{ARCHITECTURE_MAP_KEY_PREFIX}${{aws:PrincipalAccount}}/*"
    return [
        {
            "Sid": "SpokeOrganizationMaps" if "Condition" in sender else "SpokeAccountMaps",
            "Effect": "Allow",
            **sender,
            "Action": list(MAP_ACTIONS),
            "Resource": resource,
        }
        for sender in _senders(accounts, organization_id)
    ]


def spoke_backfill_trust(
    ctx: AwsContext, accounts: Sequence[str], organization_id: str | None, *, prefix: str
) -> Policy:
    """The spokes' subscriber roles of this hub only, from the listed accounts and/or the
    organisation: `ArnLike aws:PrincipalArn` on
    `arn:<partition>:iam::*:role/lambda-logs-spoke-subscriber-role-*-<this hub's tag>` in any
    admitted account, the tag derived from this role's own ARN (`<prefix>-spoke-backfill` in
    the hub's account) as each spoke derives it (infra/spoke_role_names.py). ArnLike: "Each of
    the six colon-delimited components of the ARN is checked separately and each can include
    multi-character match wildcards (*) or single-character match wildcards (?)" (IAM User
    Guide, ARN condition operators): the `*` stands for the spoke's region, and another hub's
    spokes, whose names end in another tag, cannot assume this role."""
    tag = hub_tag(hub_backfill_role_arn(ctx.partition, ctx.account_id, prefix))
    role_names = spoke_subscriber_role_name("*", tag)
    subscriber_roles = f"arn:{ctx.partition}:iam::*:role/{role_names}"
    statements = []
    for sender in _senders(accounts, organization_id):
        condition = dict(sender.get("Condition", {}))
        condition["ArnLike"] = {"aws:PrincipalArn": subscriber_roles}
        statements.append(
            {
                "Effect": "Allow",
                "Principal": sender["Principal"],
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        )
    return document(*statements)


def spoke_backfill_permissions(stream_arns: Sequence[str]) -> Policy:
    """Backfill records into the hub's streams, nothing else (no DescribeDeliveryStream: the
    backfill never calls it)."""
    return document(allow("BackfillIntoTheHub", ["firehose:PutRecordBatch"], stream_arns))


def spoke_subscriber_permissions(
    ctx: AwsContext,
    *,
    destination_arns: Sequence[str],
    function_name: str,
    log_group_name: str,
    hub_bucket_arn: str = "",
    backfill_role_arn: str = "",
) -> Policy:
    """A spoke's subscriber: filters to the hub's destinations only, no Firehose, no role to
    pass. A cross-account filter needs PutSubscriptionFilter on the destination too (the User
    Guide's "Add/validate IAM permissions for the cross-account destination"), so the
    destination ARNs are that statement's only foreign resources. With the hub's bucket, its
    own account's architecture maps there; with the hub's backfill role, reading its groups'
    events and assuming that one role (which may only PutRecordBatch into the hub's streams)."""
    reads = ["logs:DeleteSubscriptionFilter", "logs:DescribeSubscriptionFilters"]
    if backfill_role_arn:
        reads.append("logs:FilterLogEvents")
    statements = [
        allow(
            "SubscribeToTheHub",
            ["logs:PutSubscriptionFilter"],
            [ctx.all_log_groups_arn, *destination_arns],
        ),
        allow("ManageSubscriptions", reads, [ctx.all_log_groups_arn]),
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
    ]
    if hub_bucket_arn:
        statements.append(publish_architectures(hub_bucket_arn, ctx.account_id))
    if backfill_role_arn:
        statements.append(allow("AssumeHubBackfillRole", ["sts:AssumeRole"], [backfill_role_arn]))
    return document(*statements)
