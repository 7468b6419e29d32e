"""The EBS (gp3) volume size OpenSearch Service accepts per data-node instance type, checked when
the configuration is read so that a wrong `volumeSizeGb` fails with a sentence, not 20 minutes into
`pulumi up`.

Source: Amazon OpenSearch Service Developer Guide, "Amazon OpenSearch Service quotas", section
"EBS volume size quotas" (limits.html#ebsresource; the awsdocs/amazon-opensearch-service-
developer-guide copy, doc_source/limits.md): "The following table shows the minimum and maximum
sizes for EBS volumes for each instance type that OpenSearch Service supports." Every row of the
families below has "Minimum EBS size 10 GiB"; the maxima are its "Maximum EBS size (gp3)" column
(the stack always creates gp3 volumes, infra/search_domain.py), e.g. "| r6g.large.search | 10 GiB
| 1 TiB | 2 TiB |" and "| t3.small.search | 10 GiB | 100 GiB | 100 GiB |". Instance types with
instance storage and no EBS are listed there with "N/A" in every column ("r6gd.large.search |
N/A | N/A | N/A", "i3.large.search | N/A | N/A | N/A").

The version of that page available here predates the 7th-generation (m7g, r7g, c7g, …) and
OpenSearch-optimized (or1, or2, …) families: they are *unknown* to this table and never refused
(`check_volume_size` answers None). The live figures for any type come from the OpenSearch API
DescribeInstanceTypeLimits (`LimitsByRole.data.StorageTypes[]`, `StorageTypeName` "ebs",
`StorageSubTypeName` "gp3", limits `MinimumVolumeSize` / `MaximumVolumeSize`), which
`read_volume_limits` reads when the program may call AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from infra.aws_context import deployer_client
from infra.deployer import Deployer

MIN_VOLUME_GB: Final = 10
TIB: Final = 1024
CONFIG_KEY: Final = "volumeSizeGb"


@dataclass(frozen=True)
class VolumeLimits:
    min_gb: int
    max_gb: int


def _gib(tib: float) -> int:
    return int(tib * TIB)


GP3_MAX_GB: Final[Mapping[str, int]] = {
    "t3.small.search": 100,
    "t3.medium.search": 200,
    "m5.large.search": _gib(1),
    "m5.xlarge.search": _gib(2),
    "m5.2xlarge.search": _gib(3),
    "m5.4xlarge.search": _gib(6),
    "m5.12xlarge.search": _gib(18),
    "m6g.large.search": _gib(1),
    "m6g.xlarge.search": _gib(2),
    "m6g.2xlarge.search": _gib(3),
    "m6g.4xlarge.search": _gib(6),
    "m6g.8xlarge.search": _gib(12),
    "m6g.12xlarge.search": _gib(18),
    "c5.large.search": 256,
    "c5.xlarge.search": 512,
    "c5.2xlarge.search": _gib(1),
    "c5.4xlarge.search": _gib(1.5),
    "c5.9xlarge.search": _gib(3.5),
    "c5.18xlarge.search": _gib(7),
    "c6g.large.search": 256,
    "c6g.xlarge.search": 512,
    "c6g.2xlarge.search": _gib(1),
    "c6g.4xlarge.search": _gib(1.5),
    "c6g.8xlarge.search": _gib(3),
    "c6g.12xlarge.search": _gib(4.5),
    "r5.large.search": _gib(2),
    "r5.xlarge.search": _gib(3),
    "r5.2xlarge.search": _gib(6),
    "r5.4xlarge.search": _gib(12),
    "r5.12xlarge.search": _gib(24),
    "r6g.large.search": _gib(2),
    "r6g.xlarge.search": _gib(3),
    "r6g.2xlarge.search": _gib(6),
    "r6g.4xlarge.search": _gib(12),
    "r6g.8xlarge.search": _gib(16),
    "r6g.12xlarge.search": _gib(24),
}
"""Maximum gp3 volume per data node, GiB (the quotas page's "Maximum EBS size (gp3)")."""

NO_EBS_FAMILIES: Final = frozenset({"i3", "r6gd"})
"""Families the quotas page lists with "N/A" for every EBS size: instance storage only."""
NO_EBS_FAMILY_HINTS: Final = frozenset({"i4g", "i4i", "im4gn", "r7gd"})
"""Storage-optimized families with NVMe instance storage (not in the page version quoted above:
named in the message only as a hint, never refused on their own)."""


def family(instance_type: str) -> str:
    """`r6g.large.search` → `r6g`."""
    return instance_type.split(".", 1)[0].lower()


def known_limits(instance_type: str) -> VolumeLimits | None:
    maximum = GP3_MAX_GB.get(instance_type.lower())
    return None if maximum is None else VolumeLimits(MIN_VOLUME_GB, maximum)


def check_volume_size(
    instance_type: str, size_gb: int, limits: VolumeLimits | None = None
) -> str | None:
    """None when OpenSearch Service accepts a `size_gb` GiB gp3 volume on `instance_type` (or the
    type is unknown here: no false refusal); otherwise what is wrong and what to do. `limits`
    (from `read_volume_limits`) overrides the table."""
    if family(instance_type) in NO_EBS_FAMILIES:
        return (
            f"instanceType {instance_type} has instance storage and no EBS volumes, but the stack "
            f"creates a gp3 EBS volume of {CONFIG_KEY} GiB per data node: choose an EBS-backed "
            "type (e.g. r6g.large.search or m6g.large.search)"
        )
    found = limits or known_limits(instance_type)
    if found is None:
        return None
    if size_gb < found.min_gb:
        return (
            f"{CONFIG_KEY} = {size_gb} is below the {found.min_gb} GiB minimum of a gp3 volume on "
            f"{instance_type}: set `pulumi config set {CONFIG_KEY} {found.min_gb}` or more"
        )
    if size_gb > found.max_gb:
        return (
            f"{CONFIG_KEY} = {size_gb} is above the {found.max_gb} GiB maximum of a gp3 volume on "
            f"{instance_type} (OpenSearch Service, EBS volume size quotas): set "
            f"`pulumi config set {CONFIG_KEY} {found.max_gb}` or less, or choose a larger "
            "instance type, or add data nodes (instanceCount) to hold the rest"
        )
    return None


def limits_from_response(response: Mapping[str, Any]) -> VolumeLimits | None:
    """The data nodes' gp3 limits from a DescribeInstanceTypeLimits response; None if absent."""
    data = response.get("LimitsByRole", {}).get("data", {})
    for storage in data.get("StorageTypes", []):
        if (storage.get("StorageTypeName"), storage.get("StorageSubTypeName")) != ("ebs", "gp3"):
            continue
        values = {
            limit.get("LimitName"): limit.get("LimitValues") or []
            for limit in storage.get("StorageTypeLimits", [])
        }
        low, high = values.get("MinimumVolumeSize"), values.get("MaximumVolumeSize")
        if low and high:
            return VolumeLimits(int(low[0]), int(high[0]))
    return None


def read_volume_limits(
    instance_type: str,
    engine_version: str,
    region: str,
    deployer: Deployer | None = None,
    client: Any = None,
) -> VolumeLimits | None:
    """DescribeInstanceTypeLimits with the deployer's credentials (`client` for tests)."""
    if client is None:
        client = deployer_client("opensearch", region, deployer, reuse=True)
    response = client.describe_instance_type_limits(
        InstanceType=instance_type, EngineVersion=engine_version
    )
    return limits_from_response(response)
