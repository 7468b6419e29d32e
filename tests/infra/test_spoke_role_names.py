"""GIVEN a hub's identity WHEN its spokes' subscriber role names are made THEN they carry the
hub's tag, fit IAM's 64 characters in every AWS region, and differ between hubs
(infra/spoke_role_names.py; the program-level checks are in tests/infra/test_spoke_rollout.py and
tests/infra/test_spoke_hub_access.py)."""

from __future__ import annotations

import fnmatch
import hashlib

import botocore.session
import pytest

from infra.spoke_role_names import (
    SpokeRoleNameError,
    hub_backfill_role_arn,
    hub_tag,
    spoke_hub_identity,
    spoke_subscriber_role_name,
)

IAM_ROLE_NAME_LIMIT = 64  # IAM CreateRole, RoleName: "Maximum length of 64"
NAMED_LONG_REGIONS = ("ap-southeast-5", "us-gov-west-1", "us-isof-south-1", "cn-northwest-1")
HUB = "arn:aws:iam::111122223333:role/lambda-logs-spoke-backfill"


def _every_region() -> list[str]:
    """Every region of every partition botocore knows (commercial, China, GovCloud, ISO)."""
    endpoints = botocore.session.get_session().get_data("endpoints")
    return [region for partition in endpoints["partitions"] for region in partition["regions"]]


def test_the_longest_aws_region_still_fits_iams_limit() -> None:
    regions = [*_every_region(), *NAMED_LONG_REGIONS]
    assert len(regions) > 30 and "us-gov-west-1" in regions  # botocore's list was read
    longest = max(regions, key=len)
    name = spoke_subscriber_role_name(longest, hub_tag(HUB))
    assert len(name) <= IAM_ROLE_NAME_LIMIT, name
    assert name == f"lambda-logs-spoke-subscriber-role-{longest}-{hub_tag(HUB)}"
    for region in regions:  # and so every other
        assert len(spoke_subscriber_role_name(region, hub_tag(HUB))) <= IAM_ROLE_NAME_LIMIT


def test_a_name_above_the_limit_is_refused() -> None:
    region = "xx-" + "y" * 19 + "-1"  # 24 characters: 33 + 1 + 24 + 1 + 8 = 67
    with pytest.raises(SpokeRoleNameError, match="67 characters, above IAM's 64"):
        spoke_subscriber_role_name(region, hub_tag(HUB))
    assert len(spoke_subscriber_role_name("x" * 21, hub_tag(HUB))) == IAM_ROLE_NAME_LIMIT


def test_the_tag_is_the_start_of_sha256_of_the_backfill_role_arn() -> None:
    assert hub_tag(HUB) == hashlib.sha256(HUB.encode()).hexdigest()[:8]
    assert len(hub_tag(HUB)) == 8 and set(hub_tag(HUB)) <= set("0123456789abcdef")


def test_hubs_of_another_prefix_account_or_partition_have_other_tags() -> None:
    hubs = {
        hub_backfill_role_arn("aws", "111122223333", "lambda-logs"),
        hub_backfill_role_arn("aws", "111122223333", "lambda-logs-hub"),
        hub_backfill_role_arn("aws", "444455556666", "lambda-logs"),
        hub_backfill_role_arn("aws-us-gov", "111122223333", "lambda-logs"),
    }
    assert len(hubs) == 4
    names = {spoke_subscriber_role_name("eu-west-1", hub_tag(arn)) for arn in hubs}
    assert len(names) == 4
    # AND each hub's trusted pattern admits its own spokes' names only
    for arn in hubs:
        pattern = spoke_subscriber_role_name("*", hub_tag(arn))
        assert [n for n in names if fnmatch.fnmatchcase(n, pattern)] == [
            spoke_subscriber_role_name("eu-west-1", hub_tag(arn))
        ]


def test_the_backfill_role_arn_is_the_hubs_output_form() -> None:
    assert hub_backfill_role_arn("aws-cn", "111122223333", "logs") == (
        "arn:aws-cn:iam::111122223333:role/logs-spoke-backfill"
    )


def test_a_spoke_takes_its_hubs_identity_from_the_backfill_role_then_the_destination() -> None:
    destination = "arn:aws-us-gov:logs:us-gov-west-1:111122223333:destination:central-dest"
    # given: the hub's output wins
    assert spoke_hub_identity(HUB, [destination]) == HUB
    # not given: the role the hub of `<prefix>-dest` has, in the destination's account/partition
    implied = "arn:aws-us-gov:iam::111122223333:role/central-spoke-backfill"
    assert spoke_hub_identity("", [destination, f"{destination}-2"]) == implied
    assert spoke_hub_identity("", [destination]) == hub_backfill_role_arn(
        "aws-us-gov", "111122223333", "central"
    )
    # a destination no lambda-logs hub made: its own ARN
    foreign = "arn:aws:logs:eu-west-1:111122223333:destination:someone-elses"
    assert spoke_hub_identity("", [foreign]) == foreign
