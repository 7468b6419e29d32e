"""The alarm relay: CloudWatch alarms (the pipeline's and the domain's health alarms) reach the
SNS alarm topic only; the webhook channels of `notificationChannels` are the OpenSearch
Notifications plugin's, which CloudWatch cannot post to. A small function (`alarm_relay/`)
subscribed to the topic posts each alarm's state change to every channel in its own format.

Its channels (URLs, headers, PagerDuty and Opsgenie keys) are one Secrets Manager secret, read by
the function at a cold start: never a Lambda environment variable, which whoever may call
lambda:GetFunctionConfiguration reads in plain text. The function's role may read that one secret.

Created when `relayAlarmsToChannels` is on (the default) and at least one channel is configured.
SNS invokes a subscribed function asynchronously ("Amazon SNS invokes your function
asynchronously with an event that contains a message and metadata", Lambda Developer Guide,
"Invoking Lambda functions with Amazon SNS notifications"): a failed delivery raises, and Lambda
retries it twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.aws_context import AwsContext
from infra.config_sections import AlarmConfig, FunctionsConfig, FunctionSize
from infra.lambda_package import BuiltPackage
from infra.notification_channels import NotificationChannels
from infra.packages import RELAY_HANDLER
from infra.policies import Policy, allow, document, own_logs
from infra.python_function import PythonFunction, PythonFunctionArgs, policy_json
from infra.stack_config import StackConfig
from lambda_shared.pipeline_groups import pipeline_log_group

SECRET_ARN_VARIABLE: Final = "ALARM_RELAY_SECRET_ARN"
"""As `alarm_relay.handler.SECRET_ARN_VARIABLE` (a test keeps the two equal)."""
SECRET_VERSION_VARIABLE: Final = "ALARM_RELAY_SECRET_VERSION"
"""The channels' secret version: not read by the relay, which caches the channels per execution
environment; a changed channel (a rotated webhook URL) changes it, and a changed environment
makes Lambda start new execution environments, which read the new secret."""
MEMORY_MB: Final = 128
REQUEST_SECONDS: Final = 6
"""Each request's 5-second timeout, and a second of margin."""
BASE_SECONDS: Final = 10


def alarm_relay_permissions(ctx: AwsContext, secret_arn: str, log_group_name: str) -> Policy:
    """Read the one secret that holds the channels' URLs and keys, write its own logs (linted by
    parliament in tests/infra/test_alarm_relay.py, as test_policy_lint.py lints the rest). No KMS
    statement: the secret uses Secrets Manager's AWS managed key, and GetSecretValue's API
    reference says "kms:Decrypt - required only if you use a customer-managed [...] KMS key to
    encrypt the secret. You do not need this permission to use the account's default [...]
    managed CMK for Secrets Manager"."""
    return document(
        allow("ReadChannelsSecret", ["secretsmanager:GetSecretValue"], [secret_arn]),
        own_logs(ctx, log_group_name),
    )


def relays_alarms(alarms: AlarmConfig) -> bool:
    """Whether the stack has a relay: the flag is on and there is a channel to relay to."""
    return alarms.relay_to_channels and bool(alarms.channels.specs)


def relay_secret_json(channels: NotificationChannels) -> str:
    """The secret's value: `[{"name", "type", "url", "headers", "method"}]`, in config order."""
    secrets = channels.secret_map()
    return json.dumps(
        [
            {
                "name": spec.name,
                "type": spec.type,
                "url": secrets[spec.name].url,
                "headers": dict(secrets[spec.name].headers),
                "method": secrets[spec.name].method,
            }
            for spec in channels.specs
        ]
    )


def relay_size(channels: NotificationChannels) -> FunctionSize:
    """Enough time for every channel to time out once (one alarm per SNS invocation)."""
    return FunctionSize(MEMORY_MB, BASE_SECONDS + REQUEST_SECONDS * len(channels.specs))


@dataclass(frozen=True)
class AlarmRelayArgs:
    ctx: AwsContext
    prefix: str
    """`resourcePrefix`: the function is `<prefix>-alarm-relay`."""
    functions: FunctionsConfig
    channels: NotificationChannels
    topic_arn: pulumi.Input[str]
    package: BuiltPackage


class AlarmRelay(pulumi.ComponentResource):
    """Secret → function (role, policy, log group) → permission → topic subscription, and an
    alarm on the function's own errors."""

    secret: aws.secretsmanager.Secret
    secret_version: aws.secretsmanager.SecretVersion
    function: PythonFunction
    permission: aws.lambda_.Permission
    subscription: aws.sns.TopicSubscription
    errors_alarm: aws.cloudwatch.MetricAlarm

    def __init__(
        self, name: str, args: AlarmRelayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:monitoring:AlarmRelay", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.secret = aws.secretsmanager.Secret(
            f"{name}-channels",
            description="Webhook URLs and keys the alarm relay posts CloudWatch alarms to",
            opts=child,
        )
        self.secret_version = aws.secretsmanager.SecretVersion(
            f"{name}-channels",
            secret_id=self.secret.id,
            secret_string=pulumi.Output.secret(relay_secret_json(args.channels)),
            opts=child,
        )
        self.function = PythonFunction(name, self._function_args(args), child)
        function = self.function.function
        self.permission = aws.lambda_.Permission(
            f"{name}-from-topic",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="sns.amazonaws.com",
            source_arn=args.topic_arn,  # only the alarm topic may invoke it
            opts=child,
        )
        self.subscription = aws.sns.TopicSubscription(
            f"{name}-subscription",
            topic=args.topic_arn,
            protocol="lambda",
            endpoint=function.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.permission]),
        )
        self.errors_alarm = self._errors_alarm(name, args)
        self.register_outputs({"function_name": function.name, "secret_arn": self.secret.arn})

    def _errors_alarm(self, name: str, args: AlarmRelayArgs) -> aws.cloudwatch.MetricAlarm:
        """A relay that failed (a channel refused, three attempts) alarms to the topic, so the
        e-mail subscription hears of it. No OK action: a recovery relayed through a still broken
        channel would fail and alarm again, over and over; without one, each failed alarm
        raises this one at most once."""
        return aws.cloudwatch.MetricAlarm(
            f"{name}-errors",
            name=f"{args.prefix}-alarm-relay-errors",
            alarm_description=(
                "The alarm relay could not post a CloudWatch alarm to every channel: its log "
                "group names the channel and the HTTP status (never the URL)"
            ),
            namespace="AWS/Lambda",
            metric_name="Errors",
            dimensions={"FunctionName": self.function.function.name},
            statistic="Sum",
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            period=300,
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            alarm_actions=[args.topic_arn],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _function_args(self, args: AlarmRelayArgs) -> PythonFunctionArgs:
        log_group = pipeline_log_group(args.prefix, "alarm-relay")
        policy = self.secret.arn.apply(
            lambda arn: policy_json(alarm_relay_permissions(args.ctx, arn, log_group))
        )
        return PythonFunctionArgs(
            function_name=f"{args.prefix}-alarm-relay",
            log_group_name=log_group,
            handler=RELAY_HANDLER,
            package=args.package,
            shared=args.functions,
            size=relay_size(args.channels),
            environment={
                SECRET_ARN_VARIABLE: self.secret.arn,
                SECRET_VERSION_VARIABLE: self.secret_version.version_id,
            },
            policy=policy,
            description="Posts the CloudWatch alarms of the alarm topic to the webhook channels",
        )


def alarm_relay(
    name: str,
    config: StackConfig,
    ctx: AwsContext,
    topic_arn: pulumi.Input[str],
    package: BuiltPackage | None,
    opts: pulumi.ResourceOptions,
) -> AlarmRelay | None:
    """The stack's relay, or None: no channel, `relayAlarmsToChannels` off (no package)."""
    if package is None or not relays_alarms(config.alarms):
        return None
    args = AlarmRelayArgs(
        ctx=ctx,
        prefix=config.names.prefix,
        functions=config.functions,
        channels=config.alarms.channels,
        topic_arn=topic_arn,
        package=package,
    )
    return AlarmRelay(f"{name}-alarm-relay", args, opts)
