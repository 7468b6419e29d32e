"""The subscriber's work: walk the selected groups, put or remove the pipeline's filter."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from botocore.exceptions import ClientError

from lambda_shared.backoff import error_code
from subscriptions.backfill import Backfiller, Paused, plan_backfill
from subscriptions.continuation import Cursor
from subscriptions.errors import PendingStateError, ThrottledError
from subscriptions.filter_spec import FilterSpec, PipelineFilters
from subscriptions.functions_api import FunctionsApi
from subscriptions.group_state import EXCLUDED_TOKEN, GroupState
from subscriptions.logs_api import GroupPage, LogGroup, LogsApi, SubscriptionFilter
from subscriptions.pending import PendingBackfills
from subscriptions.report import Outcome, RunReport, StopReason
from subscriptions.selection import Exclusion, Selection

Visit = Callable[[LogGroup], Paused | None]
_EXPIRED_TOKEN: Final = "InvalidParameterException"
# "Each log group can have up to two subscription filters associated with it" (AWS,
# PutSubscriptionFilter; a newer page says 5): no group holding fewer than the lowest published
# limit can be full, so its LimitExceededException has another cause and teaches no limit.
LOWEST_PUBLISHED_FILTER_LIMIT: Final = 2


@dataclass(frozen=True)
class Stop:
    """A walk that stopped early: resume from `cursor`."""

    cursor: Cursor
    reason: StopReason


class Subscriber:
    def __init__(
        self,
        logs: LogsApi,
        functions: FunctionsApi,
        backfiller: Backfiller,
        pending: PendingBackfills,
        filters: PipelineFilters,
        selection: Selection,
        report: RunReport,
        state: GroupState,
        *,
        owner: str,
        lookback_hours: float,
        exhausted: Callable[[], bool],
        clock_ms: Callable[[], int],
        retry_kept: bool = True,
    ) -> None:
        """`retry_kept`: a fresh full run first resumes the kept backfills (`pending`); False
        in a deploy-time run (`selfInvoke: false`), which only puts filters and leaves them to
        the scheduled runs, so a scale-down's re-point never waits for a backfill (hours at
        the byte budget, beyond the deploy-time loop's 6 h)."""
        self._retry_kept = retry_kept
        self._logs = logs
        self._functions = functions
        self._backfiller = backfiller
        self._pending = pending
        self._filters = filters
        self._selection = selection
        self._report = report
        self._state = state
        # A sweep reads every group; a steady-state walk skips what the state remembers. The
        # fast paths (one new group) always read.
        self._sweeping = True
        self._owner = owner
        self._lookback_hours = lookback_hours
        self._exhausted = exhausted
        self._clock_ms = clock_ms
        # The filter limit per group, learnt from the first LimitExceededException of the run on
        # a group that was full (AWS documents 2 in some places and 5 in others: it is never
        # hard-coded; see _learn_limit).
        self._filter_limit: int | None = None
        # Whether the API returns the emitSystemFields it was given (AWS: "Returns the
        # emitSystemFields value if it was specified"; moto 5.2.5 drops them). None = not seen
        # yet: the first put's read-back tells; when they are dropped, the comparison ignores
        # them for the rest of the run, so an API without them costs at most one put per run.
        self._fields_kept: bool | None = None

    # --- one group -------------------------------------------------------------------------

    def reconcile_group(self, group: LogGroup) -> Paused | None:
        """Put the filter where missing or different; backfill a newly subscribed group."""
        exclusion = self._selection.exclusion(group.name)
        if exclusion is not None:
            if self._sweeping or self._state.remembered(group, EXCLUDED_TOKEN) is None:
                self._unsubscribe_excluded(group.name)
                self._state.record(group, EXCLUDED_TOKEN, "excluded")
            self._record_exclusion(group.name, exclusion)
            return None
        spec = self._filters.for_group(group.name)
        remembered = None if self._sweeping else self._state.remembered(group, spec.token)
        if remembered is not None:
            self._report.record(group.name, remembered)
            return None
        filters = self._logs.filters(group.name)
        if filters is None:
            self._outcome(group, spec, "vanished")
            return None
        named = next((f for f in filters if f.name == spec.name), None)
        if named is not None and not self._filters.owns(named):
            self._refuse_foreign(group.name, named)
            self._state.record(group, spec.token, "not_ours")
            return None
        # Ours, possibly on another of the stack's streams, one removed included (N changed,
        # down as well as up; PipelineFilters.owns): re-pointed below.
        ours = named
        if ours is not None and spec.matches(ours, ignore_system_fields=self._fields_kept is False):
            self._outcome(group, spec, "unchanged")
            return None
        if ours is None and self._filter_limit is not None and len(filters) >= self._filter_limit:
            self._outcome(group, spec, "limit_exceeded")
            return None
        return self._subscribe(group, spec, filters, ours)

    def _outcome(self, group: LogGroup, spec: FilterSpec, outcome: Outcome) -> None:
        self._report.record(group.name, outcome)
        self._state.record(group, spec.token, outcome)

    def _subscribe(
        self,
        group: LogGroup,
        spec: FilterSpec,
        filters: tuple[SubscriptionFilter, ...],
        ours: SubscriptionFilter | None,
    ) -> Paused | None:
        sent_ms = self._clock_ms()
        outcome = self._logs.put_filter(group, spec)
        if outcome == "limit_exceeded" and ours is None:
            self._learn_limit(len(filters))
        if outcome != "put":
            self._outcome(group, spec, outcome)
            return None
        if ours is not None:
            if self._fields_kept is None and spec.matches_but_system_fields(ours):
                self._boundary(group.name, sent_ms, spec)  # learns _fields_kept
            self._outcome(group, spec, "updated")
            return None
        self._outcome(group, spec, "created")
        boundary = self._boundary(group.name, sent_ms, spec)
        job = plan_backfill(group, self._owner, boundary, self._lookback_hours)
        return None if job is None else self._backfiller.run(job)

    def _learn_limit(self, held: int) -> None:
        """A put refused on a group that held `held` filters: the limit, if the group was full."""
        if held >= LOWEST_PUBLISHED_FILTER_LIMIT:
            self._filter_limit = min(self._filter_limit or held, held)

    def _boundary(self, group: str, sent_ms: int, spec: FilterSpec) -> int:
        """When the filter began: its creationTime (CloudWatch's clock), else the request time.
        The read-back also shows whether the API keeps the system fields."""
        try:
            filters = self._logs.filters(group)
        except (ThrottledError, ClientError):
            return sent_ms  # the read-back is best effort: never let it end the run
        ours = next((f for f in filters or () if self._filters.owns(f)), None)
        if ours is not None and spec.system_fields and self._fields_kept is None:
            self._fields_kept = bool(ours.emit_system_fields)
            if not self._fields_kept:
                self._report.log(
                    "WARN",
                    "the CloudWatch Logs API accepted emitSystemFields but does not return "
                    "them; this run no longer compares them (the hub cannot tell this "
                    "group's region without them: check the API endpoint)",
                    logGroup=group,
                )
        return ours.created_ms if ours is not None and ours.created_ms > 0 else sent_ms

    def _refuse_foreign(self, group: str, named: SubscriptionFilter) -> None:
        """Our name on a destination this stack never routes to (none of the first stream's
        siblings, `lambda_shared.stream_names`): another stack's filter. Putting ours would
        replace it (the name is the key), and `remove` would then delete it: leave it, report
        it."""
        self._report.record(group, "not_ours")
        self._report.log(
            "WARN",
            "log group holds a filter of our FILTER_NAME pointing at another destination "
            "(another deployment's); it is left alone and this group is not subscribed: give "
            "each deployment its own FILTER_NAME",
            logGroup=group,
            outcome="not_ours",
            destinationArn=named.destination_arn,
        )

    def _record_exclusion(self, group: str, exclusion: Exclusion) -> None:
        self._report.record(group, "excluded_pipeline" if exclusion == "pipeline" else "excluded")

    def _unsubscribe_excluded(self, group: str) -> None:
        """An excluded group must not keep our filter (it may predate the exclusion), nor a
        kept backfill (an unfinished one has no retry window: it would go on sending). The
        filter goes first; an unreadable kept state only leaves the job to the scheduled run
        that resumes kept jobs, which drops an excluded group's and reports the state."""
        for existing in self._logs.filters(group) or ():
            if self._filters.owns(existing) and self._logs.delete_filter(group, existing.name):
                self._report.record(group, "deleted")
        with contextlib.suppress(PendingStateError):
            self._pending.done(group)

    def forget_backfills(self) -> None:
        """After a completed `remove`: no group holds our filter, so no kept backfill is due."""
        self._pending.clear()

    def remove_group(self, group: LogGroup) -> Paused | None:
        """Delete our filter (our name and any of our streams, a removed one included); never
        another one. Always read first, whatever the state remembers: `remove` must never
        delete someone else's."""
        self._state.forget(group.name)
        filters = self._logs.filters(group.name)
        if filters is None:
            self._report.record(group.name, "vanished")
            return None
        ours = [f for f in filters if self._filters.owns(f)]
        if not ours:
            self._report.record(group.name, "not_ours")
        for existing in ours:
            deleted = self._logs.delete_filter(group.name, existing.name)
            self._report.record(group.name, "deleted" if deleted else "vanished")
        return None

    # --- fast paths --------------------------------------------------------------------------

    def reconcile_named(self, name: str) -> Paused | None:
        """A group just created: reconcile it if it is selected."""
        exclusion = self._selection.exclusion(name)
        if exclusion is not None:
            self._record_exclusion(name, exclusion)
            return None
        if not self._selection.under_prefix(name) and not self._a_functions_group(name):
            self._report.record(name, "not_selected")
            return None
        return self._visit_named(name, self.reconcile_group)

    def _a_functions_group(self, name: str) -> bool:
        """Does a function log to this group outside the prefixes? The state knows every such
        group a walk visited (each walk lists every function) and those a function named before
        they existed (`expect`): no listing. Without a state, list every function (50 a page).
        A group missed (its function's event lost) is subscribed by the next scheduled run."""
        if self._state.usable:
            return self._state.known(name)
        return self._functions.any_function_logs_to(name)

    def reconcile_function(self, function: str) -> Paused | None:
        """A function just created or reconfigured: reconcile the group it logs to."""
        name = self._functions.log_group_of_function(function)
        if name is None:
            self._report.record(function, "absent")
            return None
        # An absent group is created on the function's first log line; its CreateLogGroup event
        # or the next scheduled run subscribes it.
        return self._visit_named(name, self.reconcile_group)

    # --- the walk ----------------------------------------------------------------------------

    def walk(self, cursor: Cursor, visit: Visit) -> Stop | None:
        """Visit every group under the prefixes and every function's group; None when done.
        A steady-state walk (not `cursor.sweep`, not `remove`) reads only the groups the state
        does not remember as they are now. The two listings advance together, one page at a
        time, each next page the one whose quota has its turn first (`_groups_turn`). A fresh
        reconcile first resumes the kept backfills, but in a deploy-time run (`retry_kept`
        False: those are the scheduled runs')."""
        self._sweeping = cursor.sweep or cursor.action == "remove"
        try:
            if cursor.at_start and cursor.action == "reconcile" and self._retry_kept:
                stop = self._retry_pending(cursor)
                if stop is not None:
                    return stop
            if cursor.backfill is not None:
                paused = self._backfiller.run(cursor.backfill)
                if paused is not None:
                    return Stop(replace(cursor, backfill=paused.job), paused.reason)
                cursor = replace(cursor, backfill=None)
            while cursor.phase != "done":
                if self._exhausted():
                    return Stop(cursor, "time_budget")
                page = self._prefix_page if self._groups_turn(cursor) else self._functions_page
                cursor, stop = page(cursor, visit)
                if stop is not None:
                    return stop
        except ThrottledError as error:
            self._report.log("WARN", f"stopping early: {error}")
            return Stop(cursor, "throttled")
        return None

    def _groups_turn(self, cursor: Cursor) -> bool:
        """Whether the next page is the prefixes' (DescribeLogGroups) rather than the functions'
        (ListFunctions). Their quotas are independent (CloudWatch Logs: DescribeLogGroups "10
        transactions per second (TPS)/account/Region"; Lambda: "15 requests per second across
        all APIs" of the control plane; pacing.py), so the page whose quota is free first goes
        next and each listing's pace runs while the other waits: the two take about as long as
        the longer one, not their sum. A tie goes to the prefixes: after a page whose groups
        took their own calls' time, both are free and the prefixes go on, so ListFunctions only
        fills DescribeLogGroups' waits (a run heavy with filter calls lists its functions last)."""
        if cursor.phase != "prefixes":
            return False
        if cursor.functions_listed:
            return True
        groups = self._logs.ready_in("DescribeLogGroups")
        return groups <= self._functions.ready_in("ListFunctions")

    def _retry_pending(self, cursor: Cursor) -> Stop | None:
        """A fresh scheduled full run first resumes every kept backfill (once each): failed,
        unfinished or put off. One whose group is excluded since is dropped, not sent."""
        for job in self._pending.due():
            if self._selection.exclusion(job.group) is not None:
                self._pending.done(job.group)
                continue
            if self._exhausted():
                return Stop(cursor, "time_budget")
            paused = self._backfiller.run(job)
            if paused is not None:
                return Stop(replace(cursor, backfill=paused.job), paused.reason)
        return None

    def _groups_page(self, prefix: str, cursor: Cursor) -> tuple[GroupPage, Cursor]:
        try:
            return self._logs.groups_page(prefix, cursor.page_token), cursor
        except ClientError as error:
            if cursor.page_token is None or error_code(error) != _EXPIRED_TOKEN:
                raise
        # The page token expired: list the prefix again and skip the names already done.
        self._report.log("WARN", "continuation page token rejected; listing again", prefix=prefix)
        cursor = replace(cursor, page_token=None)
        return self._logs.groups_page(prefix, None), cursor

    def _prefix_page(self, cursor: Cursor, visit: Visit) -> tuple[Cursor, Stop | None]:
        prefixes = self._selection.prefixes
        if cursor.prefix_index >= len(prefixes):
            if cursor.functions_listed:  # the functions' listing ended first
                return (
                    replace(
                        cursor, phase="done", functions_listed=False, page_token=None, after=None
                    ),
                    None,
                )
            return replace(cursor, phase="functions", page_token=None, after=None), None
        prefix = prefixes[cursor.prefix_index]
        page, cursor = self._groups_page(prefix, cursor)
        for group in page.groups:
            if cursor.after is not None and group.name <= cursor.after:
                continue
            if self._exhausted():
                return cursor, Stop(cursor, "time_budget")
            try:
                paused = visit(group)
            except ThrottledError:
                return cursor, Stop(cursor, "throttled")
            cursor = replace(cursor, after=group.name)
            if paused is not None:
                return cursor, Stop(replace(cursor, backfill=paused.job), paused.reason)
        if page.next_token is not None:
            return replace(cursor, page_token=page.next_token), None
        return replace(
            cursor, prefix_index=cursor.prefix_index + 1, page_token=None, after=None
        ), None

    def _functions_page(self, cursor: Cursor, visit: Visit) -> tuple[Cursor, Stop | None]:
        page = self._functions.log_groups_page(cursor.functions_marker)
        for index in range(cursor.functions_done, len(page.log_groups)):
            if self._exhausted():
                return cursor, Stop(cursor, "time_budget")
            try:
                paused = self._visit_custom(page.log_groups[index], visit)
            except ThrottledError:
                return cursor, Stop(cursor, "throttled")
            cursor = replace(cursor, functions_done=index + 1)
            if paused is not None:
                return cursor, Stop(replace(cursor, backfill=paused.job), paused.reason)
        if page.next_marker is not None:
            return replace(cursor, functions_marker=page.next_marker, functions_done=0), None
        ended = replace(cursor, functions_marker=None, functions_done=0)
        if cursor.phase == "prefixes":  # the prefixes' listing goes on alone
            return replace(ended, functions_listed=True), None
        return replace(ended, phase="done"), None

    def _visit_custom(self, name: str, visit: Visit) -> Paused | None:
        """A function's group outside the prefixes (those are the prefixes' listing's)."""
        if self._selection.under_prefix(name):
            return None
        return self._visit_named(name, visit)

    def _visit_named(self, name: str, visit: Visit) -> Paused | None:
        """Visit the group of that name, or record it absent."""
        group = self._logs.find_group(name)
        if group is None:
            self._report.record(name, "absent")
            if visit == self.reconcile_group:
                self._state.expect(name)  # its CreateLogGroup event will know it
            return None
        return visit(group)
