"""The configuration keys of the deployment role: standalone, hub or spoke
(docs/organisation.md). The whole table `KEYS` is in `infra/config_keys.py`."""

from __future__ import annotations

from typing import Final

from infra.config_choices import DEPLOYMENTS
from infra.config_declaration import Choices, ConfigKey, Flag, Rule
from infra.stack_names import MAX_SPOKE_REGIONS

DEPLOYMENT_KEYS: Final[tuple[ConfigKey, ...]] = (
    # --- deployment role (docs/organisation.md) -----------------------------------------------
    ConfigKey(
        "deployment",
        "string",
        "standalone",
        "`standalone` (the whole pipeline for this account), `hub` (the pipeline plus one "
        "CloudWatch Logs destination per spoke region and stream, admitting other accounts) or "
        "`spoke` (only the subscriber or the account policy, pointed at the hub's destination).",
        constraint=Choices(DEPLOYMENTS),
    ),
    ConfigKey(
        "spokeRegions",
        "string",
        "",
        "Hub: comma-separated regions whose log groups send to the hub (one destination per "
        "region and stream); empty = the hub's own region.",
        constraint=Rule(
            "regions",
            f"comma-separated AWS region names, at most {MAX_SPOKE_REGIONS}, each once",
            "eu-west-1,us-east-1",
        ),
    ),
    ConfigKey(
        "organizationId",
        "string",
        "",
        "Hub: admit every account of this AWS Organization (aws:PrincipalOrgID); with or "
        "instead of spokeAccountIds.",
        constraint=Rule(
            "organization_id", "an organization id o-[a-z0-9]{10,32} or empty", "o-abc123def4"
        ),
    ),
    ConfigKey(
        "spokeAccountIds",
        "string",
        "",
        "Hub: comma-separated 12-digit account ids admitted to the destinations; with or "
        "instead of organizationId.",
        constraint=Rule(
            "account_ids", "comma-separated 12-digit AWS account ids", "111122223333,444455556666"
        ),
    ),
    ConfigKey(
        "spokeDeployAccountIds",
        "string",
        "",
        "Hub: comma-separated 12-digit member accounts the hub deploys its spokes into itself "
        "(one provider per account and spoke region, assuming spokeDeployRoleName there), so "
        "one `pulumi up` rolls out the organisation; empty = off (one spoke stack per account). "
        "Without organizationId they are admitted to the destinations like spokeAccountIds.",
        constraint=Rule(
            "account_ids", "comma-separated 12-digit AWS account ids", "111122223333,444455556666"
        ),
    ),
    ConfigKey(
        "spokeDeployRoleName",
        "string",
        "OrganizationAccountAccessRole",
        "Hub with spokeDeployAccountIds: the role the hub's deployer assumes in each of those "
        "accounts: OrganizationAccountAccessRole (what AWS Organizations creates in an account "
        "it creates), AWSControlTowerExecution under Control Tower, or your own.",
        constraint=Rule(
            "role_name",
            "an IAM role name: 1 to 64 letters, digits and +=,.@_-",
            "OrganizationAccountAccessRole",
        ),
    ),
    ConfigKey(
        "hubDestroyable",
        "boolean",
        False,
        "Hub: let `pulumi destroy` delete the destinations. Off, they are protected and a "
        "destroy fails at them while spokes may still point at them: destroy every spoke first, "
        "then set this and run pulumi up.",
        constraint=Flag(),
    ),
    ConfigKey(
        "hubDestinationArn",
        "string",
        "",
        'Spoke: the hub\'s output hubDestinations["<this region>"]: comma-separated CloudWatch '
        "Logs destination ARNs in this stack's region, in stream order. Backfill is off in "
        "spoke mode unless hubBackfillRoleArn is set.",
        constraint=Rule(
            "destination_arns",
            "comma-separated arn:aws:logs:<region>:<account>:destination:<name>",
            "arn:aws:logs:eu-west-1:111122223333:destination:lambda-logs-hub-dest",
        ),
    ),
    ConfigKey(
        "hubStreamArns",
        "string",
        "",
        "Spoke: the hub's output streamArns (comma-separated, in stream order): where the "
        "backfill goes, and the hub's region (that of its bucket). Needed with hubBucketName or "
        "hubBackfillRoleArn.",
        constraint=Rule(
            "stream_arns",
            "comma-separated arn:aws:firehose:<region>:<account>:deliverystream/<name>",
            "arn:aws:firehose:eu-west-1:111122223333:deliverystream/lambda-logs-stream",
        ),
    ),
    ConfigKey(
        "hubBucketName",
        "string",
        "",
        "Spoke: the hub's output bucketName; the subscriber publishes this account's function "
        "architectures there (architectures/<account>/), for the hub's cost figures. Empty: "
        "not published (spoke functions priced at the hub's defaultArchitecture).",
        constraint=Rule("bucket_name", "an S3 bucket name or empty", "lambda-logs-backup-abc1234"),
    ),
    ConfigKey(
        "hubBackfillRoleArn",
        "string",
        "",
        "Spoke: the hub's output hubBackfillRoleArn; the subscriber assumes it to backfill new "
        "groups into the hub's streams (hubStreamArns). Empty: no backfill in this spoke.",
        constraint=Rule(
            "role_arn",
            "an IAM role ARN or empty",
            "arn:aws:iam::111122223333:role/lambda-logs-spoke-backfill",
        ),
    ),
)
