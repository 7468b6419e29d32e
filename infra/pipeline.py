"""The whole pipeline as one component: bucket, domain, transformer, roles, OpenSearch content,
delivery stream, subscriptions, alarms."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.account_policy import excluded_log_groups
from infra.account_subscription import AccountSubscription, AccountSubscriptionArgs
from infra.alarm_specs import MonitoredNames
from infra.aws_context import AwsContext
from infra.backup_bucket import BackupBucket
from infra.data_protection import DataProtection, DataProtectionArgs, data_protection_policy_name
from infra.delivery_roles import DeliveryRoles, DeliveryRolesArgs
from infra.delivery_stream import DeliveryStream, DeliveryStreamArgs
from infra.function_environments import subscriber_environment, transformer_environment
from infra.lambda_package import BuiltPackage
from infra.monitoring import AlarmTopic, PipelineAlarms, PipelineAlarmsArgs
from infra.opensearch_content import OpenSearchContent, OpenSearchContentArgs
from infra.packages import SUBSCRIBER_HANDLER, TRANSFORMER_HANDLER
from infra.policies import alerting_trust, subscriber_permissions, transformer_permissions
from infra.python_function import PythonFunction, PythonFunctionArgs, policy_json
from infra.search_domain import SearchDomain, SearchDomainArgs
from infra.stack_config import StackConfig
from infra.subscriber import Subscriber, SubscriberArgs


@dataclass(frozen=True)
class PipelineArgs:
    config: StackConfig
    ctx: AwsContext
    transformer_package: BuiltPackage
    subscriber_package: BuiltPackage | None
    """None in account-policy mode (no subscriber function)."""
    aws_profile: str | None = None


@dataclass(frozen=True)
class _Domain:
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    resource: SearchDomain | None


class Pipeline(pulumi.ComponentResource):
    dashboards_url: pulumi.Output[str]
    domain_endpoint: pulumi.Output[str]
    stream_name: pulumi.Output[str]
    stream_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    transformer_name: pulumi.Output[str]
    subscriber_name: pulumi.Output[str] | None
    alarm_topic_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: PipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:pipeline:Pipeline", name, None, opts)
        config, ctx = args.config, args.ctx
        child = pulumi.ResourceOptions(parent=self)
        self.backup = BackupBucket(f"{name}-backup", config.backup, child)
        self.alarm_topic = AlarmTopic(
            f"{name}-alarms",
            config.alarms,
            child,
            alerting_trust_policy=alerting_trust(ctx, _domain_arn(config, ctx)),
        )
        domain = self._domain(name, config, ctx)
        self.domain = domain.resource
        self.transformer = PythonFunction(f"{name}-transformer", _transformer_args(args), child)
        self.roles = DeliveryRoles(
            f"{name}-delivery",
            DeliveryRolesArgs(
                ctx=ctx,
                names=config.names,
                index=config.index,
                domain_arn=domain.arn,
                bucket_arn=self.backup.bucket.arn,
                transformer_arn=self.transformer.function.arn,
            ),
            child,
        )
        self.content = self._content(name, config, domain)
        self.delivery = self._delivery(name, config, domain)
        self.subscriber: Subscriber | None = None
        self.account_subscription: AccountSubscription | None = None
        if config.subscription.mode == "reconciler":
            self.subscriber = self._subscriber(name, args)
        else:
            self.account_subscription = self._account_subscription(name, config)
        self.alarms = self._health(name, config, ctx)
        self.data_protection: DataProtection | None = None
        if config.subscription.masked_data_identifiers:  # maskSensitiveData
            self.data_protection = DataProtection(
                f"{name}-data-protection",
                DataProtectionArgs(
                    policy_name=data_protection_policy_name(config.names.prefix),
                    identifiers=config.subscription.masked_data_identifiers,
                    partition=ctx.partition,
                ),
                child,
            )
        self._export(domain)

    def _content(self, name: str, config: StackConfig, domain: _Domain) -> OpenSearchContent:
        """Index template, ISM, the Firehose role mapping, dashboards and monitors."""
        return OpenSearchContent(
            f"{name}-content",
            OpenSearchContentArgs(
                endpoint=domain.endpoint,
                region=config.region,
                index_prefix=config.index.prefix,
                retention_days=config.index.retention_days,
                shards=config.index.shards,
                replicas=config.index.replicas,
                firehose_role_arn=self.roles.firehose_role.arn,
                alarm_topic_arn=self.alarm_topic.topic.arn,
                alerting_role_arn=self.alarm_topic.alerting_role.arn,
                master_user_name=(
                    config.domain.master_user_name if config.domain.master_user_password else None
                ),
                master_user_password=config.domain.master_user_password,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _delivery(self, name: str, config: StackConfig, domain: _Domain) -> DeliveryStream:
        # The index template and the Firehose role mapping exist before the first document.
        wait_for: list[pulumi.Resource] = [self.roles.firehose_policy, self.content]
        return DeliveryStream(
            f"{name}-stream",
            DeliveryStreamArgs(
                stream_name=config.names.stream,
                role_arn=self.roles.firehose_role.arn,
                domain_arn=domain.arn,
                bucket_arn=self.backup.bucket.arn,
                transformer_arn=self.transformer.function.arn,
                index_prefix=config.index.prefix,
                buffering=config.stream,
                log_group_name=config.names.firehose_log_group,
                log_retention_days=config.functions.log_retention_days,
                wait_for=tuple(wait_for),
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _account_subscription(self, name: str, config: StackConfig) -> AccountSubscription:
        stream = self.delivery.stream
        return AccountSubscription(
            f"{name}-account-policy",
            AccountSubscriptionArgs(
                policy_name=f"{config.names.prefix}-subscription",
                stream_arn=stream.arn,
                logs_role_arn=self.roles.logs_role.arn,
                filter_pattern=config.subscription.filter_pattern,
                excluded_log_groups=excluded_log_groups(
                    config.subscription.exclude_log_groups, config.names.pipeline_log_groups
                ),
                wait_for=(stream, self.roles.logs_policy),
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _health(self, name: str, config: StackConfig, ctx: AwsContext) -> PipelineAlarms:
        return PipelineAlarms(
            f"{name}-health",
            PipelineAlarmsArgs(
                names=MonitoredNames(
                    stream_name=config.names.stream,
                    transformer_name=config.names.transformer,
                    subscriber_name=config.names.subscriber if self.subscriber else None,
                    freshness_seconds=config.alarms.freshness_seconds,
                ),
                region=ctx.region,
                topic_arn=self.alarm_topic.topic.arn,
                dashboard_name=config.names.prefix,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _export(self, domain: _Domain) -> None:
        stream = self.delivery.stream
        self.domain_endpoint = domain.endpoint
        self.dashboards_url = domain.endpoint.apply(lambda host: f"https://{host}/_dashboards")
        self.stream_name = stream.name
        self.stream_arn = stream.arn
        self.bucket_name = self.backup.bucket.bucket
        self.transformer_name = self.transformer.function.name
        self.subscriber_name = self.subscriber.function.function.name if self.subscriber else None
        self.alarm_topic_arn = self.alarm_topic.topic.arn
        self.register_outputs(
            {
                "dashboards_url": self.dashboards_url,
                "domain_endpoint": self.domain_endpoint,
                "stream_name": self.stream_name,
                "stream_arn": self.stream_arn,
                "bucket_name": self.bucket_name,
                "transformer_name": self.transformer_name,
                "subscriber_name": self.subscriber_name,
                "alarm_topic_arn": self.alarm_topic_arn,
            }
        )

    def _domain(self, name: str, config: StackConfig, ctx: AwsContext) -> _Domain:
        existing = config.domain.existing
        if existing is not None:
            return _Domain(
                arn=pulumi.Output.from_input(existing.arn),
                endpoint=pulumi.Output.from_input(existing.endpoint),
                resource=None,
            )
        password = config.domain.master_user_password
        assert password is not None  # validated by StackConfig
        domain = SearchDomain(
            f"{name}-search",
            SearchDomainArgs(ctx=ctx, domain=config.domain, master_user_password=password),
            pulumi.ResourceOptions(parent=self),
        )
        return _Domain(arn=domain.arn, endpoint=domain.endpoint, resource=domain)

    def _subscriber(self, name: str, args: PipelineArgs) -> Subscriber:
        config, ctx = args.config, args.ctx
        if args.subscriber_package is None:
            raise ValueError("reconciler mode needs the subscriber package")
        stream = self.delivery.stream
        logs_role_arn = self.roles.logs_role.arn
        bucket = self.backup.bucket
        policy = pulumi.Output.all(logs_role_arn, bucket.arn).apply(
            lambda arns: policy_json(
                subscriber_permissions(
                    ctx,
                    stream_arn=ctx.stream_arn(config.names.stream),
                    logs_role_arn=arns[0],
                    function_name=config.names.subscriber,
                    log_group_name=config.names.subscriber_log_group,
                    state_bucket_arn=arns[1],
                )
            )
        )
        return Subscriber(
            f"{name}-subscriber",
            SubscriberArgs(
                function=PythonFunctionArgs(
                    function_name=config.names.subscriber,
                    log_group_name=config.names.subscriber_log_group,
                    handler=SUBSCRIBER_HANDLER,
                    package=args.subscriber_package,
                    shared=config.functions,
                    size=config.functions.subscriber,
                    environment=subscriber_environment(
                        config, stream.arn, logs_role_arn, bucket.bucket
                    ),
                    policy=policy,
                    description="Subscribes every Lambda log group to the delivery stream",
                ),
                schedule=config.subscription.reconcile_schedule,
                region=ctx.region,
                invocation_depends_on=(stream, self.roles.logs_policy),
                aws_profile=args.aws_profile,
                # Two overlapping reconciles could both put a group's filter and backfill it;
                # checked against the account's concurrency by infra.account_checks.
                reserved_concurrency=config.functions.subscriber_reserved_concurrency,
            ),
            pulumi.ResourceOptions(parent=self),
        )


def _domain_arn(config: StackConfig, ctx: AwsContext) -> str:
    """The domain's ARN before it exists: the existing one's, or this account's by name."""
    existing = config.domain.existing
    return existing.arn if existing is not None else ctx.domain_arn(config.domain.name)


def _transformer_args(args: PipelineArgs) -> PythonFunctionArgs:
    config, ctx = args.config, args.ctx
    policy = transformer_permissions(
        ctx, ctx.stream_arn(config.names.stream), config.names.transformer_log_group
    )
    return PythonFunctionArgs(
        function_name=config.names.transformer,
        log_group_name=config.names.transformer_log_group,
        handler=TRANSFORMER_HANDLER,
        package=args.transformer_package,
        shared=config.functions,
        size=config.functions.transformer,
        environment=transformer_environment(config),
        policy=policy_json(policy),
        description="Firehose processor: CloudWatch Logs records to one document per event",
    )
