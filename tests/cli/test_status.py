"""`status` on a stack in moto (Lambda, CloudWatch Logs, S3, CloudWatch) and the OpenSearch
HTTP fake: each check's verdict, the exit code, the JSON and the pace of the filter reads."""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdalogs.status import coverage
from tests.fakes.opensearch_aggs import search_response
from tests.fakes.opensearch_http import FakeOpenSearch, RecordedRequest, Reply
from tests.subscriptions.conftest import _zip

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/lambda-logs"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms"
FILTER = "lambda-logs"
SUBSCRIBER = "lambda-logs-subscriber"
BUCKET = "lambda-logs-backup"
OLD_MS = int((datetime.now(UTC) - timedelta(days=2)).timestamp() * 1000)


@dataclass
class World:
    logs: Any
    s3: Any
    cloudwatch: Any
    classes: dict[str, str]
    fresh: set[str]
    filter_calls: list[float]
    role_arn: str

    def group(self, name: str, *, ours: bool = False, others: int = 0) -> None:
        self.logs.create_log_group(logGroupName=name)
        names = ([FILTER] if ours else []) + [f"other-{i}" for i in range(others)]
        for filter_name in names:
            self.logs.put_subscription_filter(
                logGroupName=name,
                filterName=filter_name,
                filterPattern="",
                destinationArn=STREAM_ARN if filter_name == FILTER else STREAM_ARN + "-x",
                roleArn=self.role_arn,
            )

    def alarm(self, name: str, state: str, topic: str = TOPIC_ARN) -> None:
        self.cloudwatch.put_metric_alarm(
            AlarmName=name,
            MetricName="DeliveryToAmazonOpenSearchService.DataFreshness",
            Namespace="AWS/Firehose",
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=900,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic],
        )
        self.cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        role_arn = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        boto3.client("lambda", region_name=REGION).create_function(
            FunctionName=SUBSCRIBER,
            Runtime="python3.12",
            Role=role_arn,
            Handler="index.handler",
            Code={"ZipFile": _zip()},
            Environment={
                "Variables": {
                    "DESTINATION_ARN": STREAM_ARN,
                    "ROLE_ARN": role_arn,
                    "FILTER_NAME": FILTER,
                    "FILTER_PATTERN": "",
                    "LOG_GROUP_PREFIXES": "/aws/lambda/,/custom/",
                    "EXCLUDE_LOG_GROUPS": "/aws/lambda/skip-*",
                    "PIPELINE_LOG_GROUPS": "",
                }
            },
        )
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        firehose = boto3.client("firehose", region_name=REGION)
        for name in ("lambda-logs", "lambda-logs-x"):  # ours, and another pipeline's
            firehose.create_delivery_stream(
                DeliveryStreamName=name,
                ExtendedS3DestinationConfiguration={
                    "RoleARN": role_arn,
                    "BucketARN": f"arn:aws:s3:::{BUCKET}",
                },
            )
        state = World(
            boto3.client("logs", region_name=REGION),
            s3,
            boto3.client("cloudwatch", region_name=REGION),
            {},
            set(),
            [],
            role_arn,
        )

        def session(profile: str | None, region: str) -> Any:
            made = boto3.Session(region_name=region)
            # moto omits logGroupClass and dates every group now: set both as AWS would
            made.events.register("after-call.cloudwatch-logs.DescribeLogGroups", _groups(state))
            made.events.register(
                "before-call.cloudwatch-logs.DescribeSubscriptionFilters",
                lambda **_: state.filter_calls.append(time.monotonic()),
            )
            return made

        monkeypatch.setattr("lambdalogs.commands.status.aws_session", session)
        yield state


def _groups(state: World) -> Any:
    def hook(parsed: dict[str, Any], **_: Any) -> None:
        for group in parsed.get("logGroups", []):
            name = group["logGroupName"]
            group["logGroupClass"] = state.classes.get(name, "STANDARD")
            if name not in state.fresh:
                group["creationTime"] = OLD_MS

    return hook


def _index(fake: FakeOpenSearch, *, ages: dict[str, timedelta], policy: str | None) -> None:
    now = datetime.now(UTC)
    day = f"lambda-logs-{now:%Y-%m-%d}"
    for n, (function, age) in enumerate(ages.items()):
        moment = (now - age).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        fake.store.add(day, {"@timestamp": moment, "faas.name": function, "message": "x"}, str(n))
    fake.route(
        "*",
        r"/lambda-logs-\*/_search",
        lambda r: Reply(200, search_response(fake.store.documents("lambda-logs-*"), r.json())),
    )

    def explain(_request: RecordedRequest) -> Reply:
        key = "index.plugins.index_state_management.policy_id"
        body: dict[str, Any] = {day: {key: policy, "index": day, "policy_id": policy}}
        if policy:
            body[day]["enabled"] = True
        body["total_managed_indices"] = 1 if policy else 0
        return Reply(200, body)

    fake.route("GET", r"/_plugins/_ism/explain/lambda-logs-\*", explain)


def _outputs(tmp_path: Path, fake: FakeOpenSearch) -> Path:
    path = tmp_path / "outputs.json"
    outputs = {
        "streamArn": STREAM_ARN,
        "streamName": "lambda-logs",
        "bucketName": BUCKET,
        "subscriberFunctionName": SUBSCRIBER,
        "domainEndpoint": fake.url,
        "alarmTopicArn": TOPIC_ARN,
        "dashboardsUrl": f"{fake.url}/_dashboards",
    }
    path.write_text(json.dumps(outputs))
    return path


def _healthy(world: World, fake: FakeOpenSearch) -> None:
    world.group("/aws/lambda/orders", ours=True)
    world.group("/aws/lambda/payments", ours=True)
    world.group("/custom/app", ours=True)
    world.group("/aws/lambda/skip-me")  # excluded by EXCLUDE_LOG_GROUPS
    world.group("/lambda-logs-pipeline/prod/transformer")  # outside the prefixes anyway
    world.group("/aws/lambda/archive")
    world.classes["/aws/lambda/archive"] = "INFREQUENT_ACCESS"
    world.alarm("lambda-logs-health-freshness-1a2b3c", "OK")
    world.alarm("lambda-logs-health-other-stack", "ALARM", topic=TOPIC_ARN + "-other")
    _index(
        fake,
        ages={"orders": timedelta(minutes=2), "payments": timedelta(hours=3)},
        policy="lambda-logs-retention",
    )


def test_a_healthy_stack_is_all_ok_and_exits_0(
    cli: Any, world: World, fake: FakeOpenSearch, tmp_path: Path
) -> None:
    _healthy(world, fake)
    result = cli("status", "--outputs", str(_outputs(tmp_path, fake)), "--json")
    assert result.code == 0, result.out + result.err
    report = json.loads(result.out)
    checks = {c["name"]: c for c in report["checks"]}
    assert {name: c["state"] for name, c in checks.items()} == {
        "subscriptions": "ok",
        "freshness": "ok",
        "failed records": "ok",
        "retention (ISM)": "ok",
        "alarms": "ok",
    }
    subs = checks["subscriptions"]
    assert (subs["eligible"], subs["subscribed"], subs["excluded"]) == (3, 3, 1)
    assert subs["unsupported_class"] == {"/aws/lambda/archive": "INFREQUENT_ACCESS"}
    assert any("recreate them as STANDARD" in note for note in subs["notes"])
    ages = {f["function"]: f["age_seconds"] for f in checks["freshness"]["functions"]}
    assert 100 <= ages["orders"] <= 200 and 10_700 <= ages["payments"] <= 10_900
    # the other stack's alarm (another topic) is not ours
    assert [a["name"] for a in checks["alarms"]["alarms"]] == [
        "lambda-logs-health-freshness-1a2b3c"
    ]
    assert report["stack"]["region"] == REGION and report["exit_code"] == 0
    # the same stack with a tighter freshness: the newest document (2 min) is now too old
    tight = cli("status", "--outputs", str(_outputs(tmp_path, fake)), "--stale-after", "60s")
    assert tight.code == 1 and "nothing indexed for more than 60 s" in tight.out
    assert "! orders" in tight.out and "! payments" not in tight.out
    refused = cli("status", "--outputs", str(_outputs(tmp_path, fake)), "--stale-after", "0m")
    assert refused.code == 2 and "is not an age" in refused.err


def test_each_problem_needs_attention_and_exits_1(
    cli: Any, world: World, fake: FakeOpenSearch, tmp_path: Path
) -> None:
    world.group("/aws/lambda/orders", ours=True)
    world.group("/aws/lambda/missing")
    world.group("/aws/lambda/full", others=2)
    world.group("/aws/lambda/brand-new")
    world.fresh.add("/aws/lambda/brand-new")
    world.s3.put_object(Bucket=BUCKET, Key="processing-failed/2026/12/01/10/x.gz", Body=b"abc")
    world.s3.put_object(Bucket=BUCKET, Key="documents/2026/12/01/10/y.gz", Body=b"abcdef")
    world.alarm("lambda-logs-health-transformer-errors-9f9f9f", "ALARM")
    _index(fake, ages={"orders": timedelta(hours=2)}, policy=None)

    result = cli("status", "--outputs", str(_outputs(tmp_path, fake)))

    assert result.code == 1, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("lambdalogs status: lambda-logs (eu-west-1): needs attention: ")
    for name in ("subscriptions", "freshness", "failed records", "retention (ISM)", "alarms"):
        assert name in lines[0]
        assert any(line.startswith(name) and "ATTENTION" in line for line in lines), name
    assert "! /aws/lambda/missing" in result.out and "no subscription filter" in result.out
    assert "! /aws/lambda/full" in result.out and "at the filter limit" in result.out
    assert "/aws/lambda/brand-new" in result.out and "! /aws/lambda/brand-new" not in result.out
    assert "! processing-failed/" in result.out and "lambdalogs replay --bucket" in result.out
    assert "no ISM policy" in result.out and "_plugins/_ism/add/lambda-logs-*" in result.out
    assert "! lambda-logs-health-transformer-errors-9f9f9f" in result.out
    assert "\033[" not in result.out  # not a terminal: no escape codes


def test_filter_reads_are_paced_and_sampled_above_the_cap(
    cli: Any, world: World, fake: FakeOpenSearch, tmp_path: Path
) -> None:
    for i in range(7):
        world.group(f"/aws/lambda/fn-{i}", ours=i != 3)
    result = cli(
        "status", "--subscriber", SUBSCRIBER, "--region", REGION, "--max-groups", "4", "--json"
    )
    subs = next(c for c in json.loads(result.out)["checks"] if c["name"] == "subscriptions")
    assert (subs["eligible"], subs["checked"], subs["sampled"]) == (7, 4, True)
    assert "checked 4 of 7 groups" in subs["summary"]
    assert len(world.filter_calls) == 4
    gaps = [b - a for a, b in itertools.pairwise(world.filter_calls)]
    assert min(gaps) >= 1 / coverage.FILTER_CALLS_PER_SECOND - 0.02
    assert "status: reading subscription filters" in result.err  # progress from the start
    # checks without their input are skipped, not failed
    states = {c["name"]: c["state"] for c in json.loads(result.out)["checks"]}
    assert states["freshness"] == states["failed records"] == "skipped"


def test_a_refused_call_makes_that_check_unknown_and_the_rest_still_run(
    cli: Any, world: World, fake: FakeOpenSearch, tmp_path: Path
) -> None:
    _healthy(world, fake)
    result = cli(
        "status",
        "--outputs",
        str(_outputs(tmp_path, fake)),
        "--bucket",
        "no-such-bucket",
        "--json",
    )
    assert result.code == 1
    states = {c["name"]: (c["state"], c["summary"]) for c in json.loads(result.out)["checks"]}
    assert states["failed records"][0] == "unknown"
    assert "NoSuchBucket" in states["failed records"][1]
    assert states["freshness"][0] == states["subscriptions"][0] == "ok"


def test_outputs_from_standard_input_and_bad_input_is_one_line(
    cli: Any, world: World, fake: FakeOpenSearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _healthy(world, fake)
    monkeypatch.setattr("sys.stdin", io.StringIO(_outputs(tmp_path, fake).read_text()))
    assert cli("status", "--outputs", "-").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("not json"))
    bad = cli("status", "--outputs", "-")
    assert bad.code == 2 and "is not JSON" in bad.err and "pulumi stack output --json" in bad.err
    nothing = cli("status")
    assert nothing.code == 2 and "--outputs FILE" in nothing.err
