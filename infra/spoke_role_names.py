"""The names a hub and its spokes agree on without asking each other: the hub's backfill role
ARN, the hub's tag derived from it, and the spoke subscriber's role name that the hub's backfill
role trusts (docs/organisation.md, "The IAM each side needs").

Every spoke subscriber role, in a spoke stack run by hand and in a spoke a hub rolls out, is
named `lambda-logs-spoke-subscriber-role-<region>-<hub tag>` by `spoke_subscriber_role_name`;
the hub trusts the same name with the region wildcarded. IAM role names are per account, so two
hubs rolling out into one account and region get two roles (their other names, the function,
its log group and the filter, are each hub's `resourcePrefix`: those must differ), while a
hand-run spoke and a roll-out of the same hub into the same account and region fail loudly on
the second role (EntityAlreadyExists) instead of running two subscribers over the same log
groups."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from lambda_shared.stream_names import DESTINATION_SUFFIX

SPOKE_BACKFILL_ROLE: Final = "spoke-backfill"
"""The hub's role a spoke's subscriber assumes to backfill: `<prefix>-spoke-backfill`."""
SPOKE_SUBSCRIBER_ROLE: Final = "lambda-logs-spoke-subscriber-role"
"""The fixed start of every spoke subscriber's role name (no resource prefix: a hand-run spoke's
prefix is its own, not the hub's)."""
IAM_ROLE_NAME_MAX_CHARS: Final = 64
"""IAM CreateRole, RoleName: "Length Constraints: Minimum length of 1. Maximum length of 64."
(IAM API reference); the role's path is not part of the name."""
HUB_TAG_CHARS: Final = 8
"""Hex characters of SHA-256 kept as a hub's tag (32 bits: distinct hubs collide only by chance,
about one pair in four billion)."""


class SpokeRoleNameError(ValueError):
    """A spoke subscriber's role name would not fit IAM's limit."""


def role_arn(partition: str, account: str, name: str) -> str:
    """A role's ARN (no path: IAM's default `/`): `arn:<partition>:iam::<account>:role/<name>`."""
    return f"arn:{partition}:iam::{account}:role/{name}"


def hub_backfill_role_arn(partition: str, account: str, prefix: str) -> str:
    """The ARN of the hub's `<prefix>-spoke-backfill` role, the hub's `hubBackfillRoleArn`."""
    return role_arn(partition, account, f"{prefix}-{SPOKE_BACKFILL_ROLE}")


def hub_tag(backfill_role_arn: str) -> str:
    """A hub's short stable tag: the first 8 hex characters of SHA-256 of its backfill role ARN,
    which is unique per hub account and resource prefix (and partition)."""
    return hashlib.sha256(backfill_role_arn.encode()).hexdigest()[:HUB_TAG_CHARS]


def spoke_hub_identity(backfill_role_arn: str, destination_arns: Sequence[str]) -> str:
    """What a spoke derives its hub's tag from: the hub's backfill role ARN when given
    (`hubBackfillRoleArn`); otherwise the ARN that hub gives that role, read from the first
    destination (`arn:<partition>:logs:<region>:<hub account>:destination:<prefix>-dest`), so a
    spoke has the same tag with or without backfill; for a destination not named `<…>-dest` (not
    made by a lambda-logs hub), that destination's ARN itself."""
    if backfill_role_arn:
        return backfill_role_arn
    first = destination_arns[0]
    parts = first.split(":", 6)  # arn, partition, logs, region, account, destination, name
    if len(parts) == 7 and parts[6].endswith(DESTINATION_SUFFIX):
        prefix = parts[6].removesuffix(DESTINATION_SUFFIX)
        return hub_backfill_role_arn(parts[1], parts[4], prefix)
    return first


def spoke_subscriber_role_name(region: str, tag: str) -> str:
    """`lambda-logs-spoke-subscriber-role-<region>-<hub tag>`: the one name of a spoke
    subscriber's role (hand-run or rolled out), and with `region` "*" the name the hub's
    backfill role trusts. At most IAM's 64 characters ("Maximum length of 64", CreateRole):
    33 + 1 + the region + 1 + 8, so regions up to 21 characters fit (the longest AWS has today
    is 15, `us-isof-south-1`)."""
    name = f"{SPOKE_SUBSCRIBER_ROLE}-{region}-{tag}"
    if len(name) > IAM_ROLE_NAME_MAX_CHARS:
        raise SpokeRoleNameError(
            f"The spoke subscriber's role name {name!r} has {len(name)} characters, above IAM's "
            f"{IAM_ROLE_NAME_MAX_CHARS} for a role name: region {region!r} is too long for "
            "infra/spoke_role_names.py's naming; report it, with the region"
        )
    return name
