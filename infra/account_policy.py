"""The optional account-policy mode: one SUBSCRIPTION_FILTER_POLICY for every log group.

Pure: infra/ builds the `aws.cloudwatch.LogAccountPolicy` from what this returns
(`policy_type="SUBSCRIPTION_FILTER_POLICY"`, `policy_document=...`, `selection_criteria=...`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, NotRequired, TypedDict

from lambda_shared.environment import LOG_GROUP_NAME


class AccountPolicyError(ValueError):
    """The account-level subscription policy cannot be built from these inputs."""


SELECTION_CRITERIA_MAX_BYTES: Final = 25 * 1024
POLICY_TYPE: Final = "SUBSCRIPTION_FILTER_POLICY"


class SubscriptionPolicyDocument(TypedDict):
    DestinationArn: str
    RoleArn: NotRequired[str]
    """Absent for a cross-account destination (it takes no role)."""
    FilterPattern: str
    Distribution: Literal["Random", "ByLogStream"]


@dataclass(frozen=True)
class AccountPolicy:
    policy_type: str
    policy_document: str
    selection_criteria: str


def excluded_log_groups(user: Iterable[str], pipeline: Iterable[str]) -> tuple[str, ...]:
    """The user's exclusions, then the pipeline's own groups not already among them."""
    merged = list(dict.fromkeys(user))
    merged += [group for group in pipeline if group not in merged]
    return tuple(merged)


def selection_criteria(excluded_log_groups: Iterable[str]) -> str:
    """`LogGroupName NOT IN [...]` of exact names, within the account policy's size limit."""
    names = sorted(set(excluded_log_groups))
    if not names:
        raise AccountPolicyError(
            "excluded_log_groups is empty: pass at least the pipeline's own log groups "
            "(transformer, subscriber, Firehose error logs), or the pipeline loops"
        )
    bad = [name for name in names if not LOG_GROUP_NAME.fullmatch(name)]
    if bad:
        raise AccountPolicyError(
            f"excluded_log_groups holds {bad[:5]}, not exact log group names: the account policy "
            "accepts no globs; list exact names (letters, digits and . - _ / #)"
        )
    criteria = f"LogGroupName NOT IN {json.dumps(names)}"
    if len(criteria.encode("utf-8")) > SELECTION_CRITERIA_MAX_BYTES:
        raise AccountPolicyError(
            f"the selection criteria are {len(criteria.encode())} bytes, above the "
            f"{SELECTION_CRITERIA_MAX_BYTES}-byte limit: exclude fewer groups, or use the "
            "reconciler mode, which accepts globs"
        )
    return criteria


def check_exclusions(user: Iterable[str], pipeline: Iterable[str]) -> None:
    """Raise AccountPolicyError if the policy could not be built with these exclusions (called
    when the configuration is read, before any resource exists)."""
    selection_criteria(excluded_log_groups(user, pipeline))


def build_account_subscription_policy(
    destination_arn: str,
    role_arn: str | None,
    filter_pattern: str,
    excluded_log_groups: Iterable[str],
) -> AccountPolicy:
    """The policy document JSON and `LogGroupName NOT IN [...]` selection criteria.
    `role_arn` None: `destination_arn` is another account's CloudWatch Logs destination, which
    takes no RoleArn (the User Guide's cross-account account-policy example has none).

    `excluded_log_groups` are exact names (the account policy supports no globs) and must hold
    at least the pipeline's own groups, or the pipeline would subscribe itself and loop.
    """
    criteria = selection_criteria(excluded_log_groups)
    if not destination_arn or role_arn == "":
        raise AccountPolicyError("destination_arn must be set, and role_arn (None: a destination)")
    document: SubscriptionPolicyDocument = {
        "DestinationArn": destination_arn,
        "FilterPattern": filter_pattern,
        "Distribution": "Random",
    }
    if role_arn is not None:
        document["RoleArn"] = role_arn
    return AccountPolicy(POLICY_TYPE, json.dumps(document, separators=(",", ":")), criteria)
