"""Moto-backed AWS for the subscriber's tests: logs, lambda, iam, firehose (ExtendedS3 → S3)."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambda_shared.aws_clients import SUBSCRIBER_TIMEOUTS, client_config
from lambda_shared.backoff import RetryPolicy
from subscriptions.clients import Clients
from subscriptions.events import parse_event
from subscriptions.handler import run
from subscriptions.pacing import VirtualClock
from subscriptions.report import RunResult
from subscriptions.settings import Settings
from tests.subscriptions.helpers import InvokeRecorder

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STREAM = "lambda-logs"
BUCKET = "lambda-logs-backup"
FILTER = "lambda-logs-pipeline"
SUBSCRIBER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:subscriber"
PIPELINE_GROUPS = ("/aws/lambda/lambda-logs-transformer", "/aws/kinesisfirehose/lambda-logs")
WRITE_OPERATIONS = frozenset(
    {"PutSubscriptionFilter", "DeleteSubscriptionFilter", "PutRecordBatch", "Invoke"}
)

NO_SLEEP = RetryPolicy(sleep=lambda _: None, jitter=lambda: 0.5)


@dataclass
class FakeContext:
    """Lambda's context: `remaining` is called once per budget check."""

    remaining: Callable[[], int] = lambda: 900_000
    invoked_function_arn: str = SUBSCRIBER_ARN
    function_name: str = "lambda-logs-dev-subscriber"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining()


@dataclass
class CallLog:
    """Every API call the subscriber's clients made, by operation name."""

    operations: list[str] = field(default_factory=list)

    def __call__(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    def writes(self) -> list[str]:
        return [op for op in self.operations if op in WRITE_OPERATIONS]

    def count(self, operation: str) -> int:
        return self.operations.count(operation)


@dataclass
class SystemFieldsShim:
    """moto 5.2.5 accepts `emitSystemFields` but drops it; AWS "Returns the emitSystemFields
    value if it was specified when the subscription filter was created" (API_SubscriptionFilter).
    These botocore hooks give moto that behaviour: the puts' fields, per (group, filter), are
    added to DescribeSubscriptionFilters' parsed response."""

    fields: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def register(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-parameter-build.logs.PutSubscriptionFilter", self._put)
        events.register("before-parameter-build.logs.DeleteSubscriptionFilter", self._delete)
        events.register("after-call.logs.DescribeSubscriptionFilters", self._describe)

    def _put(self, params: dict[str, Any], **_: Any) -> None:
        key = (params["logGroupName"], params["filterName"])
        if params.get("emitSystemFields"):
            self.fields[key] = list(params["emitSystemFields"])
        else:
            self.fields.pop(key, None)

    def _delete(self, params: dict[str, Any], **_: Any) -> None:
        self.fields.pop((params["logGroupName"], params["filterName"]), None)

    def _describe(self, parsed: dict[str, Any], **_: Any) -> None:
        for found in parsed.get("subscriptionFilters", []):
            emitted = self.fields.get((found["logGroupName"], found["filterName"]))
            if emitted:
                found["emitSystemFields"] = list(emitted)


@dataclass
class Aws:
    logs: Any
    lambda_: Any
    s3: Any
    destination_arn: str
    role_arn: str
    env: dict[str, str]
    calls: CallLog = field(default_factory=CallLog)
    invocations: list[dict[str, Any]] = field(default_factory=list)
    hooks: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)
    clock: VirtualClock = field(default_factory=VirtualClock)
    """The pacing's clock: it waits without sleeping (`clock.elapsed` is the paced time)."""
    shim: SystemFieldsShim | None = None
    """None: moto as it is (it drops emitSystemFields)."""

    def settings(self, **overrides: str) -> Settings:
        return Settings.from_env({**self.env, **overrides})

    def clients(self) -> Clients:
        """Fresh subscriber clients that log every call and carry the test's hooks."""

        def factory(service: str) -> Any:
            client = boto3.client(
                service, region_name=REGION, config=client_config(SUBSCRIBER_TIMEOUTS)
            )
            client.meta.events.register("before-parameter-build", self.calls)
            if service == "logs" and self.shim is not None:
                self.shim.register(client)
            if service == "lambda":
                client.meta.events.register(
                    "before-call.lambda.Invoke", InvokeRecorder(self.invocations)
                )
            for event_name, hook in self.hooks:
                if event_name.split(".")[1] == client.meta.service_model.endpoint_prefix or (
                    event_name.split(".")[1] == client.meta.service_model.service_id.hyphenize()
                ):
                    client.meta.events.register(event_name, hook)
            return client

        return Clients(factory)

    def run(
        self,
        event: object,
        context: object | None = None,
        settings: Settings | None = None,
        emitted: list[str] | None = None,
        policy: RetryPolicy = NO_SLEEP,
    ) -> RunResult:
        sink = emitted if emitted is not None else []
        return run(
            parse_event(event),
            settings or self.settings(),
            context if context is not None else FakeContext(),
            clients=self.clients(),
            policy=policy,
            emit=sink.append,
            clock=self.clock,
        )

    # --- fixtures of the world ----------------------------------------------------------

    def group(self, name: str, *events: str, stream: str = "2026/11/23/[$LATEST]abc") -> None:
        self.logs.create_log_group(logGroupName=name)
        if events:
            self.put_events(name, *events, stream=stream)

    def put_events(
        self, name: str, *messages: str, stream: str = "2026/11/23/[$LATEST]abc", ts: int = 0
    ) -> None:
        existing = self.logs.describe_log_streams(logGroupName=name)["logStreams"]
        if stream not in {s["logStreamName"] for s in existing}:
            self.logs.create_log_stream(logGroupName=name, logStreamName=stream)
        now = ts or _now_ms()
        self.logs.put_log_events(
            logGroupName=name,
            logStreamName=stream,
            logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
        )

    def foreign_filter(self, group: str, name: str = "someone-else") -> None:
        self.logs.put_subscription_filter(
            logGroupName=group,
            filterName=name,
            filterPattern="ERROR",
            destinationArn=self.destination_arn,
            roleArn=self.role_arn,
        )

    def filters(self, group: str) -> dict[str, dict[str, Any]]:
        found = self.logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
        return {f["filterName"]: f for f in found}

    def function(self, name: str) -> None:
        self.lambda_.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=self.role_arn,
            Handler="index.handler",
            Code={"ZipFile": _zip()},
        )

    def delivered(self) -> list[dict[str, Any]]:
        """Every CloudWatch envelope that reached the stream's S3 destination, decoded."""
        envelopes: list[dict[str, Any]] = []
        listing = self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        for item in listing:
            body = self.s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            envelopes.extend(_gzip_members(body))
        return envelopes

    def delivered_messages(self) -> list[str]:
        return [e["message"] for env in self.delivered() for e in env["logEvents"]]


def _gzip_members(data: bytes) -> Iterator[dict[str, Any]]:
    """S3 objects hold the batch's records back to back: one gzip member per record."""
    while data:
        decompressor = zlib.decompressobj(31)
        yield json.loads(decompressor.decompress(data))
        data = decompressor.unused_data


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


@pytest.fixture
def aws() -> Iterator[Aws]:
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "logs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role_arn = iam.create_role(
            RoleName="cwl-to-firehose", AssumeRolePolicyDocument=json.dumps(trust)
        )["Role"]["Arn"]
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        firehose = boto3.client("firehose", region_name=REGION)
        destination_arn = firehose.create_delivery_stream(
            DeliveryStreamName=STREAM,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": role_arn,
                "BucketARN": f"arn:aws:s3:::{BUCKET}",
            },
        )["DeliveryStreamARN"]
        env = {
            "DESTINATION_ARN": destination_arn,
            "ROLE_ARN": role_arn,
            "FILTER_NAME": FILTER,
            "FILTER_PATTERN": "",
            "LOG_GROUP_PREFIXES": "/aws/lambda/",
            "EXCLUDE_LOG_GROUPS": "",
            "PIPELINE_LOG_GROUPS": ",".join(PIPELINE_GROUPS),
        }
        shim = SystemFieldsShim()
        logs = boto3.client("logs", region_name=REGION)
        shim.register(logs)
        yield Aws(
            logs=logs,
            shim=shim,
            lambda_=boto3.client("lambda", region_name=REGION),
            s3=s3,
            destination_arn=destination_arn,
            role_arn=role_arn,
            env=env,
        )
