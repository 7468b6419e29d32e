"""Account-policy mode: one SUBSCRIPTION_FILTER_POLICY for every log group of the account and
region, excluding the pipeline's own groups by exact name (no loop by construction)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.account_policy import AccountPolicy, build_account_subscription_policy


@dataclass(frozen=True)
class AccountSubscriptionArgs:
    policy_name: str
    stream_arn: pulumi.Input[str]
    """The policy's one destination (one policy per account and region): stream 0; the
    transformer spreads the re-ingested documents over every stream."""
    logs_role_arn: pulumi.Input[str] | None
    """None: the destination is a hub's (cross-account, no role)."""
    filter_pattern: str
    excluded_log_groups: tuple[str, ...]
    wait_for: tuple[pulumi.Resource, ...] = ()
    """What must exist while the policy does (the logs role's policy)."""


class AccountSubscription(pulumi.ComponentResource):
    policy: aws.cloudwatch.LogAccountPolicy

    def __init__(
        self, name: str, args: AccountSubscriptionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:subscriptions:AccountPolicy", name, None, opts)
        built: pulumi.Output[AccountPolicy] = pulumi.Output.all(
            args.stream_arn, args.logs_role_arn or ""
        ).apply(
            lambda arns: build_account_subscription_policy(
                arns[0], arns[1] or None, args.filter_pattern, args.excluded_log_groups
            )
        )
        self.policy = aws.cloudwatch.LogAccountPolicy(
            name,
            policy_name=args.policy_name,
            policy_type=built.apply(lambda policy: policy.policy_type),
            scope="ALL",
            selection_criteria=built.apply(lambda policy: policy.selection_criteria),
            policy_document=built.apply(lambda policy: policy.policy_document),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.wait_for)),
        )
        self.register_outputs({"policy_name": self.policy.policy_name})
