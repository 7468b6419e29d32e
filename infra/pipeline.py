"""The whole pipeline as one component: bucket, domain, transformer, roles, OpenSearch content,
delivery stream, subscriptions, alarms."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.account_subscription import AccountSubscription
from infra.account_wide import account_subscription, architecture_publisher, data_protection
from infra.alarm_relay import AlarmRelay, alarm_relay
from infra.alarm_specs import MonitoredNames
from infra.architecture_publisher import ArchitecturePublisher
from infra.aws_context import AwsContext
from infra.backup_bucket import BackupBucket, spoke_writers
from infra.content_applier import ApplierSite, ContentStep, content_step
from infra.delivery_roles import DeliveryRoles, DeliveryRolesArgs
from infra.delivery_stream import DeliveryStream, DeliveryStreamArgs
from infra.deployer import Deployer
from infra.domain_alarms import DomainAlarms, DomainAlarmsArgs, DomainFacts
from infra.function_environments import subscriber_environment, transformer_environment
from infra.lambda_package import BuiltPackage
from infra.monitoring import AlarmTopic, PipelineAlarms, PipelineAlarmsArgs
from infra.opensearch_content import (
    OpenSearchContentArgs,
    channels_json,
    secrets_json,
)
from infra.packages import SUBSCRIBER_HANDLER, TRANSFORMER_HANDLER
from infra.policies import alerting_trust, subscriber_permissions, transformer_permissions
from infra.python_function import PythonFunction, PythonFunctionArgs, policy_json
from infra.search_domain import SearchDomain, SearchDomainArgs
from infra.sso import DashboardsSso, dashboards_sso
from infra.stack_config import StackConfig
from infra.subscriber import Subscriber, SubscriberArgs


@dataclass(frozen=True)
class PipelineArgs:
    config: StackConfig
    ctx: AwsContext
    transformer_package: BuiltPackage
    subscriber_package: BuiltPackage | None
    """The subscriber's (account-policy mode: the architecture publisher's); None: neither."""
    deployer: Deployer | None = None
    relay_package: BuiltPackage | None = None
    """The alarm relay's; None when the stack has none (infra/alarm_relay.py)."""


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
    stream_names: pulumi.Output[list[str]]
    stream_arns: pulumi.Output[list[str]]
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
        self.backup = BackupBucket(
            f"{name}-backup", config.backup, child, spokes=spoke_writers(config.deployment)
        )
        self.alarm_topic = AlarmTopic(
            f"{name}-alarms",
            config.alarms,
            child,
            alerting_trust_policy=alerting_trust(ctx, _domain_arn(config, ctx)),
        )
        domain = self._domain(name, config, ctx)
        self.domain = domain.resource
        self.transformer = PythonFunction(
            f"{name}-transformer", _transformer_args(args, self.backup.bucket), child
        )
        self.roles = DeliveryRoles(
            f"{name}-delivery",
            DeliveryRolesArgs(
                ctx=ctx,
                names=config.names,
                index=config.index,
                domain_arn=domain.arn,
                bucket_arn=self.backup.bucket.arn,
                transformer_arn=self.transformer.function.arn,
                vpc=config.domain.vpc,
            ),
            child,
        )
        self.content = self._content(name, args, domain)
        # SAML single sign-on to Dashboards (samlMetadataFile), after the content step
        self.sso: DashboardsSso | None = dashboards_sso(
            name, config.sso, domain.resource, self, after=(self.content,)
        )
        self.deliveries = self._deliveries(name, config, domain)
        self.delivery = self.deliveries[0]  # the account policy's destination, `streamName`
        self._subscriptions(name, args)
        self.alarms = self._health(name, config, ctx)
        self.domain_alarms = _domain_alarms(name, config, ctx, self.alarm_topic, child)
        self.alarm_relay: AlarmRelay | None = alarm_relay(  # CloudWatch alarms to the channels
            name, config, ctx, self.alarm_topic.topic.arn, args.relay_package, child
        )
        self.data_protection = data_protection(name, config, self, ctx.partition)
        self._export(domain)

    def _subscriptions(self, name: str, args: PipelineArgs) -> None:
        """The subscriber (reconciler mode), or the account-level subscription policy and the
        architecture map's publisher (account-policy mode)."""
        config = args.config
        self.subscriber: Subscriber | None = None
        self.account_subscription: AccountSubscription | None = None
        self.architecture_publisher: ArchitecturePublisher | None = None
        if config.subscription.mode == "reconciler":
            self.subscriber = self._subscriber(name, args)
            return
        self.architecture_publisher = architecture_publisher(
            name, config, args.ctx, self, args.subscriber_package, self.backup.bucket.bucket
        )
        self.account_subscription = account_subscription(  # stream 0: the transformer
            name,  # spreads the re-ingested documents over every stream
            config,
            self,
            destination_arn=self.delivery.stream.arn,
            role_arn=self.roles.logs_role.arn,
            wait_for=(*self._streams(), self.roles.logs_policy),
        )

    def _content(self, name: str, args: PipelineArgs, domain: _Domain) -> ContentStep:
        """Index template, ISM, the Firehose role mapping, dashboards and monitors: from a
        function inside the VPC when the domain is in one (infra/content_applier.py)."""
        config, vpc = args.config, args.config.domain.vpc
        site = None
        if vpc is not None:
            site = ApplierSite(
                vpc, args.ctx, config.names, config.functions, domain.arn, args.deployer
            )
        return content_step(
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
                notification_channels=channels_json(config.alarms.channels.specs),
                notification_secrets=pulumi.Output.secret(
                    secrets_json(config.alarms.channels.secret_map())
                ),
                test_notification=config.alarms.test_notification,
            ),
            site,
            pulumi.ResourceOptions(parent=self),
        )

    def _deliveries(
        self, name: str, config: StackConfig, domain: _Domain
    ) -> tuple[DeliveryStream, ...]:
        """`deliveryStreams` streams to the same indices, bucket and transformer, each with its
        own error log group; stream 0 keeps the one-stream names (`-stream`), so adding streams
        never replaces it; stream i+1 is `-stream-<i+1>`."""
        # The index template and the Firehose role mapping exist before the first document.
        wait_for = (self.roles.firehose_policy, self.content)
        names = config.names
        return tuple(
            DeliveryStream(
                f"{name}-stream" if i == 0 else f"{name}-stream-{i + 1}",
                DeliveryStreamArgs(
                    stream_name=stream_name,
                    role_arn=self.roles.firehose_role.arn,
                    domain_arn=domain.arn,
                    bucket_arn=self.backup.bucket.arn,
                    transformer_arn=self.transformer.function.arn,
                    index_prefix=config.index.prefix,
                    buffering=config.stream,
                    log_group_name=log_group,
                    log_retention_days=config.functions.log_retention_days,
                    wait_for=wait_for,
                    vpc=config.domain.vpc,
                ),
                pulumi.ResourceOptions(parent=self),
            )
            for i, (stream_name, log_group) in enumerate(
                zip(names.streams, names.firehose_log_groups, strict=True)
            )
        )

    def _streams(self) -> list[aws.kinesis.FirehoseDeliveryStream]:
        return [delivery.stream for delivery in self.deliveries]

    def _health(self, name: str, config: StackConfig, ctx: AwsContext) -> PipelineAlarms:
        return PipelineAlarms(
            f"{name}-health",
            PipelineAlarmsArgs(
                names=MonitoredNames(
                    stream_names=config.names.streams,
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
        self.stream_names = pulumi.Output.all(*(s.name for s in self._streams()))
        self.stream_arns = pulumi.Output.all(*(s.arn for s in self._streams()))
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
                "stream_names": self.stream_names,
                "stream_arns": self.stream_arns,
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
        streams = self._streams()
        logs_role_arn = self.roles.logs_role.arn
        bucket = self.backup.bucket
        policy = pulumi.Output.all(logs_role_arn, bucket.arn).apply(
            lambda arns: policy_json(
                subscriber_permissions(
                    ctx,
                    stream_arns=[ctx.stream_arn(stream) for stream in config.names.streams],
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
                        config, [stream.arn for stream in streams], logs_role_arn, bucket.bucket
                    ),
                    policy=policy,
                    description="Subscribes every Lambda log group to the delivery stream",
                ),
                schedule=config.subscription.reconcile_schedule,
                region=ctx.region,
                invocation_depends_on=(*streams, self.roles.logs_policy),
                deployer=args.deployer,
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


def _transformer_args(args: PipelineArgs, bucket: aws.s3.Bucket) -> PythonFunctionArgs:
    config, ctx = args.config, args.ctx
    stream_arns = [ctx.stream_arn(stream) for stream in config.names.streams]
    log_group = config.names.transformer_log_group
    policy = bucket.arn.apply(
        lambda arn: policy_json(transformer_permissions(ctx, stream_arns, log_group, arn))
    )
    return PythonFunctionArgs(
        function_name=config.names.transformer,
        log_group_name=config.names.transformer_log_group,
        handler=TRANSFORMER_HANDLER,
        package=args.transformer_package,
        shared=config.functions,
        size=config.functions.transformer,
        environment=transformer_environment(config, bucket.bucket),
        policy=policy,
        description="Firehose processor: CloudWatch Logs records to one document per event",
    )


def _domain_alarms(
    name: str, config: StackConfig, ctx: AwsContext, topic: AlarmTopic, opts: pulumi.ResourceOptions
) -> DomainAlarms | None:
    """AWS's recommended domain health alarms, for a domain the stack creates (an existing
    domain's size and shape are not the stack's to know: infra/domain_alarms.py)."""
    if config.domain.existing is not None:
        pulumi.log.info("existing OpenSearch domain: no domain health alarms (docs/alerts.md)")
        return None
    facts = DomainFacts(
        domain_name=config.domain.name,
        account_id=ctx.account_id,
        volume_size_gb=config.domain.volume_size_gb,
        instance_count=config.domain.instance_count,
        replicas=config.index.replicas,
    )
    args = DomainAlarmsArgs(
        facts=facts, topic_arn=topic.topic.arn, alarm_prefix=config.names.prefix
    )
    return DomainAlarms(f"{name}-domain-health", args, opts)
