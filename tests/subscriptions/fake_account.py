"""A call-counting in-memory account for the subscriber at scale (tests and `bench`).

moto needs minutes for 10,000 groups, so these fakes answer the subscriber's calls with the
same request and response shapes as boto3, paginated at the real page sizes (50 groups per
DescribeLogGroups, 50 functions per ListFunctions), with the errors the subscriber relies on
(ResourceNotFoundException, NoSuchKey). Every call is counted by API name and stamped with the
pacing's virtual clock, so a test can check the rate, and the Lambda context's remaining time
runs on the same clock: an invocation ends at its time budget as in Lambda.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.exceptions import ClientError
from botocore.validate import validate_parameters

from lambda_shared.backoff import RetryPolicy
from subscriptions.clients import Clients
from subscriptions.events import parse_event
from subscriptions.handler import run
from subscriptions.pacing import VirtualClock
from subscriptions.report import RunResult
from subscriptions.settings import Settings

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT_ID}:deliverystream/lambda-logs"
SUBSCRIBER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:subscriber"
BUCKET = "lambda-logs-backup"
ENV = {
    "DESTINATION_ARN": STREAM_ARN,
    "ROLE_ARN": f"arn:aws:iam::{ACCOUNT_ID}:role/cwl-to-firehose",
    "FILTER_NAME": "lambda-logs-pipeline",
    "FILTER_PATTERN": "",
    "LOG_GROUP_PREFIXES": "/aws/lambda/",
    "EXCLUDE_LOG_GROUPS": "",
}
CREATED_MS = 1_700_000_000_000


_LOGS_MODEL = botocore.session.get_session().get_service_model("logs")


def _validated(operation: str, params: dict[str, Any]) -> None:
    """The parameters as botocore would send them (unknown or mistyped ones are refused)."""
    validate_parameters(params, _LOGS_MODEL.operation_model(operation).input_shape)


def _error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, operation)


class Calls:
    """Every call: a count per API name and, in order, (API name, virtual time)."""

    def __init__(self, clock: VirtualClock) -> None:
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, float]] = []
        self._clock = clock

    def __call__(self, operation: str) -> None:
        self.counts[operation] += 1
        self.log.append((operation, self._clock.elapsed))

    def clear(self) -> None:
        self.counts.clear()
        self.log.clear()


class _Events:
    def __init__(self) -> None:
        self.handlers: list[Callable[..., None]] = []

    def register(self, _name: str, handler: Callable[..., None]) -> None:
        self.handlers.append(handler)


class _Fake:
    def __init__(self, calls: Calls) -> None:
        self.meta = type("Meta", (), {})()
        self.meta.events = _Events()
        self._calls = calls

    def _called(self, operation: str) -> None:
        self._calls(operation)
        for handler in self.meta.events.handlers:
            handler()


class FakeLogs(_Fake):
    def __init__(self, calls: Calls, events_per_group: int) -> None:
        super().__init__(calls)
        self.groups: dict[str, int] = {}
        self.filters: dict[str, dict[str, dict[str, Any]]] = {}
        self._sorted: list[str] | None = None
        self.events_per_group = events_per_group
        self.clock = 1_800_000_000_000
        self.keeps_system_fields = True
        """False: like moto 5.2.5, emitSystemFields is accepted but never returned."""
        self.put_params: list[dict[str, Any]] = []
        """Every PutSubscriptionFilter's parameters, in order."""
        self.refuse_puts: str | None = None
        """An error code every PutSubscriptionFilter fails with (e.g. AccessDeniedException)."""

    def add(self, name: str, created_ms: int = CREATED_MS) -> None:
        self.groups[name] = created_ms
        self.filters[name] = {}
        self._sorted = None

    def describe_log_groups(self, limit: int, **params: Any) -> dict[str, Any]:
        self._called("DescribeLogGroups")
        prefix = params.get("logGroupNamePrefix", "")
        if self._sorted is None:
            self._sorted = sorted(self.groups)
        first = bisect.bisect_left(self._sorted, prefix)
        last = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        names = self._sorted[first:last]
        start = int(params.get("nextToken", 0))
        response: dict[str, Any] = {
            "logGroups": [
                {
                    "logGroupName": n,
                    "logGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{n}",
                    "creationTime": self.groups[n],
                }
                for n in names[start : start + limit]
            ]
        }
        if start + limit < len(names):
            response["nextToken"] = str(start + limit)
        return response

    def _group(self, name: str, operation: str) -> dict[str, dict[str, Any]]:
        if name not in self.filters:
            raise _error("ResourceNotFoundException", operation)
        return self.filters[name]

    def describe_subscription_filters(self, logGroupName: str) -> dict[str, Any]:
        self._called("DescribeSubscriptionFilters")
        filters = self._group(logGroupName, "DescribeSubscriptionFilters")
        return {"subscriptionFilters": list(filters.values())}

    def put_subscription_filter(self, **params: Any) -> dict[str, Any]:
        self._called("PutSubscriptionFilter")
        _validated("PutSubscriptionFilter", params)
        self.put_params.append(dict(params))
        if self.refuse_puts is not None:
            raise _error(self.refuse_puts, "PutSubscriptionFilter")
        self.clock += 1
        filters = self._group(params["logGroupName"], "PutSubscriptionFilter")
        stored = {**params, "creationTime": self.clock}
        if not self.keeps_system_fields:
            stored.pop("emitSystemFields", None)
        filters[params["filterName"]] = stored
        return {}

    def delete_subscription_filter(self, logGroupName: str, filterName: str) -> dict[str, Any]:
        self._called("DeleteSubscriptionFilter")
        filters = self._group(logGroupName, "DeleteSubscriptionFilter")
        if filters.pop(filterName, None) is None:
            raise _error("ResourceNotFoundException", "DeleteSubscriptionFilter")
        return {}

    def filter_log_events(self, **params: Any) -> dict[str, Any]:
        self._called("FilterLogEvents")
        events = [
            {
                "eventId": f"{i}",
                "logStreamName": "2026/11/23/[$LATEST]abc",
                "timestamp": self.clock - 10,
                "ingestionTime": self.clock - 5,
                "message": f"START RequestId: {i} " + "x" * 200,
            }
            for i in range(self.events_per_group)
        ]
        return {"events": events}


class FakeLambda(_Fake):
    def __init__(self, calls: Calls) -> None:
        super().__init__(calls)
        self.functions: list[str] = []
        self.invoked: list[dict[str, Any]] = []
        self.custom_groups: dict[str, str] = {}
        """Function → the custom group its LoggingConfig names (default: /aws/lambda/<name>)."""

    def list_functions(self, MaxItems: int, Marker: str = "0") -> dict[str, Any]:
        self._called("ListFunctions")
        start = int(Marker)
        page = self.functions[start : start + MaxItems]
        response: dict[str, Any] = {
            "Functions": [
                {
                    "FunctionName": f,
                    "LoggingConfig": {"LogGroup": self.custom_groups.get(f, f"/aws/lambda/{f}")},
                }
                for f in page
            ]
        }
        if start + MaxItems < len(self.functions):
            response["NextMarker"] = str(start + MaxItems)
        return response

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        self._called("Invoke")
        assert InvocationType == "Event"
        self.invoked.append(json.loads(Payload))
        return {"StatusCode": 202}


class FakeFirehose(_Fake):
    def __init__(self, calls: Calls) -> None:
        super().__init__(calls)
        self.records: dict[str, list[bytes]] = {}

    def put_record_batch(self, DeliveryStreamName: str, Records: list[Any]) -> dict[str, Any]:
        self._called("PutRecordBatch")
        self.records.setdefault(DeliveryStreamName, []).extend(r["Data"] for r in Records)
        return {"FailedPutCount": 0, "RequestResponses": [{"RecordId": "x"}] * len(Records)}


class FakeS3(_Fake):
    def __init__(self, calls: Calls, now_ms: Callable[[], int] = lambda: CREATED_MS) -> None:
        super().__init__(calls)
        self.objects: dict[str, bytes] = {}
        self.modified_ms: dict[str, int] = {}
        """Each object's LastModified (on `now_ms`, the runs' clock)."""
        self._now_ms = now_ms

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self._called("GetObject")
        if Key not in self.objects:
            raise _error("NoSuchKey", "GetObject")
        body = self.objects[Key]
        modified = datetime.fromtimestamp(self.modified_ms[Key] / 1000, UTC)
        return {"Body": type("Body", (), {"read": lambda _self: body})(), "LastModified": modified}

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:
        self._called("PutObject")
        self.objects[Key] = Body
        self.modified_ms[Key] = self._now_ms()
        return {}

    def delete_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self._called("DeleteObject")
        self.objects.pop(Key, None)
        return {}


class _Context:
    """Lambda's context: the time left runs on the pacing's virtual clock."""

    def __init__(self, clock: VirtualClock, timeout_s: float | None) -> None:
        self._clock = clock
        self._ends = None if timeout_s is None else clock.elapsed + timeout_s
        self.invoked_function_arn = SUBSCRIBER_ARN
        self.function_name = "subscriber"

    def get_remaining_time_in_millis(self) -> int:
        if self._ends is None:
            return 2**40
        return int((self._ends - self._clock.elapsed) * 1000)


class Account:
    """`groups` Lambda groups `/aws/lambda/fn-NNNNN`, each with its function, in one account."""

    def __init__(
        self,
        groups: int,
        *,
        events_per_group: int = 0,
        state: bool = True,
        timeout_s: float | None = None,
        **env: str,
    ) -> None:
        self.clock = VirtualClock()
        self.calls = Calls(self.clock)
        self.logs = FakeLogs(self.calls, events_per_group)
        self.lambda_ = FakeLambda(self.calls)
        self.firehose = FakeFirehose(self.calls)
        self.s3 = FakeS3(self.calls, self.now_ms)
        self.sts: Any = None
        """An STS client for a spoke's backfill role (moto's, or a fake), when a test sets it."""
        self.env = {**ENV, **({"BACKFILL_STATE_BUCKET": BUCKET} if state else {}), **env}
        self.timeout_s = timeout_s
        self.emitted: list[str] = []
        """Every log line the runs wrote."""
        self.add_groups(groups)

    def add_groups(self, count: int) -> None:
        start = len(self.lambda_.functions)
        for index in range(start, start + count):
            function = f"fn-{index:05d}"
            self.lambda_.functions.append(function)
            self.logs.add(f"/aws/lambda/{function}")

    def now_ms(self) -> int:
        """The runs' wall clock (epoch ms), on the virtual clock."""
        return CREATED_MS + 10**9 + int(self.clock.elapsed * 1000)

    def settings(self) -> Settings:
        return Settings.from_env(self.env)

    def run(self, event: object) -> RunResult:
        """One invocation (its self-invocations are kept in `lambda_.invoked`)."""
        clients = {"logs": self.logs, "lambda": self.lambda_, "firehose": self.firehose}
        clients["s3"] = self.s3
        if self.sts is not None:
            clients["sts"] = self.sts
        return run(
            parse_event(event),
            self.settings(),
            _Context(self.clock, self.timeout_s),
            clients=Clients(clients.__getitem__),
            policy=RetryPolicy(sleep=lambda _: None),
            emit=self.emitted.append,
            clock_ms=self.now_ms,
            clock=self.clock,
        )

    def run_chain(self, event: object, limit: int = 1_000) -> list[RunResult]:
        """The invocation and every continuation it starts, in turn."""
        results = [self.run(event)]
        while self.lambda_.invoked and len(results) < limit:
            results.append(self.run(self.lambda_.invoked.pop(0)))
        return results

    def ours(self) -> int:
        """Groups that hold the pipeline's filter."""
        name = ENV["FILTER_NAME"]
        return sum(1 for filters in self.logs.filters.values() if name in filters)
