"""The private network the domain and the functions that reach it live in (issue 14).

`vpcSubnetIds` and `vpcSecurityGroupIds` (read in `infra/domain_config.py`): with them the
domain has no public endpoint, Firehose delivers to it through the VPC, and the OpenSearch
content is applied by a function inside the VPC instead of from the deployer's machine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VpcConfig:
    """Subnets (private, one per availability zone the domain uses) and security groups."""

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
