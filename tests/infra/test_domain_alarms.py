"""The domain health alarms under Pulumi mocks: AWS's recommended metrics, statistics,
thresholds and periods, on `AWS/ES` with `DomainName` and `ClientId`, to the alarm topic; none
for an existing domain."""

from __future__ import annotations

from typing import Any

from infra.domain_alarms import DomainFacts, domain_alarm_specs
from tests.infra.harness import ACCOUNT, REGION, ProgramRun

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms"
# metric: (statistic, comparison, threshold, period, evaluation periods), AWS's recommendations
EXPECTED = {
    "ClusterStatus.red": ("Maximum", "GreaterThanOrEqualToThreshold", 1, 60, 1),
    "ClusterStatus.yellow": ("Maximum", "GreaterThanOrEqualToThreshold", 1, 60, 5),
    "FreeStorageSpace": ("Minimum", "LessThanOrEqualToThreshold", 25600, 60, 1),
    "ClusterIndexWritesBlocked": ("Maximum", "GreaterThanOrEqualToThreshold", 1, 300, 1),
    "AutomatedSnapshotFailure": ("Maximum", "GreaterThanOrEqualToThreshold", 1, 60, 1),
    "CPUUtilization": ("Maximum", "GreaterThanOrEqualToThreshold", 80, 900, 3),
    "JVMMemoryPressure": ("Maximum", "GreaterThanOrEqualToThreshold", 95, 60, 3),
    "OldGenJVMMemoryPressure": ("Maximum", "GreaterThanOrEqualToThreshold", 80, 60, 3),
    "ThreadpoolWriteQueue": ("Average", "GreaterThanOrEqualToThreshold", 100, 60, 1),
    "ThreadpoolWriteRejected": ("Maximum", "GreaterThanOrEqualToThreshold", 1, 60, 1),
    "Shards.active": ("Maximum", "GreaterThanOrEqualToThreshold", 30000, 60, 1),
    "MasterReachableFromNode": ("Maximum", "LessThanThreshold", 1, 86400, 1),
    "Nodes": ("Minimum", "LessThanThreshold", 2, 86400, 1),
}


def domain_alarms(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {
        a.inputs["metricName"]: a.inputs
        for a in run.of_type(ALARM)
        if a.inputs.get("namespace") == "AWS/ES"
    }


def test_the_created_domain_gets_every_recommended_alarm(default_run: ProgramRun) -> None:
    alarms = domain_alarms(default_run)
    assert set(alarms) == set(EXPECTED)
    for metric, (statistic, comparison, threshold, period, times) in EXPECTED.items():
        alarm = alarms[metric]
        got = (
            alarm["statistic"],
            alarm["comparisonOperator"],
            alarm["threshold"],
            alarm["period"],
            alarm["evaluationPeriods"],
        )
        assert got == (statistic, comparison, threshold, period, times), metric
        assert alarm["dimensions"] == {"DomainName": "lambda-logs-test", "ClientId": ACCOUNT}
        assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
        assert alarm["name"].startswith("lambda-logs-test-domain-")
        assert "lambda-logs-test" in alarm["alarmDescription"]


def test_an_existing_domain_gets_none(byo_policy_run: ProgramRun) -> None:
    assert domain_alarms(byo_policy_run) == {}


def test_a_one_node_domain_with_no_replicas_keeps_yellow(tuned_run: ProgramRun) -> None:
    # tuned: one node, replicas 0: yellow means something there
    alarms = domain_alarms(tuned_run)
    assert "ClusterStatus.yellow" in alarms and alarms["Nodes"]["threshold"] == 1


def facts(**overrides: Any) -> DomainFacts:
    values: dict[str, Any] = {
        "domain_name": "d",
        "account_id": ACCOUNT,
        "volume_size_gb": 10,
        "instance_count": 1,
        "replicas": 1,
        **overrides,
    }
    return DomainFacts(**values)


def test_yellow_is_left_out_where_it_is_permanent_and_storage_follows_the_volume() -> None:
    specs = {s.metric: s for s in domain_alarm_specs(facts())}
    assert "ClusterStatus.yellow" not in specs  # one node, one replica: yellow by design
    assert specs["FreeStorageSpace"].threshold == 2560  # 25 % of 10 GiB, in MiB


def test_master_alarms_only_with_dedicated_masters() -> None:
    plain = {s.metric for s in domain_alarm_specs(facts())}
    masters = {s.metric for s in domain_alarm_specs(facts(dedicated_masters=True))}
    assert masters - plain == {
        "MasterCPUUtilization",
        "MasterJVMMemoryPressure",
        "MasterOldGenJVMMemoryPressure",
    }
    suffixes = [s.suffix for s in domain_alarm_specs(facts(dedicated_masters=True))]
    assert len(set(suffixes)) == len(suffixes)
