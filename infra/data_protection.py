"""`maskSensitiveData`: one CloudWatch Logs account-level data protection policy, so that the
managed data identifiers it names are masked in every log group of the account before they leave
CloudWatch Logs — to the subscription filters too, so nothing they match reaches Firehose, the S3
backup or OpenSearch.

AWS, "Help protect sensitive log data with masking" (CloudWatch Logs User Guide): "sensitive
data that matches the data identifiers you've selected is masked at all egress points, including
CloudWatch Logs Insights, metric filters, and subscription filters"; "Sensitive data is detected
and masked when it is ingested into the log group [...] log events ingested to the log group
before that time are not masked". PutAccountPolicy: "Each account can have only one
account-level data protection policy"; the document "must include two JSON blocks": an `Audit`
operation with a `FindingsDestination` object and a `Deidentify` operation with an empty
`"MaskConfig": {}`, whose `DataIdentifier` arrays "must match exactly"; `Version` 2021-06-01;
at most 30,720 characters.

`data_protection_document` and `data_protection_conflict` are pure; `check_data_protection_policy`
makes the one boto3 call (DescribeAccountPolicies, policyType DATA_PROTECTION_POLICY).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from infra.aws_context import deployer_client
from infra.deployer import Deployer

DATA_PROTECTION_POLICY: Final = "DATA_PROTECTION_POLICY"
POLICY_VERSION: Final = "2021-06-01"
MAX_DOCUMENT_CHARS: Final = 30_720
DEFAULT_IDENTIFIERS: Final = (
    "AwsSecretKey",
    "OpenSshPrivateKey",
    "PgpPrivateKey",
    "PkcsPrivateKey",
    "PuttyPrivateKey",
    "EmailAddress",
    "CreditCardNumber",
    "CreditCardSecurityCode",
)
"""Credentials and keys (never meant to be logged), e-mail addresses and card data: what a
Lambda log most often leaks by accident. Not IpAddress or names: they are common in useful
logs, and AWS warns that "Choosing many types of data can lead to false positives"."""


def data_protection_policy_name(resource_prefix: str) -> str:
    """The stack's account policy name (the check and the resource use the same)."""
    return f"{resource_prefix}-data-protection"


def identifier_arn(partition: str, name: str) -> str:
    """`arn:aws:dataprotection::aws:data-identifier/<name>` (in the stack's partition)."""
    return f"arn:{partition}:dataprotection::aws:data-identifier/{name}"


def data_protection_document(
    policy_name: str, identifiers: Sequence[str], partition: str = "aws"
) -> dict[str, Any]:
    """The account policy's document: audit (findings only as CloudWatch metrics: no
    destination) and mask the same identifiers."""
    arns = [identifier_arn(partition, name) for name in identifiers]
    document = {
        "Name": policy_name,
        "Description": "lambda-logs: mask sensitive data before it leaves CloudWatch Logs",
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "Audit",
                "DataIdentifier": arns,
                "Operation": {"Audit": {"FindingsDestination": {}}},
            },
            {
                "Sid": "Mask",
                "DataIdentifier": arns,
                "Operation": {"Deidentify": {"MaskConfig": {}}},
            },
        ],
    }
    size = len(json.dumps(document))
    if size > MAX_DOCUMENT_CHARS:
        raise ValueError(
            f"the data protection policy is {size} characters, above CloudWatch Logs' "
            f"{MAX_DOCUMENT_CHARS}: name fewer maskedDataIdentifiers"
        )
    return document


def data_protection_conflict(
    policies: Iterable[Mapping[str, Any]], own_policy_name: str, region: str
) -> str | None:
    """None when the account's data protection policies (`policies`, as DescribeAccountPolicies
    with that policyType lists them) are none or only this stack's own; otherwise what is wrong
    and what to do."""
    names = {str(policy.get("policyName")) for policy in policies} - {own_policy_name}
    if not names:
        return None
    other = min(names)
    return (
        f"maskSensitiveData = true: this account already has an account-level data protection "
        f"policy in {region}, {other!r}, and CloudWatch Logs allows one per account, so this "
        f"stack's {own_policy_name!r} would be refused. Either keep the existing policy (it "
        "masks at the same egress points; add the identifiers you need to it) and run `pulumi "
        "config set maskSensitiveData false`, or remove it first (`aws logs "
        f"delete-account-policy --policy-name {other} --policy-type {DATA_PROTECTION_POLICY} "
        f"--region {region}`)."
    )


def check_data_protection_policy(
    own_policy_name: str, region: str, deployer: Deployer | None = None, client: Any = None
) -> str | None:
    """The check the program runs with maskSensitiveData on, before any resource exists: reads
    the account's DATA_PROTECTION_POLICY (at most one, so one page; `client` for tests)."""
    logs = client or deployer_client("logs", region, deployer, reuse=True)
    found = logs.describe_account_policies(policyType=DATA_PROTECTION_POLICY)
    return data_protection_conflict(found.get("accountPolicies", []), own_policy_name, region)


@dataclass(frozen=True)
class DataProtectionArgs:
    policy_name: str
    identifiers: tuple[str, ...]
    partition: str


class DataProtection(pulumi.ComponentResource):
    """The account-level data protection policy (scope ALL: every log group, now and later)."""

    policy: aws.cloudwatch.LogAccountPolicy

    def __init__(
        self, name: str, args: DataProtectionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:logs:DataProtection", name, None, opts)
        document = data_protection_document(args.policy_name, args.identifiers, args.partition)
        self.policy = aws.cloudwatch.LogAccountPolicy(
            name,
            policy_name=args.policy_name,
            policy_type=DATA_PROTECTION_POLICY,
            scope="ALL",
            policy_document=json.dumps(document),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"policy_name": self.policy.policy_name})
