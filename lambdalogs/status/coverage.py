"""Subscription coverage: which log groups the subscriber's rules make eligible, and how many of
them hold the pipeline's filter.

DescribeSubscriptionFilters is limited to 5 calls a second per account and region, not
adjustable, and the subscriber shares that quota: `status` never takes more than `FILTER_CALLS_
PER_SECOND` and, above `max_checks` eligible groups, checks an evenly spread sample and says
"checked N of M groups"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from lambda_shared.backoff import RetryPolicy
from lambdalogs.status.pacing import PacedClient, Pacer
from lambdalogs.status.report import Check, Row
from lambdalogs.status.subscriber_rules import Rules
from subscriptions.logs_api import STANDARD_CLASS, LogGroup, LogsApi
from subscriptions.retry import RetryStats

FILTER_CALLS_PER_SECOND: Final = 2.0
"""Of the 5 DescribeSubscriptionFilters calls/s an account has (not adjustable)."""
LIST_CALLS_PER_SECOND: Final = 5.0
"""Of the 10 DescribeLogGroups calls/s (50 groups a page)."""
DEFAULT_MAX_CHECKS: Final = 200
DOCUMENTED_FILTER_LIMIT: Final = 2
"""Filters per group: 2 in most AWS pages (5 in a newer one); a group without ours holding this
many is reported as at the limit: PutSubscriptionFilter would be refused there."""
NEW_GROUP_GRACE_MS: Final = 15 * 60 * 1000
"""A group younger than this may not be reconciled yet: missing, but not an alarm."""


@dataclass
class Coverage:
    listed: int = 0
    eligible: list[LogGroup] = field(default_factory=list)
    unsupported: list[LogGroup] = field(default_factory=list)  # eligible by name, not by class
    excluded: int = 0
    checked: int = 0
    subscribed: int = 0
    missing: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # missing, but created minutes ago
    at_limit: list[str] = field(default_factory=list)
    vanished: int = 0

    @property
    def sampled(self) -> bool:
        return self.checked < len(self.eligible)


def paced_logs(client: Any) -> LogsApi:
    """The subscriber's CloudWatch Logs adapter (backoff on throttling) over a client whose
    DescribeLogGroups and DescribeSubscriptionFilters calls, retries and pages included, keep
    to this module's pace."""
    pacers = {
        "describe_log_groups": Pacer(LIST_CALLS_PER_SECOND),
        "describe_subscription_filters": Pacer(FILTER_CALLS_PER_SECOND),
    }
    return LogsApi(PacedClient(client, pacers), RetryPolicy(), RetryStats())


def eligible_groups(
    logs: LogsApi,
    rules: Rules,
    coverage: Coverage,
    advance: Callable[[int], None] = lambda _count: None,
) -> None:
    """List the groups under the subscriber's prefixes and sort them by its rules."""
    for prefix in rules.selection.prefixes:
        token: str | None = None
        while True:
            page = logs.groups_page(prefix, token)
            for group in page.groups:
                coverage.listed += 1
                _classify(group, rules, coverage)
            advance(len(page.groups))
            if page.next_token is None:
                break
            token = page.next_token


def _classify(group: LogGroup, rules: Rules, coverage: Coverage) -> None:
    if rules.selection.exclusion(group.name) is not None:
        coverage.excluded += 1
    elif group.log_class != STANDARD_CLASS:
        # Infrequent Access supports "a subset of CloudWatch Logs features" and Delivery only
        # delivery to S3/Firehose (CreateLogGroup, logGroupClass); the subscriber's
        # PutSubscriptionFilter is refused there (subscriptions/logs_api.py, unsupported_class)
        coverage.unsupported.append(group)
    else:
        coverage.eligible.append(group)


def sample(groups: list[LogGroup], size: int) -> list[LogGroup]:
    """`size` groups spread evenly over the name order (all of them when fewer)."""
    if len(groups) <= size:
        return list(groups)
    step = len(groups) / size
    return [groups[int(i * step)] for i in range(size)]


def check_filters(
    logs: LogsApi,
    rules: Rules,
    coverage: Coverage,
    *,
    max_checks: int,
    now_ms: int,
    advance: Callable[[], None] = lambda: None,
) -> None:
    """DescribeSubscriptionFilters on (a sample of) the eligible groups (`logs` paces them)."""
    for group in sample(coverage.eligible, max_checks):
        filters = logs.filters(group.name)
        coverage.checked += 1
        advance()
        if filters is None:
            coverage.vanished += 1
        elif any(rules.owns(f) for f in filters):
            coverage.subscribed += 1
        elif len(filters) >= DOCUMENTED_FILTER_LIMIT:
            coverage.at_limit.append(group.name)
        elif now_ms - group.created_ms < NEW_GROUP_GRACE_MS:
            coverage.pending.append(group.name)
        else:
            coverage.missing.append(group.name)


SHOWN: Final = 10


def _rows(coverage: Coverage) -> list[Row]:
    return [
        *(Row((name, "no subscription filter"), True) for name in coverage.missing[:SHOWN]),
        *(
            Row((name, f"at the filter limit ({DOCUMENTED_FILTER_LIMIT} filters, none ours)"), True)
            for name in coverage.at_limit[:SHOWN]
        ),
        *(
            Row((name, "created minutes ago: not reconciled yet"))
            for name in coverage.pending[:SHOWN]
        ),
        *(
            Row((g.name, f"class {g.log_class}: no subscription filters"))
            for g in coverage.unsupported[:SHOWN]
        ),
    ]


def coverage_check(coverage: Coverage) -> Check:
    """Attention: an eligible group without the filter (older than the grace), or one whose
    filters are full. Unsupported classes are listed, not alarmed: they cannot be subscribed."""
    eligible = len(coverage.eligible)
    scope = f"checked {coverage.checked:,} of {eligible:,} groups" if coverage.sampled else ""
    summary = f"{coverage.subscribed:,}/{coverage.checked:,} eligible groups subscribed"
    summary += f" ({scope}, an even sample)" if scope else ""
    rows = _rows(coverage)
    notes = []
    hidden = sum(max(len(x) - SHOWN, 0) for x in (coverage.missing, coverage.at_limit))
    if hidden:
        notes.append(f"{hidden:,} more groups need attention (see --json)")
    if scope:
        share = coverage.subscribed / coverage.checked if coverage.checked else 0.0
        notes.append(
            f"{scope}: DescribeSubscriptionFilters is limited to 5 calls/s per account, shared "
            f"with the subscriber; about {share:.0%} of all {eligible:,} would be subscribed "
            "(raise --max-groups to check more, at 2 groups a second)"
        )
    if coverage.missing:
        notes.append(
            "groups without the filter: the subscriber's next run subscribes them; if they stay, "
            "read the subscriber's log group for errors"
        )
    if coverage.at_limit:
        notes.append("groups at the filter limit: remove one of their other subscription filters")
    if coverage.unsupported:
        notes.append(
            f"{len(coverage.unsupported):,} eligible groups of a class without subscription "
            "filters are not shipped; a class cannot be changed: recreate them as STANDARD"
        )
    attention = bool(coverage.missing or coverage.at_limit)
    return Check(
        "subscriptions",
        "attention" if attention else "ok",
        summary,
        ("log group", "problem"),
        tuple(rows),
        tuple(notes),
        {
            "listed": coverage.listed,
            "eligible": eligible,
            "excluded": coverage.excluded,
            "checked": coverage.checked,
            "sampled": coverage.sampled,
            "subscribed": coverage.subscribed,
            "missing": coverage.missing,
            "pending": coverage.pending,
            "at_filter_limit": coverage.at_limit,
            "unsupported_class": {g.name: g.log_class for g in coverage.unsupported},
            "vanished": coverage.vanished,
        },
    )
