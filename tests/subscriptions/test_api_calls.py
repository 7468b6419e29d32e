"""The API calls of a 10,000-group account, counted.

moto needs minutes for 10,000 groups, so these tests use a lightweight in-memory fake of the
four clients (same request and response shapes as boto3, pagination at the real page sizes:
50 groups per DescribeLogGroups, 50 functions per ListFunctions). The figures are in
README.md (Subscriptions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from lambda_shared.backoff import RetryPolicy
from subscriptions.clients import Clients
from subscriptions.events import parse_event
from subscriptions.handler import run
from subscriptions.pacing import VirtualClock
from subscriptions.report import RunResult
from subscriptions.settings import Settings
from tests.subscriptions.test_settings import VALID

GROUPS = 10_000


class _Events:
    def __init__(self, calls: Counter[str]) -> None:
        self.handlers: list[Callable[..., None]] = []
        self.calls = calls

    def register(self, _name: str, handler: Callable[..., None]) -> None:
        self.handlers.append(handler)

    def called(self, operation: str) -> None:
        self.calls[operation] += 1
        for handler in self.handlers:
            handler()


class _Meta:
    def __init__(self, calls: Counter[str]) -> None:
        self.events = _Events(calls)


class FakeLogs:
    def __init__(self, names: list[str], calls: Counter[str], events_per_group: int) -> None:
        self.meta = _Meta(calls)
        self.names = sorted(names)
        self.filters: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in names}
        self.events_per_group = events_per_group
        self.clock = 1_800_000_000_000

    def describe_log_groups(self, limit: int, **params: Any) -> dict[str, Any]:
        self.meta.events.called("DescribeLogGroups")
        prefix = params.get("logGroupNamePrefix", "")
        names = [n for n in self.names if n.startswith(prefix)]
        start = int(params.get("nextToken", 0))
        page = names[start : start + limit]
        response: dict[str, Any] = {
            "logGroups": [
                {
                    "logGroupName": n,
                    "logGroupArn": f"arn:aws:logs:eu-west-1:123456789012:log-group:{n}",
                    "creationTime": 1_700_000_000_000,
                }
                for n in page
            ]
        }
        if start + limit < len(names):
            response["nextToken"] = str(start + limit)
        return response

    def describe_subscription_filters(self, logGroupName: str) -> dict[str, Any]:
        self.meta.events.called("DescribeSubscriptionFilters")
        return {"subscriptionFilters": list(self.filters[logGroupName].values())}

    def put_subscription_filter(self, **params: Any) -> dict[str, Any]:
        self.meta.events.called("PutSubscriptionFilter")
        self.clock += 1
        self.filters[params["logGroupName"]][params["filterName"]] = {
            **params,
            "creationTime": self.clock,
        }
        return {}

    def delete_subscription_filter(self, logGroupName: str, filterName: str) -> dict[str, Any]:
        self.meta.events.called("DeleteSubscriptionFilter")
        del self.filters[logGroupName][filterName]
        return {}

    def filter_log_events(self, **params: Any) -> dict[str, Any]:
        self.meta.events.called("FilterLogEvents")
        events = [
            {
                "eventId": f"{i}",
                "logStreamName": "2026/11/23/[$LATEST]abc",
                "timestamp": self.clock - 10,
                "ingestionTime": self.clock - 5,
                "message": f"START RequestId: {i}",
            }
            for i in range(self.events_per_group)
        ]
        return {"events": events}


class FakeLambda:
    def __init__(self, functions: list[str], calls: Counter[str]) -> None:
        self.meta = _Meta(calls)
        self.functions = functions

    def list_functions(self, MaxItems: int, Marker: str = "0") -> dict[str, Any]:
        self.meta.events.called("ListFunctions")
        start = int(Marker)
        page = self.functions[start : start + MaxItems]
        response: dict[str, Any] = {
            "Functions": [
                {"FunctionName": f, "LoggingConfig": {"LogGroup": f"/aws/lambda/{f}"}} for f in page
            ]
        }
        if start + MaxItems < len(self.functions):
            response["NextMarker"] = str(start + MaxItems)
        return response


class FakeFirehose:
    def __init__(self, calls: Counter[str]) -> None:
        self.meta = _Meta(calls)

    def put_record_batch(self, **params: Any) -> dict[str, Any]:
        self.meta.events.called("PutRecordBatch")
        return {
            "FailedPutCount": 0,
            "RequestResponses": [{"RecordId": "x"}] * len(params["Records"]),
        }


class Account:
    """10,000 functions, each logging to its own /aws/lambda/ group."""

    def __init__(self, events_per_group: int = 0) -> None:
        functions = [f"fn-{i:05d}" for i in range(GROUPS)]
        self.calls: Counter[str] = Counter()
        self.logs = FakeLogs([f"/aws/lambda/{f}" for f in functions], self.calls, events_per_group)
        self.clients = {
            "logs": self.logs,
            "lambda": FakeLambda(functions, self.calls),
            "firehose": FakeFirehose(self.calls),
        }

    def run(self, action: str) -> RunResult:
        self.calls.clear()
        return run(
            parse_event({"action": action}),
            Settings.from_env(VALID),
            None,
            clients=Clients(self.clients.__getitem__),
            policy=RetryPolicy(sleep=lambda _: None),
            emit=lambda _: None,
            clock=VirtualClock(),
        )


def test_first_reconcile_of_10000_new_groups() -> None:
    # GIVEN 10,000 functions and their 10,000 unsubscribed, still empty groups
    account = Account()

    # WHEN the subscriber reconciles
    result = account.run("reconcile")

    # THEN per group: read filters, put, read the filter's creation time, one FilterLogEvents
    assert result["outcomes"] == {"created": GROUPS}
    assert account.calls == {
        "DescribeLogGroups": 200,
        "DescribeSubscriptionFilters": 20_000,
        "PutSubscriptionFilter": 10_000,
        "FilterLogEvents": 10_000,
        "ListFunctions": 200,
    }
    assert result["apiCalls"] == sum(account.calls.values()) == 40_400


def test_steady_state_reconcile_of_10000_groups_only_reads() -> None:
    # GIVEN the account, already reconciled
    account = Account()
    account.run("reconcile")

    # WHEN the subscriber reconciles again
    result = account.run("reconcile")

    # THEN one DescribeSubscriptionFilters per group plus the listings, and no write
    assert result["outcomes"] == {"unchanged": GROUPS}
    assert account.calls == {
        "DescribeLogGroups": 200,
        "DescribeSubscriptionFilters": 10_000,
        "ListFunctions": 200,
    }
    assert result["apiCalls"] == 10_400


def test_remove_of_10000_groups() -> None:
    # GIVEN the reconciled account
    account = Account()
    account.run("reconcile")

    # WHEN the subscriber removes its filters
    result = account.run("remove")

    # THEN one read and one delete per group
    assert result["outcomes"] == {"deleted": GROUPS}
    assert account.calls == {
        "DescribeLogGroups": 200,
        "DescribeSubscriptionFilters": 10_000,
        "DeleteSubscriptionFilter": 10_000,
        "ListFunctions": 200,
    }
    assert result["apiCalls"] == 20_400


def test_first_reconcile_of_10000_groups_that_already_hold_events() -> None:
    # GIVEN 10,000 new groups holding 3 events each
    account = Account(events_per_group=3)

    # WHEN the subscriber reconciles
    result = account.run("reconcile")

    # THEN each group's backfill adds one PutRecordBatch call
    assert result["backfillEvents"] == 3 * GROUPS
    assert account.calls["PutRecordBatch"] == GROUPS
    assert result["apiCalls"] == 50_400
