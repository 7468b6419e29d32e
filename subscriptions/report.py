"""What a run did: counters, the groups that need attention, structured logs and EMF metrics."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypedDict

from lambda_shared import metrics
from subscriptions.continuation import ContinuationToken

MAX_LISTED_GROUPS: Final = 100  # names listed in the return value; the counts stay exact

Outcome = Literal[
    "created",
    "updated",
    "unchanged",
    "limit_exceeded",
    "vanished",
    "absent",
    "excluded",
    "excluded_pipeline",
    "not_selected",
    "deleted",
    "not_ours",
    "unsupported_class",
]
StopReason = Literal["done", "time_budget", "throttled", "stopped"]
"""`stopped`: a destroy stopped the function (SUBSCRIBER_STOPPED_UNTIL): nothing changed."""

_METRICS: Final[dict[str, Outcome]] = {
    metrics.FILTERS_CREATED: "created",
    metrics.FILTERS_UPDATED: "updated",
    metrics.FILTERS_UNCHANGED: "unchanged",
    metrics.GROUPS_AT_FILTER_LIMIT: "limit_exceeded",
    metrics.GROUPS_EXCLUDED: "excluded",
    metrics.PIPELINE_GROUPS_SKIPPED: "excluded_pipeline",
    metrics.FILTERS_DELETED: "deleted",
    metrics.GROUPS_UNSUPPORTED_CLASS: "unsupported_class",
}

_WARNINGS: Final[dict[str, str]] = {
    "limit_exceeded": "log group already holds the maximum number of subscription filters; "
    "remove one of its filters or exclude the group",
    "unsupported_class": "log group class does not accept subscription filters; exclude the "
    "group or recreate it in the STANDARD class",
}


class RunResult(TypedDict):
    action: str
    complete: bool
    stopReason: StopReason
    outcomes: dict[str, int]
    limitExceeded: list[str]
    limitExceededCount: int
    backfillEvents: int
    backfillRecords: int
    backfillTruncatedEvents: int
    backfillSkipped: int
    """Newly subscribed groups not backfilled because this version cannot (a spoke)."""
    backfillFailed: list[str]
    backfillPermanentlyFailed: list[str]
    throttleRetries: int
    apiCalls: int
    continuation: ContinuationToken | None
    selfInvoked: bool
    note: str
    sweep: bool
    """A full sweep (every group read), not a steady-state run."""
    pacedSeconds: float
    """How long the run waited to stay inside its share of the filter APIs' quota."""
    statePruned: int
    """Groups the group state forgot because the sweep that completed did not see them."""
    stateNotRemembered: int
    """Groups not remembered because the group state is full (read again on every run)."""


@dataclass
class RunReport:
    action: str
    namespace: str  # of the EMF metrics
    function: str = metrics.SUBSCRIBER_DIMENSION_VALUE
    """The metrics' Function dimension: the subscriber's function name, so that two stacks in one
    account (one namespace) keep apart metrics and alarms."""
    emit: Callable[[str], None] = print
    outcomes: Counter[str] = field(default_factory=Counter)
    limit_exceeded: list[str] = field(default_factory=list)
    backfill_failed: list[str] = field(default_factory=list)
    backfill_given_up: list[str] = field(default_factory=list)
    backfill_events: int = 0
    backfill_records: int = 0
    backfill_truncated: int = 0
    backfill_skipped: int = 0
    api_calls: int = 0
    note: str = ""
    sweep: bool = False
    paced_seconds: float = 0.0
    state_pruned: int = 0
    state_not_remembered: int = 0

    def record(self, group: str, outcome: Outcome) -> None:
        self.outcomes[outcome] += 1
        if outcome == "limit_exceeded":
            self.limit_exceeded.append(group)
        warning = _WARNINGS.get(outcome)
        if warning is not None:
            self.log("WARN", warning, logGroup=group, outcome=outcome)

    def backfill_failure(self, group: str, window: dict[str, int], error: Exception) -> None:
        self.backfill_failed.append(group)
        self.log("ERROR", f"backfill failed: {error}", logGroup=group, **window)

    def backfill_permanently_failed(
        self, group: str, window: dict[str, int], first_failed_ms: int
    ) -> None:
        self.backfill_given_up.append(group)
        self.log(
            "ERROR",
            "backfill permanently failed, no more retries: once the cause is fixed, delete the "
            "pipeline's filter (FILTER_NAME) from the group and reconcile; the subscriber puts "
            "it again and backfills the look-back",
            logGroup=group,
            firstFailedMs=first_failed_ms,
            **window,
        )

    def log(self, level: str, message: str, **fields: Any) -> None:
        """One structured (JSON) log line."""
        line = {"level": level, "message": message, "action": self.action, **fields}
        self.emit(json.dumps(line, default=str))

    def result(
        self,
        stop: StopReason,
        continuation: ContinuationToken | None,
        self_invoked: bool,
        throttle_retries: int,
    ) -> RunResult:
        return {
            "action": self.action,
            "complete": stop == "done",
            "stopReason": stop,
            "outcomes": dict(sorted(self.outcomes.items())),
            "limitExceeded": self.limit_exceeded[:MAX_LISTED_GROUPS],
            "limitExceededCount": len(self.limit_exceeded),
            "backfillEvents": self.backfill_events,
            "backfillRecords": self.backfill_records,
            "backfillTruncatedEvents": self.backfill_truncated,
            "backfillSkipped": self.backfill_skipped,
            "backfillFailed": self.backfill_failed[:MAX_LISTED_GROUPS],
            "backfillPermanentlyFailed": self.backfill_given_up[:MAX_LISTED_GROUPS],
            "throttleRetries": throttle_retries,
            "apiCalls": self.api_calls,
            "continuation": continuation,
            "selfInvoked": self_invoked,
            "note": self.note,
            "sweep": self.sweep,
            "pacedSeconds": round(self.paced_seconds, 3),
            "statePruned": self.state_pruned,
            "stateNotRemembered": self.state_not_remembered,
        }

    def emit_metrics(self, result: RunResult, duration_ms: float) -> None:
        """One Embedded Metric Format line: CloudWatch turns it into metrics, no API call."""
        values: dict[str, float] = {
            name: self.outcomes[outcome] for name, outcome in _METRICS.items()
        }
        values |= {
            metrics.BACKFILL_EVENTS: result["backfillEvents"],
            metrics.BACKFILL_RECORDS: result["backfillRecords"],
            metrics.BACKFILL_SKIPPED: result["backfillSkipped"],
            metrics.BACKFILL_FAILED: len(self.backfill_failed),
            metrics.BACKFILL_PERMANENTLY_FAILED: len(self.backfill_given_up),
            metrics.THROTTLE_RETRIES: result["throttleRetries"],
            metrics.API_CALLS: result["apiCalls"],
            metrics.RUNS_INCOMPLETE: 0 if result["complete"] else 1,
            metrics.DURATION_MS: round(duration_ms, 1),
        }
        dimension = {metrics.SUBSCRIBER_DIMENSION: self.function}
        metadata = metrics.emf_metadata(self.namespace, dimension, values, int(time.time() * 1000))
        document: dict[str, Any] = {
            "_aws": metadata,
            **dimension,
            **values,
            "action": self.action,
        }
        self.emit(json.dumps(document))
