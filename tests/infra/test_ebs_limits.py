"""GIVEN an instance type and a volume size WHEN the EBS limit is checked THEN a size OpenSearch
Service would refuse is named with the maximum and the fix; unknown types are never refused."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from infra.ebs_limits import (
    GP3_MAX_GB,
    VolumeLimits,
    check_volume_size,
    limits_from_response,
    read_volume_limits,
)


@pytest.mark.parametrize(
    ("instance_type", "maximum"),
    [
        ("t3.small.search", 100),
        ("t3.medium.search", 200),
        ("m5.large.search", 1024),
        ("m6g.12xlarge.search", 18432),
        ("c5.large.search", 256),
        ("c6g.4xlarge.search", 1536),
        ("r5.12xlarge.search", 24576),
        ("r6g.large.search", 2048),
        ("r6g.8xlarge.search", 16384),
    ],
)
def test_the_maximum_is_accepted_and_one_more_is_refused(instance_type: str, maximum: int) -> None:
    assert check_volume_size(instance_type, maximum) is None
    error = check_volume_size(instance_type, maximum + 1)
    assert error is not None
    assert f"volumeSizeGb = {maximum + 1} is above the {maximum} GiB maximum" in error
    assert instance_type in error
    assert f"pulumi config set volumeSizeGb {maximum}" in error


def test_the_default_size_fits_a_small_instance_but_a_large_one_does_not() -> None:
    assert check_volume_size("t3.small.search", 100) is None
    assert check_volume_size("t3.small.search", 200) is not None


def test_below_the_minimum_is_refused() -> None:
    error = check_volume_size("r6g.large.search", 5)
    assert error is not None and "10 GiB minimum" in error


@pytest.mark.parametrize(
    "instance_type", ["m7g.large.search", "r7g.xlarge.search", "or1.medium.search", "x9.search"]
)
def test_unknown_types_are_never_refused(instance_type: str) -> None:
    assert check_volume_size(instance_type, 24576) is None


@pytest.mark.parametrize("instance_type", ["i3.large.search", "r6gd.xlarge.search"])
def test_types_without_ebs_are_refused_with_an_alternative(instance_type: str) -> None:
    error = check_volume_size(instance_type, 100)
    assert error is not None and "no EBS volumes" in error and "r6g.large.search" in error


def test_every_table_entry_is_a_search_type_with_a_positive_maximum() -> None:
    assert all(name.endswith(".search") and size >= 100 for name, size in GP3_MAX_GB.items())


def _response(minimum: str, maximum: str, subtype: str = "gp3") -> dict[str, Any]:
    limits = [
        {"LimitName": "MinimumVolumeSize", "LimitValues": [minimum]},
        {"LimitName": "MaximumVolumeSize", "LimitValues": [maximum]},
    ]
    storage = {"StorageTypeName": "ebs", "StorageSubTypeName": subtype}
    return {"LimitsByRole": {"data": {"StorageTypes": [{**storage, "StorageTypeLimits": limits}]}}}


def test_live_limits_override_the_table() -> None:
    limits = limits_from_response(_response("10", "4096"))
    assert limits == VolumeLimits(10, 4096)
    assert check_volume_size("m7g.large.search", 5000, limits) is not None
    assert limits_from_response(_response("10", "4096", subtype="gp2")) is None
    assert limits_from_response({}) is None


def test_live_limits_are_read_with_describe_instance_type_limits() -> None:
    client = mock.Mock()
    client.describe_instance_type_limits.return_value = _response("10", "2048")
    limits = read_volume_limits("m7g.large.search", "OpenSearch_2.19", "eu-west-1", client=client)
    assert limits == VolumeLimits(10, 2048)
    client.describe_instance_type_limits.assert_called_once_with(
        InstanceType="m7g.large.search", EngineVersion="OpenSearch_2.19"
    )
