"""The stack's role (`deployment`): standalone, hub or spoke, and what each role needs
(docs/organisation.md). Read before the other sections: a spoke needs none of the domain's
settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from infra.aws_context import AwsContext
from infra.config_choices import DEPLOYMENTS, Deployment
from infra.config_errors import ConfigError, config_error
from infra.config_rules import DESTINATION_ARN, STREAM_ARN
from infra.config_values import ConfigValues
from infra.hub_policies import destination_access_policy, spoke_backfill_trust

DESTINATION_POLICY_MAX_BYTES: Final = 5120
"""PutDestinationPolicy: the access policy "can be up to 5120 bytes"."""
TRUST_POLICY_MAX_CHARS: Final = 2048
"""IAM and STS quotas: a role trust policy holds 2,048 characters by default (whitespace not
counted; adjustable to 4,096 through Service Quotas): the `<prefix>-spoke-backfill` role's trust
lists every spoke account."""
_LONGEST_DESTINATION: Final = "arn:aws-us-gov:logs:us-gov-west-1:123456789012:destination:" + (
    "d" * 48
)
"""A resource prefix is at most 40 characters, so a destination name at most 48."""

DEFAULT_SPOKE_DEPLOY_ROLE: Final = "OrganizationAccountAccessRole"
"""AWS Organizations, "Accessing member accounts": an account created in the organisation gets
the role `OrganizationAccountAccessRole`, which the management account can assume (an invited
account gets it only if its administrator creates it); Control Tower's is
`AWSControlTowerExecution`."""

_DESTINATION_EXAMPLE: Final = "arn:aws:logs:{region}:111122223333:destination:lambda-logs-hub-dest"


@dataclass(frozen=True)
class DeploymentConfig:
    role: Deployment = "standalone"
    spoke_regions: tuple[str, ...] = ()
    """hub: the regions with one destination per stream (the hub's own region by default)."""
    organization_id: str | None = None
    """hub: every account of this organisation may subscribe (aws:PrincipalOrgID)."""
    spoke_account_ids: tuple[str, ...] = ()
    """hub: these accounts may subscribe."""
    hub_destination_arns: tuple[str, ...] = ()
    """spoke: the hub's destinations in the spoke's region, in stream order."""
    hub_stream_arns: tuple[str, ...] = ()
    """spoke: the hub's streams (`hubStreamArns`), in the order of `hub_destination_arns`."""
    hub_bucket_name: str = ""
    """spoke: the hub's bucket, where it publishes its architecture map (`hubBucketName`)."""
    hub_backfill_role_arn: str = ""
    """spoke: the hub's role its backfill assumes (`hubBackfillRoleArn`)."""
    hub_destroyable: bool = False
    """hub: the destinations may be deleted (`hubDestroyable`); protected otherwise, so that a
    destroy fails while spokes may still point at them."""
    spoke_deploy_account_ids: tuple[str, ...] = ()
    """hub: the accounts it deploys its spokes into itself (`spokeDeployAccountIds`,
    infra/spoke_rollout.py); without `organization_id` they are in `spoke_account_ids` too."""
    spoke_deploy_role_name: str = DEFAULT_SPOKE_DEPLOY_ROLE
    """hub: the role assumed in each of `spoke_deploy_account_ids` (`spokeDeployRoleName`)."""

    @property
    def hub_region(self) -> str:
        """spoke: the hub's region, that of its streams (and bucket); "" when not given."""
        match = STREAM_ARN.fullmatch(self.hub_stream_arns[0]) if self.hub_stream_arns else None
        return match["region"] if match else ""

    @property
    def creates_pipeline(self) -> bool:
        """standalone and hub: the domain, streams, bucket and transformer."""
        return self.role != "spoke"


def read_deployment(values: ConfigValues, region: str) -> DeploymentConfig:
    role = values.choice("deployment", DEPLOYMENTS)
    if role != "hub" and values.text("spokeDeployAccountIds").strip():
        raise config_error(
            "spokeDeployAccountIds",
            f"is set, but 'deployment' is {role}: only a hub deploys spokes into other accounts "
            "(set deployment hub in the hub's stack, or remove the key here with pulumi config "
            "rm spokeDeployAccountIds)",
            "''",
        )
    if role == "hub":
        return _hub(values, region)
    if role == "spoke":
        return _spoke(values, region)
    return DeploymentConfig()


def _hub(values: ConfigValues, region: str) -> DeploymentConfig:
    regions = values.items("spokeRegions", checked=True) or (region,)
    organization = values.checked("organizationId") or None
    deployed = values.items("spokeDeployAccountIds", checked=True)
    accounts = values.items("spokeAccountIds", checked=True)
    if organization is None:  # admitted as listed accounts: nothing to list twice
        accounts = tuple(dict.fromkeys((*accounts, *deployed)))
    if organization is None and not accounts:
        raise ConfigError(
            "Configuration 'deployment' is hub, but neither organizationId nor spokeAccountIds "
            "is set: a hub admits its spokes by organisation or by account. Fix it with: pulumi "
            "config set organizationId o-abc123def4 (or: pulumi config set spokeAccountIds "
            "111122223333,444455556666)"
        )
    size = len(json.dumps(destination_access_policy(_LONGEST_DESTINATION, accounts, organization)))
    if size > DESTINATION_POLICY_MAX_BYTES:
        raise config_error(
            "spokeAccountIds",
            f"lists {len(accounts)} accounts: the destination policy would be {size} bytes, "
            f"above CloudWatch Logs' {DESTINATION_POLICY_MAX_BYTES}; admit them by organisation "
            "instead (organizationId) and list only accounts outside it",
            "''",
        )
    _check_backfill_trust(accounts, organization)
    return DeploymentConfig(
        role="hub",
        spoke_regions=regions,
        organization_id=organization,
        spoke_account_ids=accounts,
        hub_destroyable=values.boolean("hubDestroyable"),
        spoke_deploy_account_ids=deployed,
        spoke_deploy_role_name=values.checked("spokeDeployRoleName"),
    )


def check_rollout_accounts(deployment: DeploymentConfig, hub_account: str) -> None:
    """Refuse the hub's own account among `spokeDeployAccountIds` (known only once the
    deployer's identity is: the hub's own pipeline already subscribes its log groups)."""
    if hub_account in deployment.spoke_deploy_account_ids:
        others = [a for a in deployment.spoke_deploy_account_ids if a != hub_account]
        raise config_error(
            "spokeDeployAccountIds",
            f"lists {hub_account}, the hub's own account: the hub subscribes its own log groups "
            "already, and a spoke in its account would subscribe them twice; list only the "
            "member accounts",
            ",".join(others) or "''",
        )


def _check_backfill_trust(accounts: tuple[str, ...], organization: str | None) -> None:
    ctx = AwsContext("aws-us-gov", "us-gov-west-1", "123456789012")  # the longest ARNs
    # any prefix: it enters the trust only as the hub's tag, 8 characters whatever it is
    trust = spoke_backfill_trust(ctx, accounts, organization, prefix="lambda-logs")
    size = len(json.dumps(trust, separators=(",", ":")))
    if size > TRUST_POLICY_MAX_CHARS:
        raise config_error(
            "spokeAccountIds",
            f"lists {len(accounts)} accounts: the spokes' backfill role's trust policy would be "
            f"{size} characters, above IAM's default {TRUST_POLICY_MAX_CHARS}; admit them by "
            "organisation instead (organizationId) and list only accounts outside it",
            "''",
        )


def _hub_destinations(values: ConfigValues, region: str) -> tuple[str, ...]:
    arns = values.items("hubDestinationArn", checked=True)
    if not arns:
        raise config_error(
            "hubDestinationArn",
            "is not set: a spoke sends to the hub's destination for its region (the hub's "
            f'output hubDestinations["{region}"])',
            _DESTINATION_EXAMPLE.format(region=region),
        )
    for arn in arns:
        match = DESTINATION_ARN.fullmatch(arn)
        assert match is not None  # checked above
        if match["region"] != region:
            raise config_error(
                "hubDestinationArn",
                f"holds {arn!r}, a destination in {match['region']}, not in this stack's region "
                f"{region}. CloudWatch Logs requires the destination in the log groups' region: "
                f'use the hub\'s output hubDestinations["{region}"], or add {region} to the '
                "hub's spokeRegions",
                _DESTINATION_EXAMPLE.format(region=region),
            )
    return arns


def _spoke(values: ConfigValues, region: str) -> DeploymentConfig:
    destinations = _hub_destinations(values, region)
    streams = values.items("hubStreamArns", checked=True)
    bucket = values.checked("hubBucketName")
    role = values.checked("hubBackfillRoleArn")
    if (bucket or role) and not streams:
        raise config_error(
            "hubStreamArns",
            "is not set, but hubBucketName or hubBackfillRoleArn is: the spoke needs the hub's "
            "streams (their region is the hub's) from the hub's output streamArns",
            "arn:aws:firehose:eu-west-1:111122223333:deliverystream/lambda-logs-stream",
        )
    if streams and len(streams) != len(destinations):
        raise config_error(
            "hubStreamArns",
            f"lists {len(streams)} streams for {len(destinations)} destinations in "
            "hubDestinationArn: list the hub's output streamArns, one per destination, in order",
            "<the hub's streamArns>",
        )
    return DeploymentConfig(
        role="spoke",
        hub_destination_arns=destinations,
        hub_stream_arns=streams,
        hub_bucket_name=bucket,
        hub_backfill_role_arn=role,
    )
