"""Close the subscription gap: send a newly subscribed group's earlier events to the stream.

CloudWatch forwards only events ingested after the filter exists. The backfill reads the
group's events with FilterLogEvents and keeps those ingested at or before the filter's creation
(`ingestionTime <= boundary`, both on CloudWatch's clock), so nothing the filter delivers is sent
twice. It encodes them as CloudWatch subscription records and puts them into the stream.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from botocore.exceptions import ClientError

from lambda_shared.backoff import error_code
from lambda_shared.limits import LOG_EVENT_MAX_AGE_DAYS
from subscriptions.assumed_role import BackfillRoleDeniedError
from subscriptions.backfill_streams import BackfillStream
from subscriptions.budget import TimeBudget
from subscriptions.continuation import BackfillJob
from subscriptions.envelope import Encoded, encode
from subscriptions.errors import BackfillDeliveryError, BackfillReadError, ThrottledError
from subscriptions.logs_api import LogEvent, LogGroup, LogsApi
from subscriptions.pacing import BytePacer
from subscriptions.page_fit import fitting_prefix, restart_ms
from subscriptions.pending import PendingBackfills
from subscriptions.report import RunReport, StopReason

HOUR_MS: Final = 3_600_000
# CloudWatch accepts events stamped up to 2 h in the future: read that far past the boundary.
FUTURE_TOLERANCE_MS: Final = 2 * HOUR_MS
# How much older than its group an event can be. Events carry their writer's timestamp, not
# the group's clock: Lambda creates /aws/lambda/<fn> on its first write, so INIT_START, START
# and the first errors are stamped before the group's creationTime by the init phase plus the
# delivery delay (seconds, but not bounded by any AWS document; provisioned concurrency and
# SnapStart run INIT well ahead of the first invocation). The only bound AWS states is
# PutLogEvents': "Events older than 14 days or preceding the log group's retention period are
# rejected" (CloudWatch Logs API reference). So the margin is those 14 days: reading a window
# that holds no event costs nothing extra, and every event found there is one to send.
EARLIEST_BEFORE_CREATION_MS: Final = LOG_EVENT_MAX_AGE_DAYS * 24 * HOUR_MS


@dataclass(frozen=True)
class Paused:
    """A backfill stopped before its end; resume it from `job`."""

    job: BackfillJob
    reason: StopReason


def plan_backfill(
    group: LogGroup, owner: str, boundary_ms: int, lookback_hours: float
) -> BackfillJob | None:
    """At most `lookback_hours` back, and never before the oldest event the group can hold
    (14 days before its creation); None when disabled."""
    if lookback_hours <= 0:
        return None
    oldest = group.created_ms - EARLIEST_BEFORE_CREATION_MS
    start = max(oldest, boundary_ms - int(lookback_hours * HOUR_MS))
    return BackfillJob(
        group=group.name,
        owner=group.account_id or owner,
        start_ms=start,
        end_ms=boundary_ms + FUTURE_TOLERANCE_MS,
        boundary_ms=boundary_ms,
    )


def _shares_last_millisecond(job: BackfillJob, events: Sequence[LogEvent]) -> bool:
    """Whether the page begins within the millisecond the job's previous page ended in: pages
    end at "up to 1 MB of log events or up to 10,000 log events" (FilterLogEvents), not between
    milliseconds, so restarting at that timestamp would send that page's events of it again.
    Such a page is put off with its token unchanged: the job's next invocation, queued at once
    (minutes later, at most the 6 h an asynchronous event is kept), reads it well within "The
    token expires after 24 hours"; a job kept for a later run loses its token all the same
    (`BackfillJob.without_token`)."""
    return job.read_to_ms is not None and restart_ms(events) <= job.read_to_ms


class Backfiller:
    def __init__(
        self,
        logs: LogsApi,
        stream_for: Callable[[str], BackfillStream],
        filter_name: str,
        budget: TimeBudget,
        report: RunReport,
        pending: PendingBackfills,
        skip_reason: str = "",
        region: str = "",
        put_off: bool = False,
    ) -> None:
        """`stream_for(group)`: the stream the group is routed to, with its byte budget (a
        page's records are sent only while the time they take at that budget is left, else cut:
        page_fit.py); `skip_reason`: why no backfill can run (a spoke without the hub's role),
        "" when it can; a refused AssumeRole of the hub's role sets it for the rest of the run;
        `region`: the groups' region, written into each event's system fields ("" = none);
        `put_off`: send nothing, keep every job in `pending` for the scheduled runs (a
        deploy-time run, `selfInvoke: false`, with a state bucket: it only puts filters)."""
        self._put_off = put_off
        self._region = region
        self._skip_reason = skip_reason
        self._skip_level = "WARN"
        self._logs = logs
        self._stream_for = stream_for
        self._filter_name = filter_name
        self._budget = budget
        self._report = report
        self._pending = pending
        self._sent_any = False  # in this invocation: then a page that does not fit waits

    def run(self, job: BackfillJob) -> Paused | None:
        """Send the job's events page by page; Paused when time or the API quota runs out.
        A job that ends is done or, failed, kept in `pending` for the next run; a job put off
        is kept there at once, never paused (so no continuation carries it)."""
        if self._skip_reason:
            self._skip(job)
            return None
        if self._put_off:
            self._pending.put_off(job)
            return None
        while True:
            try:
                page = self._logs.events_page(job.group, job.start_ms, job.end_ms, job.next_token)
            except ThrottledError:
                return Paused(job, "throttled")
            except ClientError as error:
                self._refused(job, error)
                return None
            events = [e for e in page.events if e.ingestion_time <= job.boundary_ms]
            sent = self._send(job, events) if events else True
            if sent is not True:
                return sent  # paused before or inside the page, or ended (failed, skipped)
            if page.next_token is None:
                self._pending.done(job.group)
                return None
            newest = max((e.timestamp for e in page.events), default=job.read_to_ms)
            job = replace(job, next_token=page.next_token, read_to_ms=newest)
            if self._budget.exhausted(self._debt_ms(job.group)):
                return Paused(job, "time_budget")

    def _send(self, job: BackfillJob, events: list[LogEvent]) -> Paused | Literal[True] | None:
        """Put the page's events: True when all were sent; Paused when time ran out before or
        within the page (the rest restarts, without a page token, at its oldest timestamp: a
        fresh invocation has more time for it; a page put off whole that begins within the
        millisecond the previous page ended in is read again with its token instead); None when
        the job ended here (failed and kept, or skipped)."""
        stream = self._stream_for(job.group)
        encoded = self._encode(job, events)
        count = len(events)
        if not self._fits(stream.pacer, encoded.records):
            count = 0
            if not self._sent_any:  # the most time this invocation has: cut the page
                count = fitting_prefix(
                    events, lambda e: self._fits(stream.pacer, self._encode(job, e).records)
                )
                encoded = self._encode(job, events[:count])
            elif _shares_last_millisecond(job, events):
                return Paused(job, "time_budget")
        if count and not self._put(job, events, stream, encoded):
            return None
        self._report.backfill_events += count
        if count < len(events):
            return Paused(_restarted(job, events[count:]), "time_budget")
        return True

    def _put(
        self, job: BackfillJob, events: list[LogEvent], stream: BackfillStream, encoded: Encoded
    ) -> bool:
        """Put the records of (a prefix of) `events`; False when the job ended (kept failed,
        or skipped)."""
        try:
            stream.firehose.put_records(encoded.records)
        except BackfillRoleDeniedError as error:
            self._skip_reason = str(error)  # no later group of this run could either
            self._skip_level = "ERROR"
            self._skip(job)
            return False
        except (BackfillDeliveryError, ThrottledError) as error:
            # FilterLogEvents returns events by timestamp: a retry starts at this page's
            # first one (page tokens expire), not at what was already delivered.
            self._pending.failed(_restarted(job, events), error)
            return False
        self._sent_any = True
        self._report.backfill_records += len(encoded.records)
        self._report.backfill_truncated += encoded.truncated_events
        return True

    def _encode(self, job: BackfillJob, events: Sequence[LogEvent]) -> Encoded:
        return encode(job.owner, job.group, self._filter_name, events, self._region)

    def _fits(self, pacer: BytePacer, records: Sequence[bytes]) -> bool:
        """Whether the records are paid for at the byte budget before the time budget ends."""
        size = sum(len(record) for record in records)
        return not self._budget.exhausted(int(pacer.seconds_to_send(size) * 1000))

    def _debt_ms(self, group: str) -> int:
        return int(self._stream_for(group).pacer.debt_seconds() * 1000)

    def _skip(self, job: BackfillJob) -> None:
        """Counted, logged once per run, never retried (no later run could send it either)."""
        if not self._report.backfill_skipped:
            self._report.log(
                self._skip_level, f"backfill skipped: {self._skip_reason}", logGroup=job.group
            )
        self._report.backfill_skipped += 1
        self._pending.done(job.group)

    def _refused(self, job: BackfillJob, error: ClientError) -> None:
        """A read no retry can mend ends this group's backfill, never the run: a group deleted
        since its filter was put has nothing left to send; any other refusal is kept."""
        if error_code(error) == "ResourceNotFoundException":
            self._report.record(job.group, "vanished")
            self._pending.done(job.group)
            return
        self._pending.failed(
            replace(job, next_token=None),
            BackfillReadError(
                f"FilterLogEvents was refused ({error}): check that the subscriber's role may "
                "logs:FilterLogEvents on the group; the backfill is retried on the next runs"
            ),
        )


def _restarted(job: BackfillJob, events: list[LogEvent]) -> BackfillJob:
    """`job` to be read again from the oldest of `events` (FilterLogEvents returns events by
    timestamp), without its page token (tokens expire) or a newest timestamp read."""
    return replace(job, start_ms=restart_ms(events), next_token=None, read_to_ms=None)
