"""Pipeline health: the alarm topic (with the optional e-mail subscription and the role
OpenSearch alerting assumes to publish to it), the CloudWatch alarms and the dashboard."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.alarm_specs import (
    AlarmSpec,
    ExpressionAlarmSpec,
    MonitoredNames,
    alarm_specs,
    expression_alarm_specs,
)
from infra.config_sections import AlarmConfig
from infra.dashboard import dashboard_body
from infra.policies import Policy, publish_permissions
from infra.python_function import policy_json


class AlarmTopic(pulumi.ComponentResource):
    topic: aws.sns.Topic
    email_subscription: aws.sns.TopicSubscription | None
    alerting_role: aws.iam.Role

    def __init__(
        self,
        name: str,
        args: AlarmConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        alerting_trust_policy: Policy,
    ) -> None:
        """`alerting_trust_policy`: `infra.policies.alerting_trust` of the stack's domain."""
        super().__init__("lambdalogs:monitoring:AlarmTopic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(name, opts=child)
        self.email_subscription = (
            aws.sns.TopicSubscription(
                f"{name}-email",
                topic=self.topic.arn,
                protocol="email",
                endpoint=args.email,
                opts=child,
            )
            if args.email
            else None
        )
        self.alerting_role = aws.iam.Role(
            f"{name}-opensearch",
            description="OpenSearch alerting publishes notifications to the alarm topic",
            assume_role_policy=policy_json(alerting_trust_policy),
            opts=child,
        )
        self.alerting_policy = aws.iam.RolePolicy(
            f"{name}-opensearch",
            role=self.alerting_role.id,
            policy=self.topic.arn.apply(lambda arn: policy_json(publish_permissions(arn))),
            opts=child,
        )
        self.register_outputs(
            {"topic_arn": self.topic.arn, "alerting_role_arn": self.alerting_role.arn}
        )


@dataclass(frozen=True)
class PipelineAlarmsArgs:
    names: MonitoredNames
    region: str
    topic_arn: pulumi.Input[str]
    dashboard_name: str


class PipelineAlarms(pulumi.ComponentResource):
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    dashboard: aws.cloudwatch.Dashboard

    def __init__(
        self, name: str, args: PipelineAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:monitoring:PipelineAlarms", name, None, opts)
        self.alarms = {
            spec.suffix: self._alarm(name, spec, args.topic_arn) for spec in alarm_specs(args.names)
        }
        self.alarms |= {
            spec.suffix: self._expression_alarm(name, spec, args.topic_arn)
            for spec in expression_alarm_specs(args.names)
        }
        self.dashboard = aws.cloudwatch.Dashboard(
            name,
            dashboard_name=args.dashboard_name,
            dashboard_body=json.dumps(dashboard_body(args.names, args.region)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"dashboard_name": self.dashboard.dashboard_name})

    def _alarm(
        self, name: str, spec: AlarmSpec, topic_arn: pulumi.Input[str]
    ) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{spec.suffix}",
            alarm_description=spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions=dict(spec.dimensions),
            statistic=spec.statistic,
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            period=spec.period,
            evaluation_periods=spec.evaluation_periods,
            treat_missing_data=spec.treat_missing,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _expression_alarm(
        self, name: str, spec: ExpressionAlarmSpec, topic_arn: pulumi.Input[str]
    ) -> aws.cloudwatch.MetricAlarm:
        queries = [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=metric.id,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=metric.namespace,
                    metric_name=metric.metric,
                    dimensions=dict(metric.dimensions),
                    stat=metric.statistic,
                    period=spec.period,
                ),
            )
            for metric in spec.inputs
        ]
        result = aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="breach", expression=spec.expression, label=spec.suffix, return_data=True
        )
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{spec.suffix}",
            alarm_description=spec.description,
            metric_queries=[*queries, result],
            comparison_operator="GreaterThanThreshold",
            threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data="notBreaching",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            opts=pulumi.ResourceOptions(parent=self),
        )
