"""Lambda entry point of the architecture publisher: `handler(event, context)`.

In account-policy mode (`subscriptionMode: account-policy`) there is no subscriber to publish the
account's architecture map after its reconcile, so this function does only that, on an hourly
schedule (infra/architecture_publisher.py): it walks ListFunctions and writes
`architectures/<account>/<region>.json.gz` to ARCHITECTURE_BUCKET (in a spoke, the hub's bucket,
in ARCHITECTURE_BUCKET_REGION) when the map changed or is 12 hours old, with the subscriber's own
code (subscriptions/architectures.py; docs/decisions/architecture-map.md). The event is ignored:
every invocation does the same. Settings are read and clients created inside the handler."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Final, TypedDict

from lambda_shared import metrics
from lambda_shared.aws_clients import SUBSCRIBER_TIMEOUTS
from lambda_shared.backoff import RetryPolicy
from lambda_shared.environment import (
    ARCHITECTURE_BUCKET,
    FILTER_API_QUOTA_PERCENT,
    architecture_map_key,
)
from subscriptions.architectures import (
    ArchitecturePublisher,
    FunctionArchitectures,
    own_account_and_region,
    publish_architectures,
)
from subscriptions.budget import TimeBudget
from subscriptions.clients import Clients
from subscriptions.errors import SettingsError
from subscriptions.hub_access import HubAccess, read_hub_access
from subscriptions.pacing import CallPacer, Clock
from subscriptions.report import RunReport
from subscriptions.retry import RetryStats
from subscriptions.settings import bounded_integer

TIME_MARGIN_SECONDS: Final = 3 * SUBSCRIBER_TIMEOUTS.worst_case
"""Stop walking this long before the timeout (90 s of the function's 300): after the last check
come one more ListFunctions page, the GetObject and the PutObject, each at most one call's worst
case (`SUBSCRIBER_TIMEOUTS`, 30 s)."""
ACTION: Final = "publish_architectures"


class PublishResult(TypedDict):
    published: bool
    """The map was written this run (False: unchanged and recent, or not published)."""
    apiCalls: int


def handler(event: object, context: object) -> PublishResult:
    return publish(os.environ, context, Clients())


def read_access(env: Mapping[str, str]) -> HubAccess:
    """ARCHITECTURE_BUCKET (required) and ARCHITECTURE_BUCKET_REGION, checked as the
    subscriber checks them."""
    access = read_hub_access(env, 0, spoke=False)
    if not access.architecture_bucket:
        raise SettingsError(
            f"{ARCHITECTURE_BUCKET.name} is not set: set it to the pipeline's bucket (the hub's "
            "output bucketName in a spoke)"
        )
    return access


def publish(
    env: Mapping[str, str],
    context: object,
    clients: Clients,
    *,
    policy: RetryPolicy | None = None,
    emit: Callable[[str], None] = print,
    clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    clock: Clock | None = None,
) -> PublishResult:
    """The handler with its collaborators injected (tests); `clock`: the pacer's."""
    access = read_access(env)
    account, region = own_account_and_region(context)
    if not account:
        raise SettingsError("the invoked function ARN names no account: run it in Lambda")
    policy, stats = policy or RetryPolicy(), RetryStats()
    name = str(getattr(context, "function_name", "") or metrics.SUBSCRIBER_DIMENSION_VALUE)
    report = RunReport(ACTION, namespace=metrics.NAMESPACE, function=name, emit=emit)
    s3 = clients.lazy("s3", access.architecture_bucket_region)
    key = architecture_map_key(account, region)
    # ListFunctions draws on Lambda's control-plane quota, "15 requests per second across all
    # APIs" of the account, which "cannot be increased": paced at the subscriber's share of it
    pacer = CallPacer.share(bounded_integer(env, FILTER_API_QUOTA_PERCENT), clock or Clock())
    written = publish_architectures(
        None,  # no reconcile listed anything: walk every time (hourly)
        FunctionArchitectures(clients.lazy("lambda"), policy, stats, pacer),
        ArchitecturePublisher(s3, access.architecture_bucket, key, clock_ms, policy, stats),
        report,
        TimeBudget.from_context(context, TIME_MARGIN_SECONDS).exhausted,
        walk_after_ms=0,
    )
    return {"published": written, "apiCalls": clients.calls}
