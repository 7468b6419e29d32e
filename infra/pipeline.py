"""The whole pipeline as one component: bucket, domain, transformer, roles, OpenSearch content,
delivery stream, subscriptions, alarms."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.account_subscription import AccountSubscription, AccountSubscriptionArgs
from infra.alarm_specs import MonitoredNames
from infra.aws_context import AwsContext
from infra.backup_bucket import BackupBucket, BackupBucketArgs
from infra.config import StackConfig
from infra.delivery_roles import DeliveryRoles, DeliveryRolesArgs
from infra.delivery_stream import DeliveryStream, DeliveryStreamArgs
from infra.function_environments import (
    excluded_log_groups,
    subscriber_environment,
    transformer_environment,
)
from infra.lambda_package import BuiltPackage
from infra.monitoring import AlarmTopic, AlarmTopicArgs, PipelineAlarms, PipelineAlarmsArgs
from infra.opensearch_content import OpenSearchContent, OpenSearchContentArgs
from infra.packages import SUBSCRIBER_HANDLER, TRANSFORMER_HANDLER
from infra.policies import subscriber_permissions, transformer_permissions
from infra.python_function import PythonFunction, PythonFunctionArgs, policy_json
from infra.search_domain import SearchDomain, SearchDomainArgs
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
        self.backup = BackupBucket(f"{name}-backup", _backup_args(config), child)
        self.alarm_topic = AlarmTopic(
            f"{name}-alarms", AlarmTopicArgs(email=config.alarm_email), child
        )
        domain = self._domain(name, config, ctx)
        self.domain = domain.resource
        self.transformer = PythonFunction(f"{name}-transformer", _transformer_args(args), child)
        self.roles = DeliveryRoles(
            f"{name}-delivery",
            DeliveryRolesArgs(
                ctx=ctx,
                stream_name=config.stream_name,
                domain_arn=domain.arn,
                bucket_arn=self.backup.bucket.arn,
                transformer_arn=self.transformer.function.arn,
                log_group_name=config.firehose_log_group_name,
                index_prefix=config.index_prefix,
            ),
            child,
        )
        self.content = self._content(name, config, domain)
        self.delivery = self._delivery(name, config, domain)
        self.subscriber: Subscriber | None = None
        self.account_subscription: AccountSubscription | None = None
        if config.subscription_mode == "reconciler":
            self.subscriber = self._subscriber(name, args)
        else:
            self.account_subscription = self._account_subscription(name, config)
        self.alarms = self._health(name, config, ctx)
        self._export(domain)

    def _content(self, name: str, config: StackConfig, domain: _Domain) -> OpenSearchContent:
        """Index template, ISM, the Firehose role mapping, dashboards and monitors."""
        return OpenSearchContent(
            f"{name}-content",
            OpenSearchContentArgs(
                endpoint=domain.endpoint,
                region=config.region,
                index_prefix=config.index_prefix,
                retention_days=config.retention_days,
                shards=config.index_shards,
                replicas=config.index_replicas,
                firehose_role_arn=self.roles.firehose_role.arn,
                alarm_topic_arn=self.alarm_topic.topic.arn,
                alerting_role_arn=self.alarm_topic.alerting_role.arn,
                master_user_name=config.master_user_name if config.master_user_password else None,
                master_user_password=config.master_user_password,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _delivery(self, name: str, config: StackConfig, domain: _Domain) -> DeliveryStream:
        # The index template and the Firehose role mapping exist before the first document.
        wait_for: list[pulumi.Resource] = [self.roles.firehose_policy, self.content]
        return DeliveryStream(
            f"{name}-stream",
            DeliveryStreamArgs(
                stream_name=config.stream_name,
                role_arn=self.roles.firehose_role.arn,
                domain_arn=domain.arn,
                bucket_arn=self.backup.bucket.arn,
                transformer_arn=self.transformer.function.arn,
                index_prefix=config.index_prefix,
                buffer_size_mb=config.buffer_size_mb,
                buffer_interval_seconds=config.buffer_interval_seconds,
                retry_duration_seconds=config.retry_duration_seconds,
                processor_buffer_size_mb=config.processor_buffer_size_mb,
                processor_buffer_interval_seconds=config.processor_buffer_interval_seconds,
                log_group_name=config.firehose_log_group_name,
                log_retention_days=config.log_retention_days,
                wait_for=tuple(wait_for),
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _account_subscription(self, name: str, config: StackConfig) -> AccountSubscription:
        stream = self.delivery.stream
        return AccountSubscription(
            f"{name}-account-policy",
            AccountSubscriptionArgs(
                policy_name=f"{config.resource_prefix}-subscription",
                stream_arn=stream.arn,
                logs_role_arn=self.roles.logs_role.arn,
                filter_pattern=config.filter_pattern,
                excluded_log_groups=excluded_log_groups(config),
                wait_for=(stream, self.roles.logs_policy),
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _health(self, name: str, config: StackConfig, ctx: AwsContext) -> PipelineAlarms:
        return PipelineAlarms(
            f"{name}-health",
            PipelineAlarmsArgs(
                names=MonitoredNames(
                    stream_name=config.stream_name,
                    transformer_name=config.transformer_name,
                    subscriber_name=config.subscriber_name if self.subscriber else None,
                    freshness_seconds=config.freshness_alarm_seconds,
                ),
                region=ctx.region,
                topic_arn=self.alarm_topic.topic.arn,
                dashboard_name=config.resource_prefix,
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
        existing = config.existing_domain
        if existing is not None:
            return _Domain(
                arn=pulumi.Output.from_input(existing.arn),
                endpoint=pulumi.Output.from_input(existing.endpoint),
                resource=None,
            )
        assert config.master_user_password is not None  # validated by StackConfig
        domain = SearchDomain(
            f"{name}-search",
            SearchDomainArgs(
                ctx=ctx,
                domain_name=config.domain_name,
                engine_version=config.engine_version,
                instance_type=config.instance_type,
                instance_count=config.instance_count,
                volume_size_gb=config.volume_size_gb,
                zone_awareness=config.zone_awareness,
                availability_zone_count=config.availability_zone_count,
                allowed_cidrs=config.allowed_cidrs,
                master_user_name=config.master_user_name,
                master_user_password=config.master_user_password,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        return _Domain(arn=domain.arn, endpoint=domain.endpoint, resource=domain)

    def _subscriber(self, name: str, args: PipelineArgs) -> Subscriber:
        config, ctx = args.config, args.ctx
        if args.subscriber_package is None:
            raise ValueError("reconciler mode needs the subscriber package")
        stream = self.delivery.stream
        logs_role_arn = self.roles.logs_role.arn
        policy = logs_role_arn.apply(
            lambda role_arn: policy_json(
                subscriber_permissions(
                    ctx,
                    stream_arn=ctx.stream_arn(config.stream_name),
                    logs_role_arn=role_arn,
                    function_name=config.subscriber_name,
                    log_group_name=config.subscriber_log_group_name,
                )
            )
        )
        return Subscriber(
            f"{name}-subscriber",
            SubscriberArgs(
                function=PythonFunctionArgs(
                    function_name=config.subscriber_name,
                    log_group_name=config.subscriber_log_group_name,
                    handler=SUBSCRIBER_HANDLER,
                    package=args.subscriber_package,
                    architecture=config.lambda_architecture,
                    memory_mb=config.subscriber_memory_mb,
                    timeout_seconds=config.subscriber_timeout_seconds,
                    log_retention_days=config.log_retention_days,
                    environment=subscriber_environment(config, stream.arn, logs_role_arn),
                    policy=policy,
                    description="Subscribes every Lambda log group to the delivery stream",
                    # Two overlapping reconciles could both put a group's filter and backfill it.
                    reserved_concurrency=1,
                ),
                schedule=config.reconcile_schedule,
                region=ctx.region,
                invocation_depends_on=(stream, self.roles.logs_policy),
                aws_profile=args.aws_profile,
            ),
            pulumi.ResourceOptions(parent=self),
        )


def _backup_args(config: StackConfig) -> BackupBucketArgs:
    return BackupBucketArgs(
        archive_after_days=config.archive_after_days,
        archive_storage_class=config.archive_storage_class,
        expire_after_days=config.expire_after_days,
        force_destroy=config.bucket_force_destroy,
    )


def _transformer_args(args: PipelineArgs) -> PythonFunctionArgs:
    config, ctx = args.config, args.ctx
    policy = transformer_permissions(
        ctx, ctx.stream_arn(config.stream_name), config.transformer_log_group_name
    )
    return PythonFunctionArgs(
        function_name=config.transformer_name,
        log_group_name=config.transformer_log_group_name,
        handler=TRANSFORMER_HANDLER,
        package=args.transformer_package,
        architecture=config.lambda_architecture,
        memory_mb=config.transformer_memory_mb,
        timeout_seconds=config.transformer_timeout_seconds,
        log_retention_days=config.log_retention_days,
        environment=transformer_environment(config),
        policy=policy_json(policy),
        description="Firehose processor: CloudWatch Logs records to one document per event",
    )
