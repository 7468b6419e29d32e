"""Lambda entry point of the subscriber: `handler(event, context)`.

Keeps every selected log group subscribed to the pipeline's Firehose stream or, in a spoke, to
the hub's CloudWatch Logs destination (see README.md (Subscriptions)). Settings are read and
clients created inside the handler.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, NamedTuple

from lambda_shared import metrics
from lambda_shared.backoff import RetryPolicy
from lambda_shared.environment import architecture_map_key
from lambda_shared.routing import route
from subscriptions.architectures import (
    ArchitecturePublisher,
    FunctionArchitectures,
    own_account_and_region,
    publish_architectures,
)
from subscriptions.backfill import HOUR_MS, Backfiller, Paused
from subscriptions.backfill_streams import backfill_skip_reason, backfill_streams
from subscriptions.budget import TimeBudget
from subscriptions.clients import Clients
from subscriptions.continuation import Cursor
from subscriptions.events import Request, parse_event
from subscriptions.filter_spec import PipelineFilters
from subscriptions.functions_api import FunctionsApi
from subscriptions.group_state import GroupState, s3_group_state
from subscriptions.logs_api import LogsApi
from subscriptions.pacing import BytePacer, CallPacer, Clock
from subscriptions.pending import PendingBackfills, S3StateStore
from subscriptions.reconcile import Stop, Subscriber
from subscriptions.report import RunReport, RunResult
from subscriptions.retry import RetryStats
from subscriptions.selection import Selection
from subscriptions.settings import Settings

SETTLE_RESERVE_S: Final = 5.0


def handler(event: object, context: object) -> RunResult:
    """Validate settings and event first (a bad one changes nothing), then run."""
    settings = Settings.from_env(os.environ)
    request = parse_event(event)
    return run(request, settings, context, clients=Clients())


def run(
    request: Request,
    settings: Settings,
    context: object,
    *,
    clients: Clients,
    policy: RetryPolicy | None = None,
    emit: Callable[[str], None] = print,
    clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    clock: Clock | None = None,
) -> RunResult:
    """The handler with its collaborators injected (tests, operator tools); `clock` is the
    pacing's (a `VirtualClock` paces without waiting)."""
    started = time.monotonic()
    policy = policy or RetryPolicy()
    clock = clock or Clock()
    stats = RetryStats()
    report = RunReport(
        request.kind,
        emit=emit,
        note=request.note,
        namespace=settings.metrics_namespace,
        function=str(getattr(context, "function_name", "") or metrics.SUBSCRIBER_DIMENSION_VALUE),
    )
    if request.kind != "remove" and clock_ms() < settings.stopped_until_s * 1000:
        return _stopped(report, settings, started)
    pacer = CallPacer.share(settings.filter_api_quota_percent, clock)
    functions = FunctionsApi(clients.lazy("lambda"), policy, stats, pacer)
    pending = _pending(settings, clients, policy, stats, report, clock_ms)
    state = _state(settings, clients, policy, stats, report)
    apis = _Apis(clients, functions, policy, stats, pacer, clock)
    subscriber = _subscriber(settings, context, apis, report, pending, state, request)
    try:
        stop = _dispatch(request, subscriber, state, settings, report, clock_ms())
        if stop is None and request.kind == "reconcile":
            _publish_architectures(settings, context, apis, report, clock_ms)
    finally:
        _save_and_settle(pending, state, apis, context, report)
    self_invoked = False
    if stop is not None:
        start = request.cursor or Cursor(action=stop.cursor.action)
        progressed = stop.cursor.walked() != start.walked()
        stop = _next_generation(stop)
        self_invoked = _continue(
            request, stop, progressed, settings, context, functions, report, pending
        )
    report.api_calls = clients.calls
    result = report.result(
        stop.reason if stop else "done",
        stop.cursor.to_token() if stop else None,
        self_invoked,
        stats.retries,
    )
    report.emit_metrics(result, (time.monotonic() - started) * 1000)
    return result


def _save_and_settle(
    pending: PendingBackfills, state: GroupState, apis: _Apis, context: object, report: RunReport
) -> None:
    """The run's end, also when it fails: what it recorded is saved (a failure recorded is never
    lost), and the API share and the byte budget are settled to hold across invocations."""
    pending.save()
    state.save()
    apis.pacer.settle(_settle_within(context))
    for byte_pacer in apis.byte_pacers:
        byte_pacer.settle(_settle_within(context))
    report.paced_seconds = apis.pacer.waited_seconds
    report.state_pruned, report.state_not_remembered = state.pruned, state.overflow


def _stopped(report: RunReport, settings: Settings, started: float) -> RunResult:
    """A run while the stack is being destroyed (SUBSCRIBER_STOPPED_UNTIL): nothing read, put,
    backfilled or invoked, so a continuation queued before the destroy's `remove` cannot put a
    filter back on a group it has passed."""
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(settings.stopped_until_s))
    report.log(
        "WARN",
        f"the stack's destroy stopped this subscriber until {until} (SUBSCRIBER_STOPPED_UNTIL): "
        "this run changes nothing. If the destroy failed and the stack stays, run "
        "`pulumi up --refresh` to start it again now",
    )
    # not complete, without a continuation: a deploy-time loop must not take it for done
    result = report.result("stopped", None, False, 0)
    report.emit_metrics(result, (time.monotonic() - started) * 1000)
    return result


def _settle_within(context: object) -> float:
    """How long the pacer may wait before the handler returns: the time left but
    SETTLE_RESERVE_S for what follows (the self-invocation, the report)."""
    remaining = TimeBudget.from_context(context, 0).remaining_ms() / 1000
    return max(0.0, remaining - SETTLE_RESERVE_S)


def _pending(
    settings: Settings,
    clients: Clients,
    policy: RetryPolicy,
    stats: RetryStats,
    report: RunReport,
    clock_ms: Callable[[], int],
) -> PendingBackfills:
    store = None
    if settings.backfill_state_bucket:
        store = S3StateStore(
            clients.lazy("s3"), settings.backfill_state_bucket, settings.filter_name, policy, stats
        )
    retry_ms = int(settings.backfill_retry_hours * HOUR_MS)
    return PendingBackfills(store, report, clock_ms, retry_ms)


def _state(
    settings: Settings, clients: Clients, policy: RetryPolicy, stats: RetryStats, report: RunReport
) -> GroupState:
    store = None
    if settings.backfill_state_bucket:
        bucket = settings.backfill_state_bucket
        store = s3_group_state(clients.lazy("s3"), bucket, settings.filter_name, policy, stats)
    return GroupState(store, report)


def _publish_architectures(
    settings: Settings,
    context: object,
    apis: _Apis,
    report: RunReport,
    clock_ms: Callable[[], int],
) -> None:
    """The account's map of function architectures, for the transformer's cost figure
    (subscriptions/architectures.py); only after a whole reconcile, and only with a bucket."""
    account, region = own_account_and_region(context)
    bucket = settings.hub.architecture_bucket
    if not (bucket and account):
        return
    s3 = apis.clients.lazy("s3", settings.hub.architecture_bucket_region)
    key = architecture_map_key(account, region)
    budget = TimeBudget.from_context(context, settings.time_budget_margin_seconds)
    publish_architectures(
        apis.functions.complete_listing,  # the reconcile's own walk, when read whole here
        FunctionArchitectures(apis.clients.lazy("lambda"), apis.policy, apis.stats, apis.pacer),
        ArchitecturePublisher(s3, bucket, key, clock_ms, apis.policy, apis.stats),
        report,
        budget.exhausted,
    )


@dataclass(frozen=True)
class _Apis:
    clients: Clients
    functions: FunctionsApi
    policy: RetryPolicy
    stats: RetryStats
    pacer: CallPacer
    clock: Clock
    byte_pacers: list[BytePacer] = field(default_factory=list)
    """The backfill streams' byte budgets, settled with `pacer` before the handler returns."""


def _subscriber(
    settings: Settings,
    context: object,
    apis: _Apis,
    report: RunReport,
    pending: PendingBackfills,
    state: GroupState,
    request: Request,
) -> Subscriber:
    """A deploy-time run (`selfInvoke: false`: the re-point of a scale-down, a hand-run loop)
    only puts filters: it resumes no kept backfill, and with a state bucket it puts every
    backfill (a new group's, or one a continuation carries) off, kept unfinished for the
    scheduled runs, so its answer's continuation never carries a backfill that a scheduled run
    would send as well. Without a bucket nothing else would send them: its backfills run
    inline (the caller holds them)."""
    budget = TimeBudget.from_context(context, settings.time_budget_margin_seconds)
    account, region = own_account_and_region(context)  # a spoke's own, not the hub's
    logs = LogsApi(apis.clients.lazy("logs"), apis.policy, apis.stats, apis.pacer)
    streams = backfill_streams(settings, apis.clients, apis.policy, apis.stats, apis.clock)
    apis.byte_pacers.extend(stream.pacer for stream in streams.values())
    arns = tuple(d.arn for d in settings.destinations)
    filters = PipelineFilters(
        settings.filter_name, settings.filter_pattern, arns, settings.role_arn
    )
    backfiller = Backfiller(
        logs,
        lambda group: streams[route(group, arns)],
        settings.filter_name,
        budget,
        report,
        pending,
        skip_reason=backfill_skip_reason(settings),
        region=region,
        put_off=not request.self_invoke and pending.keeps,
    )
    return Subscriber(
        logs,
        apis.functions,
        backfiller,
        pending,
        filters,
        Selection.from_settings(settings),
        report,
        state,
        owner=account if settings.spoke and account else settings.destination.account_id,
        lookback_hours=settings.backfill_lookback_hours,
        exhausted=budget.exhausted,
        clock_ms=pending.clock_ms,
        retry_kept=request.self_invoke,
    )


def _dispatch(
    request: Request,
    subscriber: Subscriber,
    state: GroupState,
    settings: Settings,
    report: RunReport,
    now_ms: int,
) -> Stop | None:
    if request.kind in ("reconcile", "remove"):
        cursor = request.cursor or _fresh(request, state, settings, now_ms)
        report.sweep = cursor.sweep
        visit = (
            subscriber.reconcile_group if request.kind == "reconcile" else subscriber.remove_group
        )
        stop = subscriber.walk(cursor, visit)
        if stop is None and request.kind == "remove":
            state.clear()  # every filter is gone: a later deployment starts from a sweep
            subscriber.forget_backfills()
        elif stop is None and cursor.sweep:
            state.prune(cursor.sweep_ms)  # the sweep listed every selected group
        return stop
    paused: Paused | None = None
    if request.kind == "log_group" and request.target:
        paused = subscriber.reconcile_named(request.target)
    elif request.kind == "function" and request.target:
        paused = subscriber.reconcile_function(request.target)
    if paused is None:
        return None
    # Only the interrupted backfill remains: resume it, then stop (phase "done").
    return Stop(Cursor(action="reconcile", phase="done", backfill=paused.job), paused.reason)


def _fresh(request: Request, state: GroupState, settings: Settings, now_ms: int) -> Cursor:
    """A new walk: a remove, a sweep when asked or due (or the state is lost), else steady."""
    if request.kind == "remove":
        return Cursor(action="remove")
    interval_ms = int(settings.sweep_interval_hours * HOUR_MS)
    sweep = request.sweep or state.sweep_due(now_ms, interval_ms)
    if sweep:
        state.start_sweep(now_ms)
        return Cursor(action="reconcile", sweep=True, sweep_ms=now_ms)
    return Cursor(action="reconcile")


def _next_generation(stop: Stop) -> Stop:
    return Stop(replace(stop.cursor, generation=stop.cursor.generation + 1), stop.reason)


def _continue(
    request: Request,
    stop: Stop,
    progressed: bool,
    settings: Settings,
    context: object,
    functions: FunctionsApi,
    report: RunReport,
    pending: PendingBackfills,
) -> bool:
    """Invoke this function again, asynchronously, with the continuation token. When it does
    not, whatever the reason, the unfinished backfill the token holds is kept for a later run
    (`pending`): the group holds its filter now, so no later walk would start it again. An
    Invoke refused after its retries (AccessDenied, a throttle that outlasts the policy) keeps
    it too, then fails the run."""
    function_arn = getattr(context, "invoked_function_arn", None)
    refusal = _no_continuation(request, stop, progressed, settings, function_arn)
    if refusal is not None:
        report.log(refusal.level, refusal.message, reason=stop.reason)
        _keep_unfinished(stop, pending, refusal.returned)
        return False
    payload: Mapping[str, Any] = {
        "action": stop.cursor.action,
        "continuation": stop.cursor.to_token(),
    }
    try:
        functions.invoke_async(str(function_arn), payload)
    except Exception:
        _keep_unfinished(stop, pending, returned=False)
        raise
    if stop.cursor.backfill is not None:  # kept, leased to the chain: sent once, never lost
        pending.carried(stop.cursor.backfill)
        pending.save()
    report.log(
        "INFO",
        "stopped early; continuing asynchronously",
        reason=stop.reason,
        generation=stop.cursor.generation,
    )
    return True


class _Refusal(NamedTuple):
    level: str
    message: str
    returned: bool
    """The continuation goes back to a caller that may pass it on (`selfInvoke: false`)."""


def _no_continuation(
    request: Request, stop: Stop, progressed: bool, settings: Settings, function_arn: object
) -> _Refusal | None:
    """Why this run does not invoke itself again; None when it does."""
    kept = ""
    if stop.cursor.backfill:  # without a state bucket it cannot be kept (an ERROR says so)
        kept = " (an unfinished backfill is kept for it)" if settings.backfill_state_bucket else ""
    if not request.self_invoke or not isinstance(function_arn, str) or not function_arn:
        return _Refusal(
            "INFO",
            "stopped early; pass the continuation back to resume, or the next scheduled run "
            f"walks the groups again{kept}",
            returned=True,
        )
    if not progressed:
        return _Refusal(
            "ERROR",
            "stopped early without any progress, so it does not invoke itself again; the next "
            f"scheduled run walks the groups again{kept}: give the function a timeout well "
            "above TIME_BUDGET_MARGIN_SECONDS, or wait for the API quota",
            returned=False,
        )
    if stop.cursor.generation > settings.max_continuations:
        return _Refusal(
            "ERROR",
            f"stopped early after {settings.max_continuations} continuations; the next "
            f"scheduled run walks the groups again from the first{kept}, so groups after this "
            "point wait for it: raise MAX_CONTINUATIONS or the Lambda timeout",
            returned=False,
        )
    return None


def _keep_unfinished(stop: Stop, pending: PendingBackfills, returned: bool) -> None:
    """Keep the cursor's backfill (paused, or not started yet) for the next full run, and
    write the state now (the run's own save came before this decision)."""
    if stop.cursor.backfill is not None:
        pending.unfinished(stop.cursor.backfill, stop.reason, returned=returned)
        pending.save()
