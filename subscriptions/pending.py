"""Backfills that failed or were cut short, kept until they end or are given up: never forgotten.

Two kinds of job are kept: a failed one (retried until it succeeds or BACKFILL_RETRY_HOURS have
passed since its first failure, then given up) and an unfinished one, stopped unfailed by a run
that does not continue it (the continuation limit, no progress, a refused self-invocation), or
put off by a deploy-time run (`selfInvoke: false`, which only puts filters): resumed by every
later scheduled full run until it ends, with no retry window (it is not failing; a failure
starts one). Both are bounded by their window: each resume sends from where the last one
stopped. A job is dropped when its group becomes excluded, and every job when `remove`
completes (no group holds the filter then).

The state is one JSON object in S3 (BACKFILL_STATE_BUCKET, key per FILTER_NAME), read once per
invocation and written back when it changed (docs/decisions/subscriptions.md says why there).
Without a bucket nothing can be kept: a failure is reported permanent at once, and so is an
unfinished job (its ERROR line names the window not sent).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from lambda_shared.environment import BACKFILL_STATE_KEY_PREFIX
from subscriptions.continuation import BackfillJob
from subscriptions.errors import PendingStateError
from subscriptions.report import RunReport
from subscriptions.s3_object import S3Object

STATE_VERSION: Final = 1
KEY_PREFIX: Final = BACKFILL_STATE_KEY_PREFIX


CARRY_LEASE_MS: Final = 7 * 3600 * 1000
"""How long a job a continuation carries is left to that chain: Lambda keeps an asynchronous
event at most 6 h ("maximum age of an event ... up to 6 hours", asynchronous invocation) and a
run lasts at most 15 minutes; past that the chain is lost, and a scheduled run resumes the job."""


@dataclass(frozen=True)
class PendingJob:
    job: BackfillJob
    first_failed_ms: int | None
    """None: unfinished, never failed (no retry window)."""
    carried_until_ms: int | None = None
    """A continuation carries it until then: `due` leaves it to that chain (sent once)."""


class StateStore(Protocol):
    def load(self) -> str | None: ...
    def save(self, body: str) -> None: ...


class S3StateStore:
    """One object, `s3://bucket/subscriber/pending-backfills/<filter name>.json`."""

    def __init__(self, client: Any, bucket: str, filter_name: str, *args: Any) -> None:
        self._object = S3Object(client, bucket, f"{KEY_PREFIX}{filter_name}.json", *args)

    def load(self) -> str | None:
        # An archived object (InvalidObjectState) is read as none: its jobs were past their
        # retry window long before the transition (the state is deleted once empty).
        body = self._object.read()
        return None if body is None else body.decode("utf-8")

    def save(self, body: str) -> None:
        state = json.loads(body)
        if not (state.get("pending") or state.get("unfinished")):
            self._object.delete()
            return
        self._object.write(body.encode("utf-8"), "application/json")


class PendingBackfills:
    """The kept backfills by group; `failed` keeps or gives up, `unfinished` keeps, `done`
    forgets."""

    def __init__(
        self,
        store: StateStore | None,
        report: RunReport,
        clock_ms: Callable[[], int],
        retry_ms: int,
    ) -> None:
        self._store = store
        self._report = report
        self.clock_ms = clock_ms
        self._retry_ms = retry_ms
        self._jobs: dict[str, PendingJob] | None = None
        self._dirty = False

    def due(self) -> tuple[BackfillJob, ...]:
        """The jobs to retry now: each once per scheduled run, but a job a continuation
        carries (`carried`), which that chain sends."""
        now = self.clock_ms()
        kept = self._loaded().values()
        return tuple(p.job for p in kept if (p.carried_until_ms or 0) <= now)

    def carried(self, job: BackfillJob) -> None:
        """`job`, paused, goes on in a continuation: kept where it stands (without its page
        token) and leased to that chain for CARRY_LEASE_MS, so a scheduled run meanwhile does
        not send it again; if the chain is lost, a run after the lease resumes it from here.
        Its end (`done`, `failed`, `unfinished`) replaces the entry."""
        if self._store is not None:
            self._keep(job, self.clock_ms() + CARRY_LEASE_MS)

    def failed(self, job: BackfillJob, error: Exception) -> None:
        """Keep `job` for the next run, or give it up once its retry window has passed."""
        self._report.backfill_failure(job.group, _window(job), error)
        now = self.clock_ms()
        jobs = self._loaded() if self._store is not None else {}
        kept = jobs.get(job.group)
        first = now if kept is None or kept.first_failed_ms is None else kept.first_failed_ms
        if self._store is None or now - first >= self._retry_ms:
            self._report.backfill_permanently_failed(job.group, _window(job), first)
            self.done(job.group)
            return
        jobs[job.group] = PendingJob(job, first)
        self._dirty = True

    def unfinished(self, job: BackfillJob, reason: str, *, returned: bool = False) -> None:
        """Keep a job a run stopped before its end and does not continue, for the next full
        run. Without a state bucket nothing is kept: the loss is reported, and counted as
        permanently failed (the metric BackfillPermanentlyFailed, which the alarm
        backfill-permanently-failed watches), unless `returned`: the continuation goes back to
        a caller that may pass it on (`selfInvoke: false`), so it is a warning."""
        if self._store is None:
            self._lost(job, reason, returned)
            return
        self._keep(job)
        self._report.log(
            "WARN",
            "backfill stopped unfinished: kept in BACKFILL_STATE_BUCKET, the next scheduled run "
            "resumes it at startMs",
            logGroup=job.group,
            reason=reason,
            **_window(job),
        )

    @property
    def keeps(self) -> bool:
        """Whether a job can be kept for a later run (there is a state bucket)."""
        return self._store is not None

    def put_off(self, job: BackfillJob) -> None:
        """Keep, unfinished and not started (or not resumed), a job a deploy-time run
        (`selfInvoke: false`) does not run: the scheduled runs send it. Only with a bucket."""
        if self._store is None:
            raise ValueError("a backfill can be put off only with BACKFILL_STATE_BUCKET")
        self._keep(job)
        self._report.log(
            "INFO",
            "backfill put off: a run with selfInvoke false only puts filters; kept in "
            "BACKFILL_STATE_BUCKET, the next scheduled run sends it from startMs",
            logGroup=job.group,
            **_window(job),
        )

    def _keep(self, job: BackfillJob, carried_until_ms: int | None = None) -> None:
        """Keep `job` where it stands, without its page token (tokens expire after 24 h)."""
        kept = self._loaded().get(job.group)
        first = None if kept is None else kept.first_failed_ms  # a failed one's window goes on
        self._loaded()[job.group] = PendingJob(job.without_token(), first, carried_until_ms)
        self._dirty = True

    def _lost(self, job: BackfillJob, reason: str, returned: bool) -> None:
        window = _window(job)
        lost = (
            "the group's events from startMs to endMs ingested up to boundaryMs are not sent, "
            "and no later run sends them"
        )
        if returned:
            self._report.log(
                "WARN",
                "backfill stopped unfinished; without BACKFILL_STATE_BUCKET only the returned "
                f"continuation holds it: pass it back, or {lost}",
                logGroup=job.group,
                reason=reason,
                **window,
            )
            return
        self._report.backfill_given_up.append(job.group)
        self._report.log(
            "ERROR",
            f"backfill stopped unfinished and cannot be kept (no BACKFILL_STATE_BUCKET): {lost}; "
            "set BACKFILL_STATE_BUCKET, or raise MAX_CONTINUATIONS or the Lambda timeout, then "
            "delete the pipeline's filter (FILTER_NAME) from the group and reconcile (it "
            "backfills the look-back again)",
            logGroup=job.group,
            reason=reason,
            **window,
        )

    def clear(self) -> None:
        """Forget every job, unread (an unreadable state cannot fail a `remove`): the object
        is deleted on save."""
        if self._store is not None:
            self._jobs, self._dirty = {}, True

    def done(self, group: str) -> None:
        if self._store is not None and self._loaded().pop(group, None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Write the state back if it changed (once per invocation, also after an error)."""
        if self._store is not None and self._dirty and self._jobs is not None:
            self._store.save(_dump(self._jobs))
            self._dirty = False

    def _loaded(self) -> dict[str, PendingJob]:
        if self._jobs is None:
            body = self._store.load() if self._store is not None else None
            self._jobs = _parse(body)
        return self._jobs


def _window(job: BackfillJob) -> dict[str, int]:
    return {"startMs": job.start_ms, "endMs": job.end_ms, "boundaryMs": job.boundary_ms}


def _lease(pending: PendingJob) -> dict[str, int]:
    return {} if pending.carried_until_ms is None else {"carriedUntilMs": pending.carried_until_ms}


def _leased(entry: dict[str, Any]) -> int | None:
    return None if entry.get("carriedUntilMs") is None else int(entry["carriedUntilMs"])


def _dump(jobs: dict[str, PendingJob]) -> str:
    """Failed jobs under "pending" (as before), unfinished ones under "unfinished": a subscriber
    of an earlier version reads the failed ones and ignores the others."""
    kept = sorted(jobs.items())
    failed = [
        {"job": p.job.to_token(), "firstFailedMs": p.first_failed_ms, **_lease(p)}
        for _, p in kept
        if p.first_failed_ms is not None
    ]
    unfinished = [
        {"job": p.job.to_token(), **_lease(p)} for _, p in kept if p.first_failed_ms is None
    ]
    state: dict[str, Any] = {"version": STATE_VERSION, "pending": failed}
    if unfinished:
        state["unfinished"] = unfinished
    return json.dumps(state, separators=(",", ":"))


def _parse(body: str | None) -> dict[str, PendingJob]:
    if body is None:
        return {}
    try:
        raw = json.loads(body)
        if raw.get("version") != STATE_VERSION:
            raise ValueError(f"version is not {STATE_VERSION}")
        failed = [
            PendingJob(BackfillJob.from_token(e["job"]), int(e["firstFailedMs"]), _leased(e))
            for e in raw["pending"]
        ]
        unfinished = [
            PendingJob(BackfillJob.from_token(e["job"]), None, _leased(e))
            for e in raw.get("unfinished", ())
        ]
        return {p.job.group: p for p in unfinished + failed}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise PendingStateError(
            f"the pending-backfill state is unreadable ({error}): delete the object under "
            f"{KEY_PREFIX} in BACKFILL_STATE_BUCKET (its failed windows are in the ERROR logs)"
        ) from error
