"""A Python Lambda function with its own role, inline policy and log group (created first, with
a retention, so Lambda never creates an unmanaged one)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.config_sections import FunctionsConfig, FunctionSize
from infra.lambda_package import LAMBDA_PYTHON_VERSION, BuiltPackage
from infra.policies import Policy, lambda_trust
from infra.vpc_config import VpcConfig

RUNTIME: Final = f"python{LAMBDA_PYTHON_VERSION}"  # the bundled wheels are built for it


@dataclass(frozen=True)
class PythonFunctionArgs:
    function_name: str
    log_group_name: str
    """Where Lambda writes every line of the function (`LoggingConfig.LogGroup`): the pipeline's
    functions log under the reserved `/lambda-logs-pipeline/` prefix (infra/stack_names.py)."""
    handler: str
    package: BuiltPackage
    shared: FunctionsConfig
    """What every function of the stack shares: architecture, log retention."""
    size: FunctionSize
    environment: Mapping[str, pulumi.Input[str]]
    policy: pulumi.Input[str]
    """The inline policy document (JSON) of the function's role."""
    description: str
    reserved_concurrency: int | None = None
    """None: the account's unreserved pool; 1: never two runs at once."""
    vpc: VpcConfig | None = None
    """In these subnets and security groups (its role then needs the ENI permissions)."""
    role_name: str | None = None
    """The role's explicit name (another account's trust names it: a spoke's subscriber,
    infra/spoke_role_names.py); None: Pulumi's auto-name, `<name>-role-<random>`."""


def policy_json(policy: Policy) -> str:
    return json.dumps(policy, sort_keys=True)


def _vpc_config(vpc: VpcConfig | None) -> aws.lambda_.FunctionVpcConfigArgs | None:
    if vpc is None:
        return None
    return aws.lambda_.FunctionVpcConfigArgs(
        subnet_ids=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
    )


class PythonFunction(pulumi.ComponentResource):
    """Role → policy → log group → function, all named from `name`."""

    function: aws.lambda_.Function
    role: aws.iam.Role
    role_policy: aws.iam.RolePolicy
    log_group: aws.cloudwatch.LogGroup

    def __init__(
        self, name: str, args: PythonFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:functions:PythonFunction", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            assume_role_policy=policy_json(lambda_trust()),
            description=f"Runs {args.function_name}",
            opts=child,
        )
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-policy", role=self.role.id, policy=args.policy, opts=child
        )
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.log_group_name,
            retention_in_days=args.shared.log_retention_days,
            opts=child,
        )
        self.function = aws.lambda_.Function(
            name,
            name=args.function_name,
            description=args.description,
            runtime=RUNTIME,
            handler=args.handler,
            architectures=[args.shared.architecture],
            memory_size=args.size.memory_mb,
            timeout=args.size.timeout_seconds,
            reserved_concurrent_executions=args.reserved_concurrency,
            role=self.role.arn,
            code=pulumi.FileArchive(str(args.package.path)),
            source_code_hash=args.package.sha256,
            environment=(
                aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment))
                if args.environment
                else None
            ),
            vpc_config=_vpc_config(args.vpc),
            # LoggingConfig.LogGroup is "the name of the Amazon CloudWatch log group the
            # function sends logs to", and LogFormat is "the format in which Lambda sends your
            # function's application and system logs" (Lambda API reference): the platform
            # lines START/END/REPORT go to the same group. Text, and no log levels (those take
            # effect only with LogFormat JSON): every line, platform lines included, stays in
            # the group, unfiltered (docs/decisions/subscriptions.md).
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="Text", log_group=self.log_group.name
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role_policy, self.log_group]),
        )
        self.register_outputs({"name": self.function.name, "arn": self.function.arn})
