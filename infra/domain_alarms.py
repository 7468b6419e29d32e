"""Health alarms of the OpenSearch domain the stack creates, as AWS recommends them, to the alarm
topic (and so, by e-mail or the topic's subscribers, to the people who get the other alerts).

Thresholds, statistics, periods and evaluation periods are AWS's, "Recommended CloudWatch alarms
for Amazon OpenSearch Service" (docs.aws.amazon.com/opensearch-service/latest/developerguide/
cloudwatch-alarms.html), e.g. "ClusterStatus.red maximum is >= 1 for 1 minute, 1 consecutive
time", "ClusterStatus.yellow maximum is >= 1 for 1 minute, 5 consecutive times",
"FreeStorageSpace minimum is <= 20480 for 1 minute [...] we recommend setting it to 25% of the
storage space for each node", "CPUUtilization maximum is >= 80% for 15 minutes, 3 consecutive
times", "JVMMemoryPressure maximum is >= 95% for 1 minute, 3 consecutive times"; the rest as the
sample stack that page links (github.com/ev2900/OpenSearch_CloudWatch_Alarms) sets them.
Metrics are in `AWS/ES` with the dimensions `DomainName` and `ClientId` (the account id).

Left out on purpose: the `Master*` alarms unless the domain has dedicated master nodes (the
stack's domain has none: the metrics would not exist), `KMSKeyError`/`KMSKeyInaccessible` (the
domain is encrypted with an AWS owned key, so they never appear), `ClusterStatus.yellow` on a
one-node domain with replicas (yellow by design: a replica cannot sit on its primary's node),
and every alarm for an existing domain (`existingDomainArn`): its size and shape, which the
thresholds need, are not the stack's to know, and its owner alarms on it already.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import pulumi
import pulumi_aws as aws

NAMESPACE: Final = "AWS/ES"
MINUTE: Final = 60
DAY: Final = 86_400
MAX_SHARDS: Final = 30_000  # AWS: "Shards.active is >= 30000"; the per-node limit is 1,000
Statistic = Literal["Maximum", "Minimum", "Average"]
Comparison = Literal[
    "GreaterThanOrEqualToThreshold", "LessThanOrEqualToThreshold", "LessThanThreshold"
]
AT_LEAST: Final = "GreaterThanOrEqualToThreshold"


@dataclass(frozen=True)
class DomainFacts:
    """What the thresholds depend on."""

    domain_name: str
    account_id: str
    volume_size_gb: int
    instance_count: int
    replicas: int
    dedicated_masters: bool = False


@dataclass(frozen=True)
class DomainAlarmSpec:
    metric: str
    statistic: Statistic
    comparison: Comparison
    threshold: float
    period: int
    evaluation_periods: int
    description: str

    @property
    def suffix(self) -> str:
        return self.metric.replace(".", "-").lower()


def _spec(
    metric: str, stat: Statistic, threshold: float, period: int, times: int, issue: str
) -> DomainAlarmSpec:
    return DomainAlarmSpec(metric, stat, AT_LEAST, threshold, period, times, issue)


def _status_specs(facts: DomainFacts) -> list[DomainAlarmSpec]:
    found = [
        _spec(
            "ClusterStatus.red",
            "Maximum",
            1,
            MINUTE,
            1,
            "At least one primary shard and its replicas are not allocated to a node: "
            "documents of its index are not searchable and new ones are refused.",
        ),
    ]
    if facts.instance_count > 1 or facts.replicas == 0:
        found.append(
            _spec(
                "ClusterStatus.yellow",
                "Maximum",
                1,
                MINUTE,
                5,
                "At least one replica shard is not allocated to a node for 5 minutes.",
            )
        )
    return found


def _storage_spec(facts: DomainFacts) -> DomainAlarmSpec:
    quarter_mib = facts.volume_size_gb * 1024 // 4  # FreeStorageSpace is in MiB, per node
    return DomainAlarmSpec(
        "FreeStorageSpace",
        "Minimum",
        "LessThanOrEqualToThreshold",
        quarter_mib,
        MINUTE,
        1,
        f"A data node has 25 % or less of its {facts.volume_size_gb} GiB volume free; at 5 % "
        "OpenSearch blocks writes (see ClusterIndexWritesBlocked).",
    )


def _load_specs() -> list[DomainAlarmSpec]:
    return [
        _spec(
            "ClusterIndexWritesBlocked",
            "Maximum",
            1,
            5 * MINUTE,
            1,
            "The cluster blocks write requests: Firehose retries, then writes to S3 only.",
        ),
        _spec(
            "AutomatedSnapshotFailure",
            "Maximum",
            1,
            MINUTE,
            1,
            "An automated snapshot failed (often because the cluster is red).",
        ),
        _spec(
            "CPUUtilization",
            "Maximum",
            80,
            15 * MINUTE,
            3,
            "Data-node CPU at 80 % or more for 45 minutes: consider a larger instance type "
            "or more instances.",
        ),
        _spec(
            "JVMMemoryPressure",
            "Maximum",
            95,
            MINUTE,
            3,
            "JVM memory pressure at 95 % or more: the cluster may hit out-of-memory errors.",
        ),
        _spec(
            "OldGenJVMMemoryPressure",
            "Maximum",
            80,
            MINUTE,
            3,
            "Old-generation JVM memory pressure at 80 % or more: garbage collection can no "
            "longer keep up.",
        ),
    ]


def _write_specs() -> list[DomainAlarmSpec]:
    return [
        _spec(
            "ThreadpoolWriteQueue",
            "Average",
            100,
            MINUTE,
            1,
            "Write requests are queueing on the write thread pool.",
        ),
        _spec(
            "ThreadpoolWriteRejected",
            "Maximum",
            1,
            MINUTE,
            1,
            "Write requests were rejected (HTTP 429): Firehose retries them.",
        ),
        _spec(
            "Shards.active",
            "Maximum",
            MAX_SHARDS,
            MINUTE,
            1,
            "30,000 or more active shards: shard limits are near.",
        ),
    ]


def _node_specs(facts: DomainFacts) -> list[DomainAlarmSpec]:
    found = [
        DomainAlarmSpec(
            "MasterReachableFromNode",
            "Maximum",
            "LessThanThreshold",
            1,
            DAY,
            1,
            "The master node was unreachable from a node for a day.",
        ),
        DomainAlarmSpec(
            "Nodes",
            "Minimum",
            "LessThanThreshold",
            facts.instance_count,
            DAY,
            1,
            f"Fewer than {facts.instance_count} nodes for a day: a node is unreachable.",
        ),
    ]
    if facts.dedicated_masters:
        found += [
            _spec(
                "MasterCPUUtilization",
                "Maximum",
                50,
                15 * MINUTE,
                3,
                "Master-node CPU at 50 % or more for 45 minutes.",
            ),
            _spec(
                "MasterJVMMemoryPressure",
                "Maximum",
                95,
                MINUTE,
                3,
                "Master-node JVM memory pressure at 95 % or more.",
            ),
            _spec(
                "MasterOldGenJVMMemoryPressure",
                "Maximum",
                80,
                MINUTE,
                3,
                "Master-node old-generation JVM memory pressure at 80 % or more.",
            ),
        ]
    return found


def domain_alarm_specs(facts: DomainFacts) -> list[DomainAlarmSpec]:
    """Every alarm the domain gets (see the module)."""
    return [
        *_status_specs(facts),
        _storage_spec(facts),
        *_load_specs(),
        *_write_specs(),
        *_node_specs(facts),
    ]


@dataclass(frozen=True)
class DomainAlarmsArgs:
    facts: DomainFacts
    topic_arn: pulumi.Input[str]
    alarm_prefix: str


class DomainAlarms(pulumi.ComponentResource):
    """One CloudWatch alarm per spec, alarming and recovering to the alarm topic."""

    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(
        self, name: str, args: DomainAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:monitoring:DomainAlarms", name, None, opts)
        dimensions = {"DomainName": args.facts.domain_name, "ClientId": args.facts.account_id}
        self.alarms = {
            spec.suffix: aws.cloudwatch.MetricAlarm(
                f"{name}-{spec.suffix}",
                name=f"{args.alarm_prefix}-domain-{spec.suffix}",
                alarm_description=f"OpenSearch domain {args.facts.domain_name}: {spec.description}",
                namespace=NAMESPACE,
                metric_name=spec.metric,
                dimensions=dimensions,
                statistic=spec.statistic,
                comparison_operator=spec.comparison,
                threshold=spec.threshold,
                period=spec.period,
                evaluation_periods=spec.evaluation_periods,
                alarm_actions=[args.topic_arn],
                ok_actions=[args.topic_arn],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for spec in domain_alarm_specs(args.facts)
        }
        self.register_outputs({"alarm_names": [a.name for a in self.alarms.values()]})
