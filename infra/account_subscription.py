"""Account-policy mode: one SUBSCRIPTION_FILTER_POLICY for every log group of the account and
region, excluding the pipeline's own groups by exact name (no loop by construction)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws


def policy_document(destination_arn: str, role_arn: str, filter_pattern: str) -> dict[str, Any]:
    return {
        "DestinationArn": destination_arn,
        "RoleArn": role_arn,
        "FilterPattern": filter_pattern,
        "Distribution": "Random",
    }


def selection_criteria(excluded: Sequence[str]) -> str:
    """`LogGroupName NOT IN [...]`: the only selection the account policy supports."""
    names = ", ".join(json.dumps(name) for name in sorted(set(excluded)))
    return f"LogGroupName NOT IN [{names}]"


@dataclass(frozen=True)
class AccountSubscriptionArgs:
    policy_name: str
    stream_arn: pulumi.Input[str]
    logs_role_arn: pulumi.Input[str]
    filter_pattern: str
    excluded_log_groups: tuple[str, ...]


class AccountSubscription(pulumi.ComponentResource):
    policy: aws.cloudwatch.LogAccountPolicy

    def __init__(
        self, name: str, args: AccountSubscriptionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:subscriptions:AccountPolicy", name, None, opts)
        document = pulumi.Output.all(args.stream_arn, args.logs_role_arn).apply(
            lambda arns: json.dumps(policy_document(arns[0], arns[1], args.filter_pattern))
        )
        self.policy = aws.cloudwatch.LogAccountPolicy(
            name,
            policy_name=args.policy_name,
            policy_type="SUBSCRIPTION_FILTER_POLICY",
            scope="ALL",
            selection_criteria=selection_criteria(args.excluded_log_groups),
            policy_document=document,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"policy_name": self.policy.policy_name})
